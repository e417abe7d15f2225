import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import { MysqlInstanceSummary } from '@mysql-portal/plugin-mysql-common';
import { instanceEntity } from './instanceEntity';

const instance: MysqlInstanceSummary = {
  cluster: 'sandbox',
  namespace: 'shop',
  name: 'orders-db',
  entityRef: 'resource:default/orders-db',
  owner: 'group:default/team-a',
  status: { phase: 'Running', since: '2026-11-25T00:00:00Z' },
  version: { image: 'mysql:8.4' },
};

describe('instanceEntity', () => {
  it('describes the instance as a database Resource that passes catalog validation', async () => {
    const entity = instanceEntity(instance);
    expect(entity.metadata.name).toBe('orders-db');
    expect(entity.metadata.description).toContain('mysql:8.4');
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

  it('names a namesake by its recorded entity, and says which one it is', () => {
    const entity = instanceEntity({
      ...instance,
      namespace: 'other',
      entityRef: 'resource:default/orders-db-other',
      owner: 'group:default/payments',
    });
    expect(entity.metadata.name).toBe('orders-db-other');
    expect(entity.metadata.title).toBe('orders-db (other)');
    expect(entity.spec?.owner).toBe('group:default/payments');
    expect(entity.metadata.annotations).toMatchObject({
      'mysql.backstage.io/instance': 'sandbox/other/orders-db',
      'backstage.io/kubernetes-id': 'orders-db',
    });
  });
});
