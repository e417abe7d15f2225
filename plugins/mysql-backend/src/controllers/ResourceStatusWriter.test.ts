import { mockServices } from '@backstage/backend-test-utils';
import { MysqlInstanceSummary } from '@mysql-portal/plugin-mysql-common';
import {
  configHash,
  MysqlClusters,
  MysqlInstanceResource,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { instanceRecord } from '../__testUtils__/instanceRecord';
import { resourceStatus } from '../domain/resourceStatus';
import { InstanceCache, InstanceObjects } from '../service/InstanceCache';
import { InstanceRecords } from '../service/InstanceRecords';
import { adoptedResource, ResourceStatusWriter } from './ResourceStatusWriter';

const NOW = '2026-12-07T10:00:00.000Z';
const CNF = '[mysqld]\nmax_connections = 100\n';
const record = instanceRecord('db', 'orders-db', {
  databaseName: 'orders',
  username: 'app',
});

function objects(resource?: MysqlInstanceResource): InstanceObjects {
  return {
    ref: record.ref,
    cluster: 'sandbox',
    namespace: 'db',
    name: 'orders-db',
    statefulSet: {
      metadata: { uid: 'sts-1' },
      spec: {
        selector: {},
        serviceName: 'orders-db-headless',
        template: {
          metadata: {
            annotations: { 'mysql.backstage.io/config-hash': configHash(CNF) },
          },
          spec: {
            containers: [
              {
                name: 'mysql',
                image: 'mysql:9.7',
                resources: { limits: { memory: '1Gi' } },
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            spec: {
              storageClassName: 'microk8s-hostpath',
              resources: { requests: { storage: '2Gi' } },
            },
          },
        ],
      },
    } as k8s.V1StatefulSet,
    configMap: { data: { 'my.cnf': CNF } },
    pods: [],
    resource,
  };
}

const summary: MysqlInstanceSummary = {
  cluster: 'sandbox',
  namespace: 'db',
  name: 'orders-db',
  entityRef: record.entityRef,
  owner: record.owner,
  status: { phase: 'Running', since: NOW },
  version: { image: 'mysql:9.7', server: '9.7.4' },
  createdAt: NOW,
};

function setup(options: {
  inst: InstanceObjects;
  listed?: boolean;
  recorded?: boolean[];
}) {
  const custom = {
    createNamespacedCustomObject: jest.fn(async ({ body }) => ({
      ...body,
      metadata: { ...body.metadata, uid: 'mi-1', resourceVersion: '7' },
    })),
    replaceNamespacedCustomObjectStatus: jest.fn(async (_args: any) => ({})),
    deleteNamespacedCustomObject: jest.fn(async () => ({})),
  };
  const recorded = [...(options.recorded ?? [true, true])];
  const records = {
    get: () => record,
    read: jest.fn(async () => (recorded.shift() ? record : undefined)),
  };
  const cache = {
    get: () => options.inst,
    resourcesConnected: () => options.listed ?? true,
  };
  const logger = mockServices.logger.mock();
  const writer = new ResourceStatusWriter(
    { client: () => ({ custom }) } as unknown as MysqlClusters,
    cache as unknown as InstanceCache,
    records as unknown as InstanceRecords,
    logger,
    () => new Date(NOW),
    async () => summary,
  );
  return { writer, custom, records, logger };
}

describe('ResourceStatusWriter', () => {
  it('adopts an instance without a resource, from its objects, then writes its status', async () => {
    const { writer, custom, logger } = setup({ inst: objects() });
    await writer.sync([{ record, summary }]);
    const body = custom.createNamespacedCustomObject.mock.calls[0][0].body;
    expect(body).toEqual(adoptedResource(record, objects()));
    expect(body.spec).toEqual({
      owner: 'group:default/team-a',
      image: 'mysql:9.7',
      config: { max_connections: '100' },
      resources: { limits: { memory: '1Gi' } },
      storage: { size: '2Gi', storageClassName: 'microk8s-hostpath' },
      database: { name: 'orders', user: 'app' },
    });
    const written =
      custom.replaceNamespacedCustomObjectStatus.mock.calls[0][0].body;
    expect(written.metadata.resourceVersion).toBe('7');
    expect(written.status.phase).toBe('Running');
    expect(logger.info).toHaveBeenCalledWith(
      `${record.ref}: adopted as a MysqlInstance`,
    );
  });

  it('writes nothing when the status is what the resource has', async () => {
    const status = resourceStatus(summary, objects(), undefined, NOW);
    const resource = {
      ...adoptedResource(record, objects()),
      status,
    } as MysqlInstanceResource;
    const { writer, custom } = setup({ inst: objects(resource) });
    await writer.sync([{ record, summary }]);
    expect(custom.createNamespacedCustomObject).not.toHaveBeenCalled();
    expect(custom.replaceNamespacedCustomObjectStatus).not.toHaveBeenCalled();
  });

  it('makes nothing before the watch of the namespace has listed', async () => {
    const { writer, custom } = setup({ inst: objects(), listed: false });
    await writer.sync([{ record, summary }]);
    expect(custom.createNamespacedCustomObject).not.toHaveBeenCalled();
  });

  it('makes nothing for an instance whose record a delete just removed', async () => {
    const { writer, custom } = setup({ inst: objects(), recorded: [false] });
    await writer.sync([{ record, summary }]);
    expect(custom.createNamespacedCustomObject).not.toHaveBeenCalled();
  });

  it('removes the resource it made when a delete removed the record meanwhile', async () => {
    const { writer, custom } = setup({
      inst: objects(),
      recorded: [true, false],
    });
    await writer.sync([{ record, summary }]);
    expect(custom.deleteNamespacedCustomObject).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'orders-db',
        body: { preconditions: { uid: 'mi-1' } },
      }),
    );
    expect(custom.replaceNamespacedCustomObjectStatus).not.toHaveBeenCalled();
  });

  it('writes between polls when asked for an instance whose objects changed', async () => {
    const resource = adoptedResource(record, objects());
    const { writer, custom } = setup({ inst: objects(resource) });
    writer.enqueue(record.ref);
    for (let i = 0; i < 50; i++) {
      if (custom.replaceNamespacedCustomObjectStatus.mock.calls.length > 0) {
        break;
      }
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    await writer.stop();
    expect(
      custom.replaceNamespacedCustomObjectStatus.mock.calls.map(
        call => call[0].body.status.phase,
      ),
    ).toEqual(['Running']);
  });

  it('leaves a 409 to the next poll quietly, and warns of other failures', async () => {
    const resource = adoptedResource(record, objects());
    const { writer, custom, logger } = setup({ inst: objects(resource) });
    custom.replaceNamespacedCustomObjectStatus.mockRejectedValueOnce(
      Object.assign(new Error('conflict'), { code: 409 }),
    );
    await writer.sync([{ record, summary }]);
    expect(logger.warn).not.toHaveBeenCalled();
    custom.replaceNamespacedCustomObjectStatus.mockRejectedValueOnce(
      new Error('socket hang up'),
    );
    await writer.sync([{ record, summary }]);
    expect(logger.warn).toHaveBeenCalledWith(
      `writing the MysqlInstance status of ${record.ref}: Error: socket hang up`,
    );
  });
});
