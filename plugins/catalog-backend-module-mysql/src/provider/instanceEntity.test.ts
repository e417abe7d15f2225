import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import { instanceEntity } from './instanceEntity';

const statefulSet = {
  metadata: {
    name: 'orders-db',
    namespace: 'shop',
    annotations: { 'mysql.backstage.io/owner': 'group:default/team-a' },
  },
  spec: {
    serviceName: 'orders-db-headless',
    selector: {},
    template: { spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] } },
  },
};

describe('instanceEntity', () => {
  it('describes the instance as a database Resource that passes catalog validation', async () => {
    const entity = instanceEntity('sandbox', statefulSet)!;
    expect(entity.metadata.name).toBe('orders-db');
    expect(entity.kind).toBe('Resource');
    expect(entity.spec).toEqual({
      type: 'database',
      owner: 'group:default/team-a',
    });
    expect(entity.metadata.annotations).toMatchObject({
      'mysql.backstage.io/instance': 'sandbox/shop/orders-db',
      'backstage.io/kubernetes-id': 'orders-db',
      'backstage.io/kubernetes-namespace': 'shop',
    });
    const policies = EntityPolicies.allOf([
      new DefaultNamespaceEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new FieldFormatEntityPolicy(),
      new SchemaValidEntityPolicy(),
    ]);
    await expect(policies.enforce(entity)).resolves.toBeDefined();
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
  });

  it('skips a StatefulSet without an owner', () => {
    expect(
      instanceEntity('sandbox', {
        ...statefulSet,
        metadata: { ...statefulSet.metadata, annotations: {} },
      }),
    ).toBeUndefined();
  });
});
