import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { instanceRecord } from '../__testUtils__/instanceRecord';
import { InstanceRecords } from './InstanceRecords';
import { MysqlStore } from './MysqlStore';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:55432';

const ids: TestDatabaseId[] = ['SQLITE_3', 'POSTGRES_15'];
const databases = TestDatabases.create({ ids });

const record = (namespace: string, entityName: string) =>
  instanceRecord(namespace, entityName, { createdBy: 'user:default/alice' });

describe('InstanceRecords', () => {
  it.each(databases.eachSupportedId())(
    'keeps records, refuses a second one of the same entity, and keeps runs on %p',
    async id => {
      const knex = await databases.init(id);
      await MysqlStore.create({ getClient: async () => knex } as any);
      const records = await InstanceRecords.create(knex);
      const first = record('shop', 'orders-db');
      await records.add(first, { image: 'mysql:8.4' });
      expect(records.get(first.ref)).toEqual(first);

      // Another replica sees it after a reload.
      const other = await InstanceRecords.create(knex);
      expect(other.get(first.ref)).toEqual(first);

      await expect(records.add(record('billing', 'orders-db'))).rejects.toThrow(
        ConflictError,
      );
      expect(records.get('sandbox/billing/orders-db')).toBeUndefined();
      await records.add(record('billing', 'orders-db-billing'));
      expect(
        (await records.findByName('orders-db', 'resource:default/x')).length,
      ).toBe(2);

      await records.markReady(first.ref);
      expect(records.get(first.ref)?.readyAt).toBeDefined();
      expect(
        (await other.refresh(first.ref)) && other.get(first.ref)?.readyAt,
      ).toBeTruthy();

      expect(await records.adopted('sandbox')).toBe(false);
      await records.markAdopted('sandbox');
      await records.markAdopted('sandbox');
      expect(await records.adopted('sandbox')).toBe(true);

      await records.addRun({
        id: 'run-1',
        ref: first.ref,
        actor: 'user:default/alice',
        startedAt: '2026-11-25T10:00:00.000Z',
        created: [],
        claimUid: 'uid-claim',
      });
      await records.updateRun('run-1', [
        { kind: 'secret', name: 'orders-db', uid: 'uid-1' },
      ]);
      await records.markUndone('run-1');
      expect(await records.getRun('run-1')).toMatchObject({
        ref: first.ref,
        actor: 'user:default/alice',
        created: [{ kind: 'secret', name: 'orders-db', uid: 'uid-1' }],
        claimUid: 'uid-claim',
        undoneAt: expect.any(String),
      });

      await records.remove(first.ref);
      expect(records.get(first.ref)).toBeUndefined();
      expect(await other.refresh(first.ref)).toBe(false);

      // A deleted instance leaves what is left of it, newest first.
      const billing = records.get('sandbox/billing/orders-db')!;
      expect(await records.lastDeleted(billing.ref)).toBeUndefined();
      await records.markDeleted(billing, {
        by: 'user:default/alice',
        keptData: true,
      });
      expect(records.get(billing.ref)).toBeUndefined();
      expect(await other.refresh(billing.ref)).toBe(false);
      expect(await records.lastDeleted(billing.ref)).toEqual({
        ref: billing.ref,
        entityRef: billing.entityRef,
        owner: billing.owner,
        deletedBy: 'user:default/alice',
        deletedAt: expect.any(String),
        keptData: true,
      });
    },
  );
});
