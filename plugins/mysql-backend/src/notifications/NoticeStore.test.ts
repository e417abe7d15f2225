import { TestDatabases } from '@backstage/backend-test-utils';
import { MysqlStore } from '../service/MysqlStore';
import { NoticeStore } from './NoticeStore';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:55432';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('NoticeStore', () => {
  it.each(databases.eachSupportedId())(
    'lets one of many claims of an event win, and a released key be claimed again, on %p',
    async id => {
      const knex = await databases.init(id);
      await MysqlStore.create({ getClient: async () => knex } as any);
      const stores = [new NoticeStore(knex), new NoticeStore(knex)];
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          stores[i % 2].claim('rollback:a/b/c@t1', 'a/b/c'),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await stores[0].claim('rollback:a/b/c@t2', 'a/b/c')).toBe(true);

      await stores[1].release('rollback:a/b/c@t1');
      expect(await stores[1].claim('rollback:a/b/c@t1', 'a/b/c')).toBe(true);
      expect(await stores[0].claim('rollback:a/b/c@t1', 'a/b/c')).toBe(false);
    },
  );
});
