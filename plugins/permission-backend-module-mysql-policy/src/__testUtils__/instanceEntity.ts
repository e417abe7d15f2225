import { Entity } from '@backstage/catalog-model';

/**
 * What the catalog holds for an instance: the processor turns spec.owner
 * into the ownedBy relation, which is what isEntityOwner reads.
 */
export function instanceEntity(name: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: { type: 'database', owner },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}
