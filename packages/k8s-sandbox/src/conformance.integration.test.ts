import {
  MysqlVariable,
  mysqlVariables,
  renderMyCnf,
  sameMysqlValue,
  validateMysqlConfig,
} from '@mysql-portal/plugin-mysql-common';
import * as k8s from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { PodMysqlServer, ServerFamily } from './__testUtils__/PodMysqlServer';
import { sandboxServerVersion, useSandbox } from './testing';

// The portal's variable catalogue (mysql-common) against both real
// servers, the sandbox's MySQL 9.7 and MariaDB 10.11, in pods of the
// sandbox's node: each value goes into the pod's my.cnf (a ConfigMap at
// /etc/mysql/conf.d, as the product mounts it) and is read back with
// `SELECT @@GLOBAL.x` and with `SHOW GLOBAL VARIABLES` (what the poller
// reads). One pod start per round: no my.cnf (the family's defaults), all
// defaults written, all minimums, all maximums, then rounds that each hold
// at most one value of every enum, set and boolean variable (a collation
// with its character set). Each worker's volume is initialised at its first
// start and kept for its later ones; `apply: 'init'` values get workers of
// their own, as they would at a pod's first start.

jest.setTimeout(1_200_000);

type Family = ServerFamily;
type Config = Record<string, string>;

const FAMILIES: Family[] = ['mysql', 'mariadb'];
const IMAGES: Record<Family, string> = {
  mysql: 'mysql:9.7',
  mariadb: 'mariadb:10.11',
};
// Servers started side by side: MySQL spends most of a start and stop
// waiting on fsyncs, so several share two cores well.
const WORKERS: Record<Family, number> = { mysql: 3, mariadb: 2 };

function normalized(name: string, value: unknown): string {
  const result = validateMysqlConfig({ [name]: value });
  if (!result.valid) throw new Error(result.problems[0].message);
  return result.values[name];
}

function familyDefault(variable: MysqlVariable, family: Family): string {
  return normalized(
    variable.name,
    variable.defaultBy?.[family] ?? variable.default,
  );
}

/** Every value a variable can take from a list: enum and set members, ON and OFF. */
function listedValues(variable: MysqlVariable): readonly string[] {
  if (variable.type === 'boolean') return ['ON', 'OFF'];
  return variable.values ?? [];
}

function refused(variable: MysqlVariable, family: Family): readonly string[] {
  return variable.refusedBy?.[family] ?? [];
}

const charsets = mysqlVariables.find(v => v.name === 'character_set_server')!
  .values!;

function charsetOf(collation: string): string {
  return charsets.find(c => collation === c || collation.startsWith(`${c}_`))!;
}

/** One value, with what must be set beside it for the server to accept it. */
function fragment(variable: MysqlVariable, value: string): Config {
  return variable.name === 'collation_server'
    ? { character_set_server: charsetOf(value), collation_server: value }
    : { [variable.name]: value };
}

interface Round {
  name: string;
  config: Config;
  /** What each variable must read back; the config itself unless said. */
  expected: Config;
}

function valueRounds(family: Family): Config[] {
  const rounds: Config[] = [];
  for (const variable of mysqlVariables) {
    for (const value of listedValues(variable)) {
      if (refused(variable, family).includes(value)) continue;
      const part = fragment(variable, value);
      const fits = (round: Config) =>
        Object.entries(part).every(
          ([name, v]) => round[name] === undefined || round[name] === v,
        ) &&
        validateMysqlConfig({ ...round, ...part }, { image: IMAGES[family] })
          .valid;
      const round = rounds.find(fits);
      if (round) Object.assign(round, part);
      else rounds.push({ ...part });
    }
  }
  return rounds;
}

function roundsFor(family: Family): Round[] {
  const defaults = Object.fromEntries(
    mysqlVariables.map(v => [v.name, familyDefault(v, family)]),
  );
  const bounded = mysqlVariables.filter(
    v => v.min !== undefined && v.max !== undefined,
  );
  const at = (bound: 'min' | 'max') =>
    Object.fromEntries(
      bounded.map(v => [v.name, normalized(v.name, v[bound])]),
    );
  const plain = (name: string, config: Config): Round => ({
    name,
    config,
    expected: config,
  });
  return [
    { name: 'no my.cnf', config: {}, expected: defaults },
    plain('defaults', defaults),
    plain('minimums', at('min')),
    plain('maximums', at('max')),
    ...valueRounds(family).map((config, i) => plain(`values ${i + 1}`, config)),
  ];
}

/**
 * Values validation refuses for a family's images, each with the my.cnf
 * that shows the server's side: `refused` when the server will not start
 * with it, `lowered` when it starts and reads back something else.
 */
interface Refusal {
  name: string;
  config: Config;
  server: 'refused' | 'lowered';
}

