import { mockServices } from '@backstage/backend-test-utils';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { instanceRecord } from '../__testUtils__/instanceRecord';
import { BackupRunner } from '../backups/BackupRunner';
import { BackupRow, BackupStore } from '../backups/BackupStore';
import { DELETE_ANNOTATION, PendingDelete } from '../domain/deleteState';
import { InstanceCache, InstanceObjects } from '../service/InstanceCache';
import { InstanceRecords } from '../service/InstanceRecords';
import { MysqlStore } from '../service/MysqlStore';
import { Deleter } from './Deleter';
import { Deletions } from './Deletions';

const record = instanceRecord('shop', 'orders-db');
const ASKED_AT = '2026-12-07T10:00:00.000Z';
const READY_POD = {
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
} as k8s.V1Pod;

function objects(
  annotations: Record<string, string> = {},
  pods = [READY_POD],
): InstanceObjects {
  return {
    ref: record.ref,
    cluster: 'sandbox',
    namespace: 'shop',
    name: 'orders-db',
    statefulSet: {
      metadata: { resourceVersion: '41', annotations },
    } as k8s.V1StatefulSet,
    pods,
  };
}

function pendingOn(pending: PendingDelete) {
  return objects({ [DELETE_ANNOTATION]: JSON.stringify(pending) });
}

function backup(extra: Partial<BackupRow>): BackupRow {
  return {
    id: 'b1',
    ref: record.ref,
    status: 'Running',
    target: 'pvc',
    location: 'pvc://backups/b1.sql.gz',
    trigger: 'delete',
    jobName: 'orders-db-backup-b1',
    startedAt: '2026-12-07T10:00:01.000Z',
    ...extra,
  };
}

function setup(inst: InstanceObjects, rows: BackupRow[] = []) {
  const writes: Array<{ resourceVersion: string; value: string | null }> = [];
  const apps = {
    patchNamespacedStatefulSet: jest.fn(async ({ body }) => {
      writes.push({
        resourceVersion: body.metadata.resourceVersion,
        value: body.metadata.annotations[DELETE_ANNOTATION],
      });
      return {
        metadata: {
          resourceVersion: String(42 + writes.length),
          annotations: body.metadata.annotations,
        },
      };
    }),
  };
  const backups = {
    start: jest.fn(async () => backup({ id: 'final' })),
    forget: jest.fn(async () => undefined),
  };
  const backupStore = {
    listBackups: jest.fn(async () => rows),
    getBackup: jest.fn(async (id: string) => rows.find(r => r.id === id)),
  };
  const deleter = {
    delete: jest.fn(async () => ({ deleted: ['StatefulSet'], kept: [] })),
  };
  const store = { addHistory: jest.fn(async () => true) };
  const deletions = new Deletions(
    { client: () => ({ apps }) } as unknown as MysqlClusters,
    { get: () => inst, list: () => [inst] } as unknown as InstanceCache,
    { get: () => record } as unknown as InstanceRecords,
    backups as unknown as BackupRunner,
    backupStore as unknown as BackupStore,
    deleter as unknown as Deleter,
    store as unknown as MysqlStore,
    mockServices.logger.mock(),
  );
  return { deletions, writes, backups, deleter, store };
}

const ACTOR = 'user:default/jane';

