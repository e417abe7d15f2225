import { mockServices } from '@backstage/backend-test-utils';
import { MysqlUpgradeStatus } from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { instanceRecord } from '../__testUtils__/instanceRecord';
import { BackupRunner } from '../backups/BackupRunner';
import { BackupRow, BackupStore } from '../backups/BackupStore';
import { InstanceCache, InstanceObjects } from '../service/InstanceCache';
import { InstanceRecords } from '../service/InstanceRecords';
import { MysqlStore } from '../service/MysqlStore';
import { MysqlEvents } from '../MysqlEvents';
import { UPGRADE_ANNOTATION } from './upgradeState';
import { Upgrader } from './Upgrader';

const record = instanceRecord('shop', 'orders-db');
const ACTOR = 'user:default/jane';
const ASKED_AT = '2026-12-07T10:00:00.000Z';
const READY_POD = {
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
} as k8s.V1Pod;

function objects(upgrade?: MysqlUpgradeStatus): InstanceObjects {
  return {
    ref: record.ref,
    cluster: 'sandbox',
    namespace: 'shop',
    name: 'orders-db',
    statefulSet: {
      metadata: {
        resourceVersion: '41',
        annotations: upgrade
          ? { [UPGRADE_ANNOTATION]: JSON.stringify(upgrade) }
          : {},
      },
      spec: {
        selector: {},
        serviceName: 'orders-db-headless',
        template: {
          spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
        },
      },
    } as k8s.V1StatefulSet,
    pods: [READY_POD],
  };
}

const BACKING_UP: MysqlUpgradeStatus = {
  from: 'mysql:8.4',
  to: 'mysql:9.7',
  status: 'BackingUp',
  at: ASKED_AT,
  actor: ACTOR,
};

function backup(extra: Partial<BackupRow>): BackupRow {
  return {
    id: 'b1',
    ref: record.ref,
    status: 'Running',
    target: 'pvc',
    location: 'pvc://orders-db-backups/b1.sql.gz',
    trigger: 'upgrade',
    jobName: 'orders-db-backup-b1',
    startedAt: '2026-12-07T10:00:01.000Z',
    ...extra,
  };
}

function setup(inst: InstanceObjects, rows: BackupRow[] = []) {
  const patches: any[] = [];
  const apps = {
    patchNamespacedStatefulSet: jest.fn(async ({ body }) => {
      patches.push(body);
      return {
        ...inst.statefulSet,
        metadata: { ...body.metadata, resourceVersion: '42' },
      };
    }),
  };
  const backups = {
    start: jest.fn(async () => backup({ id: 'final' })),
  };
  const backupStore = {
    listBackups: jest.fn(async () => rows),
    getBackup: jest.fn(async (id: string) => rows.find(r => r.id === id)),
  };
  const store = { addHistory: jest.fn(async () => true) };
  const events = new MysqlEvents();
  const ended = jest.fn();
  events.on('upgradeEnded', ended);
  const upgrader = new Upgrader(
    { client: () => ({ apps }) } as unknown as MysqlClusters,
    { get: () => inst, list: () => [inst] } as unknown as InstanceCache,
    { get: () => record } as unknown as InstanceRecords,
    backups as unknown as BackupRunner,
    backupStore as unknown as BackupStore,
    store as unknown as MysqlStore,
    mockServices.logger.mock(),
    events,
  );
  const states = () =>
    patches.map(p => JSON.parse(p.metadata.annotations[UPGRADE_ANNOTATION]));
  return { upgrader, patches, states, backups, store, ended };
}

describe('Upgrader', () => {
  it('records the upgrade, starts its backup and answers before the backup ends', async () => {
    const { upgrader, states, backups, patches } = setup(objects());
    await upgrader.request(record, 'mysql:9.7', '', ACTOR);
    expect(states()).toEqual([
      { ...BACKING_UP, at: expect.any(String) },
      { ...BACKING_UP, at: expect.any(String), backup: 'final' },
    ]);
    expect(patches[1].metadata.resourceVersion).toBe('42');
    expect(patches.every(p => p.spec === undefined)).toBe(true);
    expect(backups.start).toHaveBeenCalledWith(record, {
      trigger: 'upgrade',
      actor: ACTOR,
    });
  });

  it('waits for a backup that runs already before it starts its own', async () => {
    const { upgrader, patches, backups } = setup(objects(BACKING_UP), [
      backup({ trigger: 'schedule', startedAt: '2026-12-07T09:59:00.000Z' }),
    ]);
    await upgrader.followAll();
    expect(backups.start).not.toHaveBeenCalled();
    expect(patches).toEqual([]);
  });

  it('takes up its own backup when the write of its id was lost', async () => {
    const { upgrader, states, backups } = setup(objects(BACKING_UP), [
      backup({ id: 'mine' }),
    ]);
    await upgrader.followAll();
    expect(backups.start).not.toHaveBeenCalled();
    expect(states()).toEqual([{ ...BACKING_UP, backup: 'mine' }]);
  });

  it('waits while its backup runs, and changes the image once it completed', async () => {
    const running = setup(objects({ ...BACKING_UP, backup: 'b1' }), [
      backup({}),
    ]);
    await running.upgrader.followAll();
    expect(running.patches).toEqual([]);

    const done = setup(objects({ ...BACKING_UP, backup: 'b1' }), [
      backup({ status: 'Completed' }),
    ]);
    await done.upgrader.followAll();
    expect(done.states()).toEqual([
      {
        ...BACKING_UP,
        backup: 'b1',
        status: 'Upgrading',
        at: expect.any(String),
      },
    ]);
    expect(done.patches[0].spec.template.spec.containers[0].image).toBe(
      'mysql:9.7',
    );
    expect(done.store.addHistory).toHaveBeenCalledWith(record.ref, {
      kind: 'upgrade',
      actor: ACTOR,
      message: 'upgrading from mysql:8.4 to mysql:9.7 after backup b1',
    });
  });

  it.each([
    [
      'its backup failed',
      { ...BACKING_UP, backup: 'b1' },
      [backup({ status: 'Failed', message: 'mysqldump exited with 2' })],
      'backup b1 failed: mysqldump exited with 2',
    ],
    [
      'its backup is not recorded',
      { ...BACKING_UP, backup: 'b1' },
      [],
      'backup b1 is not recorded',
    ],
  ])(
    'ends as Failed with the server unchanged when %s',
    async (_, state, rows, why) => {
      const { upgrader, states, patches, ended } = setup(objects(state), rows);
      await upgrader.followAll();
      expect(states()).toEqual([
        {
          from: 'mysql:8.4',
          to: 'mysql:9.7',
          actor: ACTOR,
          status: 'Failed',
          message: `the server was not changed, since the backup before it failed: ${why}`,
          at: expect.any(String),
        },
      ]);
      expect(patches[0].spec).toBeUndefined();
      expect(ended).toHaveBeenCalledWith(
        record.ref,
        expect.objectContaining({ status: 'Failed' }),
      );
    },
  );

  it('ends as Failed when its backup cannot start', async () => {
    const { upgrader, states, backups } = setup(objects(BACKING_UP));
    backups.start.mockRejectedValueOnce(
      new Error('sandbox/shop/orders-db has no Ready server to back up'),
    );
    await upgrader.followAll();
    expect(states()[0]).toMatchObject({
      status: 'Failed',
      message:
        'the server was not changed, since the backup before it failed: sandbox/shop/orders-db has no Ready server to back up',
    });
  });
});
