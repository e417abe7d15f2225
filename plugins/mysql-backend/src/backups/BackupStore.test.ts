import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { MysqlStore } from '../service/MysqlStore';
import { BackupRow, BackupStore } from './BackupStore';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:55432';

const ids: TestDatabaseId[] = ['SQLITE_3', 'POSTGRES_15'];
const databases = TestDatabases.create({ ids });
const REF = 'sandbox/shop/orders-db';

function backup(id: string, startedAt: string): BackupRow {
  return {
    id,
    ref: REF,
    status: 'Running',
    target: 'pvc',
    location: `pvc://orders-db-backups/${id}.sql.gz`,
    trigger: 'manual',
    actor: 'user:default/alice',
    jobName: `orders-db-backup-${id}`,
    startedAt,
  };
}

describe('BackupStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps backups, ends each once, prunes, and moves a schedule once on %p',
    async id => {
      const knex = await databases.init(id);
      await MysqlStore.create({ getClient: async () => knex } as any);
      const store = new BackupStore(knex);
      await store.addBackup(backup('b1', '2026-12-01T01:00:00.000Z'));
      await store.addBackup(backup('b2', '2026-12-01T02:00:00.000Z'));
      expect((await store.listRunning()).map(b => b.id).sort()).toEqual([
        'b1',
        'b2',
      ]);

      expect(
        await store.finishBackup('b1', {
          status: 'Completed',
          sizeBytes: 1234,
        }),
      ).toBe(true);
      // Another replica that saw the same end changes nothing.
      expect(
        await store.finishBackup('b1', { status: 'Failed', message: 'late' }),
      ).toBe(false);
      await store.finishBackup('b2', { status: 'Failed', message: 'boom' });
      const listed = await store.listBackups(REF);
      expect(listed.map(b => [b.id, b.status, b.sizeBytes, b.message])).toEqual(
        [
          ['b2', 'Failed', undefined, 'boom'],
          ['b1', 'Completed', 1234, undefined],
        ],
      );
      expect(listed[1].completedAt).toEqual(expect.any(String));
      expect(
        (await store.listBackups(REF, '2026-12-01T01:30:00.000Z')).map(
          b => b.id,
        ),
      ).toEqual(['b2']);

      await store.markPruned(['b1']);
      expect((await store.listBackups(REF)).map(b => b.id)).toEqual(['b2']);
      expect((await store.getBackup('b1'))?.prunedAt).toEqual(
        expect.any(String),
      );

      await store.savePolicy({
        ref: REF,
        target: 'pvc',
        schedule: '0 3 * * *',
        retention: 7,
        nextRunAt: '2026-12-02T03:00:00.000Z',
      });
      expect(
        await store.advanceSchedule(
          REF,
          '2026-12-02T03:00:00.000Z',
          '2026-12-03T03:00:00.000Z',
        ),
      ).toBe(true);
      expect(
        await store.advanceSchedule(
          REF,
          '2026-12-02T03:00:00.000Z',
          '2026-12-03T03:00:00.000Z',
        ),
      ).toBe(false);
      expect((await store.getPolicy(REF))?.nextRunAt).toBe(
        '2026-12-03T03:00:00.000Z',
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'records a restore once and moves it along its states on %p',
    async id => {
      const knex = await databases.init(id);
      await MysqlStore.create({ getClient: async () => knex } as any);
      const store = new BackupStore(knex);
      const restore = {
        ref: 'sandbox/shop/copy',
        source: { instance: REF, backup: 'b1' },
        status: 'Pending' as const,
        createdAt: new Date().toISOString(),
      };
      expect(await store.addRestore(restore)).toBe(true);
      expect(await store.addRestore(restore)).toBe(false);
      expect(
        await store.updateRestore(restore.ref, 'Pending', {
          status: 'Running',
          jobName: 'copy-restore-1',
        }),
      ).toBe(true);
      expect(
        await store.updateRestore(restore.ref, 'Pending', {
          status: 'Running',
        }),
      ).toBe(false);
      expect((await store.listActiveRestores()).map(r => r.jobName)).toEqual([
        'copy-restore-1',
      ]);
      await store.updateRestore(restore.ref, 'Running', {
        status: 'Failed',
        message: 'ERROR 1064',
      });
      expect(await store.getRestore(restore.ref)).toMatchObject({
        source: { instance: REF, backup: 'b1' },
        status: 'Failed',
        message: 'ERROR 1064',
      });
      expect(await store.listActiveRestores()).toEqual([]);
      await store.forget(restore.ref);
      expect(await store.getRestore(restore.ref)).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'finds the last completed backup of every instance in one query on %p',
    async id => {
      const knex = await databases.init(id);
      await MysqlStore.create({ getClient: async () => knex } as any);
      const store = new BackupStore(knex);
      const of = (ref: string, b: string, at: string) => ({
        ...backup(b, at),
        ref,
      });
      await store.addBackup(of(REF, 'b1', '2026-12-01T01:00:00.000Z'));
      await store.addBackup(of(REF, 'b2', '2026-12-01T02:00:00.000Z'));
      await store.addBackup(
        of('sandbox/shop/failed', 'f1', '2026-12-01T01:00:00.000Z'),
      );
      await store.addBackup(
        of('sandbox/shop/pruned', 'p1', '2026-12-01T01:00:00.000Z'),
      );
      await store.addBackup(
        of('sandbox/shop/running', 'r1', '2026-12-01T01:00:00.000Z'),
      );
      await store.finishBackup('b1', { status: 'Completed' });
      await new Promise(resolve => setTimeout(resolve, 20));
      await store.finishBackup('b2', { status: 'Completed' });
      await store.finishBackup('f1', { status: 'Failed', message: 'boom' });
      await store.finishBackup('p1', { status: 'Completed' });
      await store.markPruned(['p1']);

      const last = await store.lastCompletedBackups();
      expect([...last.keys()]).toEqual([REF]);
      expect(last.get(REF)).toBe((await store.getBackup('b2'))!.completedAt);
      expect(last.get(REF)! > (await store.getBackup('b1'))!.completedAt!).toBe(
        true,
      );
    },
  );
});