describe('Deletions', () => {
  it('records the delete with a precondition, starts the final backup and answers before it ends', async () => {
    const { deletions, writes, backups, deleter, store } = setup(objects());
    const answer = await deletions.request(record, {
      keepData: true,
      actor: ACTOR,
    });
    expect(answer).toEqual({
      deleted: [],
      kept: [],
      pending: {
        backup: 'final',
        message: 'deleting once the final backup final has completed',
      },
    });
    expect(writes.map(w => w.resourceVersion)).toEqual(['41', '43']);
    expect(JSON.parse(writes[1].value!)).toEqual({
      keepData: true,
      actor: ACTOR,
      at: expect.any(String),
      backup: 'final',
    });
    expect(backups.start).toHaveBeenCalledWith(record, {
      trigger: 'delete',
      actor: ACTOR,
    });
    expect(store.addHistory).toHaveBeenCalledWith(record.ref, {
      kind: 'delete',
      actor: ACTOR,
      message:
        'delete requested, keeping the data volume and Secret: taking a final backup first',
    });
    expect(deleter.delete).not.toHaveBeenCalled();
  });

  it('answers 409 when the final backup cannot start, and leaves nothing pending', async () => {
    const { deletions, writes, backups, deleter } = setup(objects());
    backups.start.mockRejectedValueOnce(
      new Error('creating Job shop/orders-db-backup-x: HTTP 500'),
    );
    await expect(
      deletions.request(record, { keepData: false, actor: ACTOR }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message:
        'finalBackup: creating Job shop/orders-db-backup-x: HTTP 500; nothing was deleted',
    });
    expect(writes.map(w => w.value === null)).toEqual([false, true]);
    expect(deleter.delete).not.toHaveBeenCalled();
  });

  it.each([
    [
      'a delete is pending already',
      pendingOn({ keepData: false, actor: ACTOR, at: ASKED_AT }),
      'is being deleted already',
    ],
    ['no server is Ready', objects({}, []), 'no Ready server to back up'],
    [
      'an upgrade is under way',
      objects({
        'mysql.backstage.io/upgrade': JSON.stringify({
          from: 'mysql:8.4',
          to: 'mysql:9.7',
          status: 'Upgrading',
          at: ASKED_AT,
        }),
      }),
      'is being upgraded to mysql:9.7',
    ],
  ])(
    'refuses with a 409 when %s, and writes nothing',
    async (_, inst, message) => {
      const { deletions, writes, backups } = setup(inst);
      await expect(
        deletions.request(record, { keepData: false, actor: ACTOR }),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining(message),
      });
      expect(writes).toEqual([]);
      expect(backups.start).not.toHaveBeenCalled();
    },
  );

  it('waits for a backup that runs already before it starts the final one', async () => {
    const running = backup({
      id: 'nightly',
      trigger: 'schedule',
      startedAt: '2026-12-07T09:59:00.000Z',
    });
    const asked = { keepData: false, actor: ACTOR, at: ASKED_AT };
    const { deletions, writes, backups } = setup(pendingOn(asked), [running]);
    await deletions.followAll();
    expect(backups.start).not.toHaveBeenCalled();
    expect(writes).toEqual([]);
  });

  it('takes up its own backup when the write of its id was lost, without starting another', async () => {
    const asked = { keepData: false, actor: ACTOR, at: ASKED_AT };
    const { deletions, writes, backups } = setup(pendingOn(asked), [
      backup({ id: 'final' }),
    ]);
    await deletions.followAll();
    expect(backups.start).not.toHaveBeenCalled();
    expect(JSON.parse(writes[0].value!).backup).toBe('final');
  });

  it('deletes as asked once the final backup completed', async () => {
    const asked = {
      keepData: true,
      actor: ACTOR,
      at: ASKED_AT,
      backup: 'final',
    };
    const { deletions, deleter, backups } = setup(pendingOn(asked), [
      backup({ id: 'final', status: 'Completed' }),
    ]);
    await deletions.followAll();
    expect(deleter.delete).toHaveBeenCalledWith(record, {
      keepData: true,
      actor: ACTOR,
    });
    expect(backups.forget).toHaveBeenCalledWith(record.ref);
  });

  it('keeps waiting while the final backup runs', async () => {
    const asked = {
      keepData: true,
      actor: ACTOR,
      at: ASKED_AT,
      backup: 'final',
    };
    const { deletions, deleter, writes } = setup(pendingOn(asked), [
      backup({ id: 'final' }),
    ]);
    await deletions.followAll();
    expect(deleter.delete).not.toHaveBeenCalled();
    expect(writes).toEqual([]);
  });

  it.each([
    [
      'the final backup failed',
      [
        backup({
          id: 'final',
          status: 'Failed',
          message: 'mysqldump exited with 2',
        }),
      ],
      'the final backup final failed: mysqldump exited with 2',
    ],
    [
      'the final backup is not recorded',
      [],
      'the final backup final is not recorded',
    ],
  ])('deletes nothing when %s, and says why', async (_, rows, why) => {
    const asked = {
      keepData: false,
      actor: ACTOR,
      at: ASKED_AT,
      backup: 'final',
    };
    const { deletions, deleter, writes, store } = setup(pendingOn(asked), rows);
    await deletions.followAll();
    expect(deleter.delete).not.toHaveBeenCalled();
    expect(writes).toEqual([{ resourceVersion: '41', value: null }]);
    expect(store.addHistory).toHaveBeenCalledWith(record.ref, {
      kind: 'delete',
      actor: ACTOR,
      message: `delete cancelled, nothing was deleted: ${why}`,
    });
  });

  it('deletes nothing when the final backup cannot start', async () => {
    const asked = { keepData: false, actor: ACTOR, at: ASKED_AT };
    const { deletions, deleter, backups, store } = setup(pendingOn(asked));
    backups.start.mockRejectedValueOnce(
      new Error('sandbox/shop/orders-db has no Ready server to back up'),
    );
    await deletions.followAll();
    expect(deleter.delete).not.toHaveBeenCalled();
    expect(store.addHistory).toHaveBeenCalledWith(
      record.ref,
      expect.objectContaining({
        message:
          'delete cancelled, nothing was deleted: sandbox/shop/orders-db has no Ready server to back up',
      }),
    );
  });
});
