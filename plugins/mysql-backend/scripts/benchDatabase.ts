/*
 * The benchmarks' PostgreSQL: a fresh database per run, beside nothing
 * else, so that `benchFleetList.ts` does not load the whole plugin.
 */
import knexFactory from 'knex';
import { randomBytes } from 'node:crypto';

const POSTGRES =
  process.env.BENCH_POSTGRES_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:55432';

/** A fresh PostgreSQL database for this run, dropped by `drop`. */
export async function createDatabase() {
  const name = `mysql_bench_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: POSTGRES });
  await admin.raw('CREATE DATABASE ??', [name]);
  const knex = knexFactory({
    client: 'pg',
    connection: `${POSTGRES}/${name}`,
  });
  return {
    name,
    knex,
    drop: async () => {
      await knex.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    },
  };
}