function refusalsFor(family: Family): Refusal[] {
  const refusals: Refusal[] = [];
  for (const variable of mysqlVariables) {
    for (const value of refused(variable, family)) {
      refusals.push({
        name: `${variable.name}=${value}`,
        config: fragment(variable, value),
        server: 'refused',
      });
    }
  }
  // A collation alone must belong to the family's default character set.
  const collation = mysqlVariables.find(v => v.name === 'collation_server')!;
  const defaultCharset = familyDefault(
    mysqlVariables.find(v => v.name === 'character_set_server')!,
    family,
  );
  const foreign = collation.values!.find(
    c =>
      charsetOf(c) !== defaultCharset &&
      !refused(collation, family).includes(c),
  )!;
  refusals.push({
    name: `collation_server=${foreign} alone`,
    config: { collation_server: foreign },
    server: 'refused',
  });
  if (family === 'mariadb') {
    refusals.push({
      name: 'thread_cache_size above max_connections',
      config: { max_connections: '151', thread_cache_size: '152' },
      server: 'lowered',
    });
  }
  return refusals;
}

/** A datadir is initialised with the round's `apply: 'init'` values, when they are not the default. */
function initConfigOf(config: Config, family: Family): string {
  const init = mysqlVariables.filter(
    v =>
      v.apply === 'init' &&
      config[v.name] !== undefined &&
      !sameMysqlValue(v.name, config[v.name], familyDefault(v, family)),
  );
  return init.length === 0
    ? ''
    : renderMyCnf(Object.fromEntries(init.map(v => [v.name, config[v.name]])));
}

interface Reading {
  select: string;
  show: string;
}

interface Outcome {
  readings?: Record<string, Reading>;
  error?: string;
}

async function readVariables(
  server: PodMysqlServer,
): Promise<Record<string, Reading>> {
  const connection = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: 'root',
    password: '',
    supportBigNumbers: true,
    bigNumberStrings: true,
    // Beside the other integration suites, 2 cores can take seconds to
    // hand a connection over.
    connectTimeout: 60_000,
  });
  try {
    // The minimums round sets the global timeouts to 1 s, which would end
    // this session whenever a loaded machine pauses between two queries.
    await connection.query(
      'SET SESSION wait_timeout = 28800, net_read_timeout = 600, net_write_timeout = 600',
    );
    const readings: Record<string, Reading> = {};
    // One short statement per variable: the minimums round sets
    // max_allowed_packet to 1 KiB.
    for (const { name } of mysqlVariables) {
      const [selected] = (await connection.query(
        `SELECT @@GLOBAL.${name} AS value`,
      )) as any;
      const [shown] = (await connection.query('SHOW GLOBAL VARIABLES LIKE ?', [
        name,
      ])) as any;
      readings[name] = {
        select: String(selected[0].value),
        show: String(shown[0]?.Value),
      };
    }
    return readings;
  } finally {
    connection.destroy();
  }
}

interface Job {
  key: string;
  config: Config;
  done: (outcome: Outcome) => void;
}

/** The servers of one family: volumes by init config, several starts at a time. */
class FamilyRunner {
  private readonly servers: PodMysqlServer[] = [];
  private next = 0;
  starts = 0;

  constructor(
    readonly family: Family,
    private readonly kc: k8s.KubeConfig,
    private readonly namespace: string,
  ) {}

  get version() {
    return sandboxServerVersion(IMAGES[this.family]);
  }

  async run(jobs: Job[]) {
    const byKey = new Map<string, Job[]>();
    for (const job of jobs) {
      byKey.set(job.key, [...(byKey.get(job.key) ?? []), job]);
    }
    await Promise.all(
      [...byKey].map(async ([initConfig, queue]) => {
        const workers: PodMysqlServer[] = [];
        const count = Math.min(
          initConfig ? 1 : WORKERS[this.family],
          queue.length,
        );
        while (workers.length < count) {
          workers.push(
            await PodMysqlServer.create({
              kc: this.kc,
              family: this.family,
              name: `${this.family}-${this.next++}`,
              namespace: this.namespace,
            }),
          );
        }
        this.servers.push(...workers);
        await Promise.all(
          workers.map(server => this.work(server, queue, initConfig)),
        );
      }),
    );
  }

  private async work(server: PodMysqlServer, queue: Job[], initConfig: string) {
    // The first start initialises the volume's datadir with only the init
    // values in place, as a pod's first start does; a round's minimums or
    // maximums would not let MySQL bootstrap its system tables.
    let first = true;
    for (let job = queue.shift(); job; job = queue.shift()) {
      this.starts += 1;
      try {
        if (first) {
          await server.start(initConfig);
          await server.stop();
          first = false;
        }
        await server.start(renderMyCnf(job.config));
      } catch (error) {
        job.done({ error: `${error}\n${await server.lastErrors()}` });
        await server.stop();
        continue;
      }
      try {
        job.done({ readings: await readVariables(server) });
      } catch (error) {
        job.done({ error: `${error}\n${await server.lastErrors()}` });
      } finally {
        await server.stop();
      }
    }
  }

