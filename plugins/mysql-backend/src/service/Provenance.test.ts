import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import * as k8s from '@kubernetes/client-node';
import { InstanceCache, InstanceObjects } from './InstanceCache';
import { InstanceRecords } from './InstanceRecords';
import { MysqlStore } from './MysqlStore';
import { MysqlEvents } from '../MysqlEvents';
import { Provenance } from './Provenance';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function instance(
  namespace: string,
  owner?: string,
  created = '2026-01-01T00:00:00Z',
): InstanceObjects {
  const statefulSet: k8s.V1StatefulSet = {
    metadata: {
      name: 'orders-db',
      namespace,
      creationTimestamp: new Date(created),
      annotations: owner ? { 'mysql.backstage.io/owner': owner } : {},
    },
  };
  return {
    ref: `sandbox/${namespace}/orders-db`,
    cluster: 'sandbox',
    namespace,
    name: 'orders-db',
    statefulSet,
    pods: [],
  };
}

/** A cache that holds `objects`, with the listeners the real one has. */
function fakeCache(objects: InstanceObjects[]) {
  const connect: Array<(cluster: string) => void> = [];
  const change: Array<(ref: string) => void> = [];
  const cache = {
    listAll: () => objects,
    get: (ref: string) => objects.find(o => o.ref === ref),
    onConnect: (l: (cluster: string) => void) => connect.push(l),
    onChange: (l: (ref: string) => void) => change.push(l),
  };
  return {
    cache: cache as unknown as InstanceCache,
    connect: async () => {
      for (const l of connect) l('sandbox');
      await new Promise(r => setTimeout(r, 50));
    },
    change: async (ref: string) => {
      for (const l of change) l(ref);
      await new Promise(r => setTimeout(r, 50));
    },
  };
}

async function setup(objects: InstanceObjects[]) {
  const knex = await databases.init('SQLITE_3');
  const store = await MysqlStore.create({ getClient: async () => knex } as any);
  const records = await InstanceRecords.create(knex);
  const logger = mockServices.logger.mock();
  const fake = fakeCache(objects);
  const events = new MysqlEvents();
  const changed = jest.fn();
  events.on('recordsChanged', changed);
  const provenance = new Provenance(fake.cache, records, store, logger, events);
  provenance.start();
  return { ...fake, records, store, logger, changed, knex };
}

describe('Provenance', () => {
  it('adopts the annotated instances of an earlier version once, each with its own entity', async () => {
    const older = instance(
      'shop',
      'group:default/team-a',
      '2026-01-01T00:00:00Z',
    );
    const namesake = instance(
      'billing',
      'group:default/payments',
      '2026-02-01T00:00:00Z',
    );
    const unowned = instance('misc');
    const objects = [namesake, older, unowned];
    const { connect, records, store, logger, changed } = await setup(objects);
    await connect();

    expect(records.get(older.ref)).toMatchObject({
      entityRef: 'resource:default/orders-db',
      owner: 'group:default/team-a',
      origin: 'adopted',
    });
    expect(records.get(namesake.ref)).toMatchObject({
      entityRef: 'resource:default/orders-db-billing',
      owner: 'group:default/payments',
    });
    expect(records.get(unowned.ref)).toBeUndefined();
    expect(changed).toHaveBeenCalled();
    expect(await store.listHistory(older.ref)).toEqual([
      expect.objectContaining({
        kind: 'provision',
        message: expect.stringContaining('adopted from an earlier version'),
      }),
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(`ignoring ${unowned.ref}`),
    );

    // Adoption happens once per cluster: a labelled object that shows up
    // later is ignored, with one log line however often it changes.
    const later = instance('late', 'group:default/team-a');
    objects.push(later);
    await connect();
    expect(records.get(later.ref)).toBeUndefined();
  });

  it("never adopts an instance that has a MysqlInstance: another portal's, made by this version", async () => {
    const theirs: InstanceObjects = {
      ...instance('shop', 'group:default/team-a'),
      resource: {
        apiVersion: 'mysql.backstage.io/v1alpha1',
        kind: 'MysqlInstance',
        metadata: { name: 'orders-db', namespace: 'shop' },
        spec: {
          owner: 'group:default/team-a',
          image: 'mysql:9.7',
          storage: { size: '1Gi' },
        },
      },
    };
    const { connect, records, logger } = await setup([theirs]);
    await connect();
    expect(records.get(theirs.ref)).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(`ignoring ${theirs.ref}`),
    );
  });

  it('ignores an unrecorded object with one log line, and takes a record another replica made', async () => {
    const objects: InstanceObjects[] = [];
    const { connect, change, records, logger, changed, knex } = await setup(
      objects,
    );
    await connect();
    const handmade = instance('shop', 'group:default/team-a');
    const fromReplica = instance('team', 'group:default/team-a');
    objects.push(handmade, fromReplica);

    await change(handmade.ref);
    await change(handmade.ref);
    const lines = logger.warn.mock.calls.filter(([message]) =>
      String(message).includes(`ignoring ${handmade.ref}`),
    );
    expect(lines).toHaveLength(1);
    expect(records.get(handmade.ref)).toBeUndefined();

    const replica = await InstanceRecords.create(knex);
    await replica.add({
      ref: fromReplica.ref,
      cluster: 'sandbox',
      namespace: 'team',
      name: 'orders-db',
      entityRef: 'resource:default/orders-db',
      owner: 'group:default/team-a',
      origin: 'created',
      createdAt: new Date().toISOString(),
    });
    await change(fromReplica.ref);
    expect(records.get(fromReplica.ref)?.owner).toBe('group:default/team-a');
    expect(changed).toHaveBeenCalled();
  });
});
