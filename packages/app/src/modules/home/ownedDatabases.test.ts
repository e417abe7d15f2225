import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { MysqlInstanceSummary } from '@mysql-portal/plugin-mysql-common';
import { loadOwnedDatabases } from './ownedDatabases';

function database(name: string, owner = 'group:default/guests'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: { type: 'database', owner },
  };
}

function instance(name: string): MysqlInstanceSummary {
  return {
    cluster: 'sandbox',
    namespace: 'default',
    name,
    entityRef: `resource:default/${name}`,
    owner: 'group:default/guests',
    status: { phase: 'Running', since: '2026-01-01T00:00:00Z' },
    version: { image: 'mysql:9.7', server: '9.7.4' },
  };
}

async function notFound() {
  return ResponseError.fromResponse(
    new Response('Not Found', { status: 404, statusText: 'Not Found' }),
  );
}

describe('loadOwnedDatabases', () => {
  const ownershipEntityRefs = ['user:default/guest', 'group:default/guests'];

  it("asks the catalog for the databases the user's refs own and joins each with its instance", async () => {
    const getEntities = jest.fn().mockResolvedValue({
      items: [database('orders-db'), database('Billing-DB')],
    });
    const result = await loadOwnedDatabases({
      catalogApi: { getEntities },
      mysqlApi: {
        listInstances: jest.fn().mockResolvedValue({
          // The backend's ref for an entity whose name has capitals.
          items: [
            instance('orders-db'),
            {
              ...instance('billing-db'),
              entityRef: 'resource:default/billing-db',
            },
            instance('someone-elses-db'),
          ],
        }),
      },
      ownershipEntityRefs,
    });

    expect(getEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: {
          kind: 'Resource',
          'spec.type': 'database',
          'relations.ownedBy': ownershipEntityRefs,
        },
      }),
    );
    expect(
      result.databases.map(d => [d.entity.metadata.name, d.instance?.name]),
    ).toEqual([
      ['orders-db', 'orders-db'],
      ['Billing-DB', 'billing-db'],
    ]);
    expect(result.statusError).toBeUndefined();
  });

  it('keeps the list when the mysql backend fails, and says why', async () => {
    const result = await loadOwnedDatabases({
      catalogApi: {
        getEntities: jest
          .fn()
          .mockResolvedValue({ items: [database('orders-db')] }),
      },
      mysqlApi: {
        listInstances: jest.fn().mockRejectedValue(new Error('boom')),
      },
      ownershipEntityRefs,
    });
    expect(result.databases).toHaveLength(1);
    expect(result.databases[0].instance).toBeUndefined();
    expect(result.statusError).toBe('boom');
  });

  it('shows no status error on a portal without the mysql backend', async () => {
    const result = await loadOwnedDatabases({
      catalogApi: {
        getEntities: jest
          .fn()
          .mockResolvedValue({ items: [database('orders-db')] }),
      },
      mysqlApi: {
        listInstances: jest.fn().mockRejectedValue(await notFound()),
      },
      ownershipEntityRefs,
    });
    expect(result.databases).toHaveLength(1);
    expect(result.statusError).toBeUndefined();
  });

  it('asks nothing for a user who owns through no ref', async () => {
    const getEntities = jest.fn();
    const listInstances = jest.fn();
    const result = await loadOwnedDatabases({
      catalogApi: { getEntities },
      mysqlApi: { listInstances },
      ownershipEntityRefs: [],
    });
    expect(result.databases).toEqual([]);
    expect(getEntities).not.toHaveBeenCalled();
    expect(listInstances).not.toHaveBeenCalled();
  });
});
