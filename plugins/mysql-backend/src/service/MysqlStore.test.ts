import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { InstanceStatuses } from './InstanceStatuses';
import { MysqlStore } from './MysqlStore';

// The project's PostgreSQL (scripts/lib/postgres.js, which `npm test`
// starts), unless the environment names another server.
process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:55432';

const ids: TestDatabaseId[] = ['SQLITE_3', 'POSTGRES_15'];
const databases = TestDatabases.create({ ids });

describe('MysqlStore', () => {
  it('runs on SQLite and PostgreSQL, with neither skipped', () => {
    expect(databases.eachSupportedId().map(([id]) => id)).toEqual(ids);
  });

  it.each(databases.eachSupportedId())(
    'keeps one history entry per event key, whichever replica writes it first, on %p',
    async id => {
      const knex = await databases.init(id);
      const first = await MysqlStore.create({
        getClient: async () => knex,
      } as any);
      const second = await MysqlStore.create({
        getClient: async () => knex,
      } as any);
      const ref = 'sandbox/default/orders-db';
      const entry = { kind: 'rollback' as const, message: 'did not run' };
      const key = `rollback:${ref}@2026-12-07T10:00:00.000Z`;
      const written = await Promise.all([
        first.addHistory(ref, entry, key),
        second.addHistory(ref, entry, key),
      ]);
      expect(written.sort()).toEqual([false, true]);
      expect(await first.addHistory(ref, entry, key)).toBe(false);
      // Entries without a key are all kept.
      expect(await first.addHistory(ref, entry)).toBe(true);
      expect(await second.addHistory(ref, entry)).toBe(true);
      expect((await first.listHistory(ref)).map(h => h.kind)).toEqual([
        'rollback',
        'rollback',
        'rollback',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps observations, history and phases on %p',
    async id => {
      const knex = await databases.init(id);
      const store = await MysqlStore.create({
        getClient: async () => knex,
      } as any);
      const ref = 'sandbox/default/orders-db';

      expect(await store.getObservation(ref)).toBeUndefined();
      await store.saveObservation(ref, {
        reachable: true,
        version: '8.4.3',
        versionComment: 'MySQL Community Server - GPL',
        uptimeSeconds: 42,
        variables: { max_connections: '151' },
        polledAt: '2026-11-25T10:00:00.000Z',
      });
      await store.saveObservation(ref, {
        reachable: true,
        version: '8.4.4',
        uptimeSeconds: 5,
        variables: { max_connections: '200' },
        polledAt: '2026-11-25T10:00:30.000Z',
      });
      expect(await store.getObservation(ref)).toEqual({
        reachable: true,
        version: '8.4.4',
        versionComment: undefined,
        uptimeSeconds: 5,
        variables: { max_connections: '200' },
        error: undefined,
        polledAt: '2026-11-25T10:00:30.000Z',
      });
      expect([...(await store.listObservations()).keys()]).toEqual([ref]);

      await store.addHistory(ref, {
        kind: 'edit',
        actor: 'user:default/jane',
        message: 'max_connections=200',
      });
      await store.addHistory(ref, {
        kind: 'restart',
        message: 'restart to apply max_connections=200',
      });
      const history = await store.listHistory(ref);
      expect(history.map(h => h.kind)).toEqual(['restart', 'edit']);
      expect(history[1]).toMatchObject({
        actor: 'user:default/jane',
        message: 'max_connections=200',
      });

      const statuses = new InstanceStatuses(store);
      await statuses.load();
      const first = statuses.resolve(ref, 'Running');
      const same = statuses.resolve(ref, 'Running');
      expect(same.since).toBe(first.since);
      const changed = statuses.resolve(
        ref,
        'Unreachable',
        'connect ECONNREFUSED',
      );
      expect(changed).toMatchObject({
        phase: 'Unreachable',
        message: 'connect ECONNREFUSED',
      });
      // Reading computes phases in memory; only the background task saves.
      expect((await store.listStatuses()).get(ref)).toBeUndefined();
      await statuses.save();
      expect((await store.listStatuses()).get(ref)).toEqual(changed);
      const reloaded = new InstanceStatuses(store);
      await reloaded.load();
      expect(
        reloaded.resolve(ref, 'Unreachable', 'connect ETIMEDOUT').since,
      ).toBe(changed.since);

      // Poll requests from any replica reach the one that polls, once.
      await store.requestPoll(ref);
      await store.requestPoll(ref);
      expect(await store.takePollRequests()).toEqual(new Set([ref]));
      expect(await store.takePollRequests()).toEqual(new Set());

      // A namesake forgets what was observed of the old instance, but the
      // old history stays; the namesake's starts when it was created.
      const recreatedAt = new Date(Date.now() + 1000).toISOString();
      await store.forget(ref);
      await store.addHistory(ref, {
        kind: 'provision',
        message: 'created again',
        at: recreatedAt,
      });
      expect(await store.getObservation(ref)).toBeUndefined();
      expect((await store.listHistory(ref)).length).toBe(3);
      expect(
        (await store.listHistory(ref, { since: recreatedAt })).map(
          h => h.message,
        ),
      ).toEqual(['created again']);
    },
  );
});