  async stop() {
    await Promise.all(this.servers.map(server => server.stop()));
  }
}

const rounds = new Map<Family, Round[]>(
  FAMILIES.map(family => [family, roundsFor(family)]),
);
const refusals = new Map<Family, Refusal[]>(
  FAMILIES.map(family => [family, refusalsFor(family)]),
);
const outcomes = new Map<string, Outcome>();
const runners: FamilyRunner[] = [];
const namespace = `conformance-${randomBytes(3).toString('hex')}`;
let core: k8s.CoreV1Api | undefined;

function keyOf(family: Family, kind: string, name: string) {
  return `${family}/${kind}/${name}`;
}

beforeAll(async () => {
  const started = Date.now();
  const { kc } = await useSandbox();
  core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await Promise.all(
    FAMILIES.map(async family => {
      const runner = new FamilyRunner(family, kc, namespace);
      runners.push(runner);
      const jobs: Job[] = [
        ...rounds.get(family)!.map(r => ({ kind: 'round', ...r })),
        ...refusals.get(family)!.map(r => ({ kind: 'refusal', ...r })),
      ].map(({ kind, name, config }) => ({
        key: initConfigOf(config, family),
        config,
        done: (outcome: Outcome) =>
          outcomes.set(keyOf(family, kind, name), outcome),
      }));
      await runner.run(jobs);
    }),
  );
  const took = ((Date.now() - started) / 1000).toFixed(1);
  const summary = runners
    .map(r => `${r.family} ${r.version}: ${r.starts} starts`)
    .join(', ');
  process.stderr.write(`[conformance] ${summary}; took ${took} s\n`);
});

afterAll(async () => {
  await Promise.all(runners.map(runner => runner.stop()));
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe.each(FAMILIES)('catalogue on %s', family => {
  const image = IMAGES[family];

  it('covers the minimum, default, maximum and every value of each variable', () => {
    const covered = new Set<string>();
    for (const round of rounds.get(family)!) {
      for (const [name, value] of Object.entries(round.config)) {
        covered.add(`${name}=${value}`);
      }
    }
    const wanted = mysqlVariables.flatMap(v => [
      `${v.name}=${familyDefault(v, family)}`,
      ...(v.min !== undefined
        ? [`${v.name}=${normalized(v.name, v.min)}`]
        : []),
      ...(v.max !== undefined
        ? [`${v.name}=${normalized(v.name, v.max)}`]
        : []),
      ...listedValues(v)
        .filter(value => !refused(v, family).includes(value))
        .map(value => `${v.name}=${value}`),
    ]);
    expect(wanted.filter(w => !covered.has(w))).toEqual([]);
  });

  it.each(rounds.get(family)!.map(r => [r.name, r] as const))(
    'validation accepts the %s round',
    (_name, round) => {
      expect(validateMysqlConfig(round.config, { image }).problems).toEqual([]);
    },
  );

  it.each(refusals.get(family)!.map(r => [r.name, r] as const))(
    'validation refuses %s',
    (_name, refusal) => {
      expect(validateMysqlConfig(refusal.config, { image }).valid).toBe(false);
    },
  );

  describe('on the real server', () => {
    it.each(rounds.get(family)!.map(r => [r.name, r] as const))(
      'starts with the %s round and reads back what it set',
      (name, round) => {
        const outcome = outcomes.get(keyOf(family, 'round', name))!;
        expect(outcome.error).toBeUndefined();
        const mismatches: string[] = [];
        for (const [variable, wanted] of Object.entries(round.expected)) {
          const read = outcome.readings![variable];
          for (const [how, value] of Object.entries(read)) {
            if (!sameMysqlValue(variable, wanted, value)) {
              mismatches.push(
                `${variable}: wrote ${wanted}, ${how} read ${value}`,
              );
            }
          }
        }
        expect(mismatches).toEqual([]);
      },
    );

    it.each(refusals.get(family)!.map(r => [r.name, r] as const))(
      'says no to %s too',
      (name, refusal) => {
        const outcome = outcomes.get(keyOf(family, 'refusal', name))!;
        // A refusing server names the value in its log.
        const value = Object.values(refusal.config).pop()!.toLowerCase();
        const lowered = Object.entries(refusal.config).some(
          ([variable, wanted]) =>
            !sameMysqlValue(
              variable,
              wanted,
              outcome.readings?.[variable].select ?? '',
            ),
        );
        let verdict = lowered ? 'lowered' : 'kept';
        if (outcome.error !== undefined) {
          verdict = outcome.error.toLowerCase().includes(value)
            ? 'refused'
            : outcome.error;
        }
        expect(verdict).toBe(refusal.server);
      },
    );
  });
});
