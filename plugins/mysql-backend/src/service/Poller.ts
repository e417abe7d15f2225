import { LoggerService } from '@backstage/backend-plugin-api';
import { mysqlVariables } from '@internal/plugin-mysql-common';
import { MysqlClusters } from '@internal/plugin-mysql-node';
import mysql from 'mysql2/promise';
import { InstanceCache, InstanceObjects } from './InstanceCache';
import { MysqlStore, Observation } from './MysqlStore';
import { readServerCredentials, serverAddress } from './serverAccess';

/** Poller settings from app-config. */
export interface PollerOptions {
  timeoutSeconds: number;
  concurrency: number;
}

const VARIABLE_NAMES = mysqlVariables.map(v => v.name);

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
) {
  let next = 0;
  const lanes = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length) {
        const item = items[next++];
        await work(item);
      }
    },
  );
  await Promise.all(lanes);
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${ms / 1000}s`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Reads what every instance really runs: VERSION(), @@version_comment, the
 * uptime and the catalogue's variables, as the monitoring user, whose
 * password is read from the instance Secret and never logged. One slow or
 * dead instance never delays the others: every connection has a timeout and
 * at most `concurrency` run at once.
 */
export class Poller {
  private readonly passwords = new Map<
    string,
    { user: string; password: string }
  >();

  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    private readonly options: PollerOptions,
  ) {}

  /** One poll cycle over every known instance. */
  async pollAll(): Promise<void> {
    const last = await this.store.listObservations();
    const silent = (inst: InstanceObjects) =>
      last.get(inst.ref)?.reachable === false ? 1 : 0;
    // Instances that did not answer last time go last: each may hold a lane
    // for the whole timeout, and the others should not wait behind it.
    const instances = this.cache.list().sort((a, b) => silent(a) - silent(b));
    await eachLimited(instances, this.options.concurrency, async inst => {
      const observation = await this.pollOne(inst);
      if (!observation.reachable) {
        this.logger.debug(`${inst.ref} did not answer: ${observation.error}`);
      }
    });
  }

  async pollOne(inst: InstanceObjects): Promise<Observation> {
    const polledAt = new Date().toISOString();
    const timeoutMs = this.options.timeoutSeconds * 1000;
    let observation: Observation;
    try {
      observation = await withTimeout(
        this.query(inst, timeoutMs),
        timeoutMs + 500,
        inst.ref,
      );
      observation.polledAt = polledAt;
    } catch (error) {
      observation = {
        reachable: false,
        variables: {},
        error: (error as Error).message,
        polledAt,
      };
    }
    const previous = await this.store.getObservation(inst.ref);
    if (
      observation.reachable &&
      observation.version &&
      previous?.version &&
      previous.version !== observation.version
    ) {
      await this.store.addHistory(inst.ref, {
        kind: 'version',
        message: `the server now runs ${observation.version} (was ${previous.version})`,
      });
    }
    // Keep the last known version and values of an unreachable server.
    if (!observation.reachable && previous) {
      observation = {
        ...previous,
        reachable: false,
        error: observation.error,
        polledAt,
      };
    }
    observation.statefulSetUid = inst.statefulSet.metadata?.uid;
    await this.store.saveObservation(inst.ref, observation);
    return observation;
  }

  private async credentials(inst: InstanceObjects, refresh: boolean) {
    const cached = this.passwords.get(inst.ref);
    if (cached && !refresh) return cached;
    const credentials = await readServerCredentials(
      this.clusters,
      inst,
      'monitor',
    );
    this.passwords.set(inst.ref, credentials);
    return credentials;
  }

  private async query(
    inst: InstanceObjects,
    timeoutMs: number,
  ): Promise<Observation> {
    const host = serverAddress(this.clusters, inst);
    let { user, password } = await this.credentials(inst, false);
    let connection: mysql.Connection;
    try {
      connection = await mysql.createConnection({
        host,
        port: 3306,
        user,
        password,
        connectTimeout: timeoutMs,
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ER_ACCESS_DENIED_ERROR')
        throw error;
      // The Secret may have been replaced since it was cached.
      ({ user, password } = await this.credentials(inst, true));
      connection = await mysql.createConnection({
        host,
        port: 3306,
        user,
        password,
        connectTimeout: timeoutMs,
      });
    }
    try {
      const [[info]] = (await connection.query(
        'SELECT VERSION() AS version, @@version_comment AS comment',
      )) as any;
      const [status] = (await connection.query(
        "SHOW GLOBAL STATUS LIKE 'Uptime'",
      )) as any;
      const [rows] = (await connection.query(
        `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${VARIABLE_NAMES.map(
          () => '?',
        ).join(',')})`,
        VARIABLE_NAMES,
      )) as any;
      return {
        reachable: true,
        version: info.version,
        versionComment: info.comment,
        uptimeSeconds: Number(status[0]?.Value ?? 0),
        variables: Object.fromEntries(
          rows.map((r: any) => [r.Variable_name, String(r.Value)]),
        ),
        polledAt: new Date().toISOString(),
      };
    } finally {
      connection.destroy();
    }
  }
}
