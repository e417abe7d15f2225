import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { MysqlInstanceStatus } from '@mysql-portal/plugin-mysql-common';
import { instanceRecord } from '../__testUtils__/instanceRecord';
import { BackupRow } from '../backups/BackupStore';
import { MysqlStore } from '../service/MysqlStore';
import { NoticeStore } from './NoticeStore';
import { OwnerNotifier } from './OwnerNotifier';

// The project's PostgreSQL (scripts/lib/postgres.js, which `npm test`
// starts), unless the environment names another server.
process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:55432';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const record = instanceRecord('databases', 'orders-db');

function status(
  phase: MysqlInstanceStatus['phase'],
  message?: string,
): Map<string, MysqlInstanceStatus> {
  return new Map([
    [record.ref, { phase, message, since: new Date().toISOString() }],
  ]);
}

/** Two replicas on one database, each with its own notifier. */
async function replicas(id: TestDatabaseId) {
  const knex = await databases.init(id);
  await MysqlStore.create({ getClient: async () => knex } as any);
  const sent: any[] = [];
  const notifications = { send: jest.fn(async (n: any) => void sent.push(n)) };
  const logger = mockServices.logger.mock();
  const make = () =>
    new OwnerNotifier(
      notifications,
      new NoticeStore(knex),
      ref => (ref === record.ref ? record : undefined),
      () => undefined,
      logger,
      [1, 1],
    );
  return { one: make(), two: make(), sent, notifications, logger };
}

function settled(...notifiers: OwnerNotifier[]) {
  return Promise.all(notifiers.map(n => n.settled()));
}

describe('OwnerNotifier', () => {
  it.each(databases.eachSupportedId())(
    'tells a Degraded spell once, however many replicas see it, on %p',
    async id => {
      const { one, two, sent } = await replicas(id);
      await Promise.all([
        one.statusesChanged(status('Degraded', 'the server exited')),
        two.statusesChanged(status('Degraded', 'the server exited')),
      ]);
      await one.statusesChanged(status('Degraded', 'it exited again'));
      await settled(one, two);
      expect(sent).toEqual([
        {
          recipients: { type: 'entity', entityRef: record.entityRef },
          payload: expect.objectContaining({
            title: 'orders-db is Degraded',
            description: 'the server exited',
            link: '/catalog/default/resource/orders-db',
          }),
        },
      ]);

      // Running again ends the spell; the next one is told again.
      await two.statusesChanged(status('Running'));
      await one.statusesChanged(status('Degraded', 'the disk is full'));
      await settled(one, two);
      expect(sent.map(n => n.payload.description)).toEqual([
        'the server exited',
        'the disk is full',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'tells a rollback, a failed backup and an ended upgrade once each, on %p',
    async id => {
      const { one, two, sent } = await replicas(id);
      const rollback = {
        rollbackStartedAt: '2026-11-25T10:00:00.000Z',
        cause: 'the pod crashed',
        changes: ['max_connections: 100 → 99999'],
      };
      await Promise.all([
        one.rolledBack(record.ref, rollback),
        two.rolledBack(record.ref, rollback),
      ]);
      const backup = {
        id: 'b1',
        ref: record.ref,
        status: 'Failed',
        trigger: 'schedule',
        message: 'no space left',
      } as BackupRow;
      await one.backupFinished(record, backup);
      await two.backupFinished(record, backup);
      await one.backupFinished(record, {
        ...backup,
        id: 'b2',
        status: 'Completed',
      });
      const ended = {
        from: 'mysql:8.0',
        to: 'mysql:8.4',
        status: 'Completed' as const,
        at: '2026-11-25T11:00:00.000Z',
      };
      await one.upgradeEnded(record.ref, ended);
      await two.upgradeEnded(record.ref, ended);
      await one.upgradeEnded('sandbox/databases/unknown', ended);
      await settled(one, two);
      expect(sent.map(n => n.payload.title)).toEqual([
        'orders-db: configuration rolled back',
        'orders-db: backup failed',
        'orders-db was upgraded to mysql:8.4',
      ]);
    },
  );

  it('tries a failed send again, on the replica that claimed the event', async () => {
    const { one, two, notifications, sent, logger } = await replicas(
      'SQLITE_3',
    );
    notifications.send
      .mockRejectedValueOnce(new Error('fetch failed'))
      .mockRejectedValueOnce(new Error('503 Service Unavailable'));
    await Promise.all([
      one.statusesChanged(status('Degraded', 'the server exited')),
      two.statusesChanged(status('Degraded', 'the server exited')),
    ]);
    await settled(one, two);
    expect(notifications.send).toHaveBeenCalledTimes(3);
    expect(sent.map(n => n.payload.description)).toEqual(['the server exited']);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('logs a notification it could not send after its attempts, and does not throw', async () => {
    const { one, notifications, logger } = await replicas('SQLITE_3');
    notifications.send.mockRejectedValue(new Error('404 Not Found'));
    await expect(
      one.statusesChanged(status('Degraded', 'the server exited')),
    ).resolves.toBeUndefined();
    await one.settled();
    expect(notifications.send).toHaveBeenCalledTimes(3);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/after 3 attempts: Error: 404 Not Found$/),
    );
  });
});
