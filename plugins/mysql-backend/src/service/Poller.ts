import { LoggerService } from '@backstage/backend-plugin-api';
import { assertError } from '@backstage/errors';
import { mysqlVariables } from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { InstanceCache, InstanceObjects } from './InstanceCache';
import { MysqlStore, Observation } from './MysqlStore';
import { queryServer, ServerQuery } from './queryServer';
import { containerRestartMessage, readRollout } from './rollout';
import { readServerCredentials, serverAddress } from './serverAccess';
import { MysqlEvents } from '../MysqlEvents';

/** Poller settings from app-config. */
export interface PollerOptions {
  /** Seconds between two polls of one instance. */
  frequencySeconds: number;
  /** Seconds one instance may take, connection and queries together. */
  timeoutSeconds: number;
  /** Servers polled at once: the most sockets the poller holds. */
  concurrency: number;
}

const VARIABLE_NAMES = mysqlVariables.map(v => v.name);

const QUERIES: ServerQuery[] = [
  { sql: 'SELECT VERSION() AS version, @@version_comment AS comment' },
  { sql: "SHOW GLOBAL STATUS LIKE 'Uptime'" },
  {
    sql: `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${VARIABLE_NAMES.map(
      () => '?',
    ).join(',')})`,
    values: VARIABLE_NAMES,
  },
];

/** Runs `work` over `items`, at most `limit` at a time, until `signal` aborts. */
async function eachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
) {
  let next = 0;
  const lanes = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length && !signal?.aborted) {
        const item = items[next++];
        await work(item);
      }
    },
  );
  await Promise.all(lanes);
}

/**
 * Reads what every instance really runs: VERSION(), @@version_comment, the
 * uptime and the catalogue's variables, as the monitoring user, whose
 * password is read from the instance Secret and never logged.
 *
 * Every poll goes through `pollDue`, which the plugin runs as one global
 * scheduled task, so one replica polls and one limiter bounds the sockets.
 * Others ask for a poll with `requestPoll`. A connection and its queries
 * share one deadline, after which the socket is destroyed, and up to
 * `concurrency` servers are polled at once, silent ones last, so that a
 * server that never answers holds one lane for one timeout and no more.
 */
export class Poller {
  /** Credentials by StatefulSet UID: a namesake made again reads its own. */
  private readonly credentials = new Map<
    string,
    { user: string; password: string }
  >();
  private last?: Map<string, Observation>;
  /** The server container's restart count, by pod UID, as last polled. */
  private readonly restartCounts = new Map<string, number>();

  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    private readonly options: PollerOptions,
    /** Raises `polled`, with the poll before it of the same StatefulSet. */
    private readonly events: MysqlEvents = new MysqlEvents(),
  ) {}

  /** Asks for a poll of `ref` at the next tick, on whichever replica polls. */
  async requestPoll(ref: string): Promise<void> {
    await this.store.requestPoll(ref);
  }

  /**
   * One tick of the global poll task: polls every instance whose last poll
   * is older than the frequency, or whose poll was asked for. Returns how
   * many it polled.
   */
  async pollDue(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return 0;
    const last = await this.lastObservations();
    const requested = await this.store.takePollRequests();
    const now = Date.now();
    const period = this.options.frequencySeconds * 1000;
    const due = this.cache.list().filter(inst => {
      const polledAt = last.get(inst.ref)?.polledAt;
      return (
        requested.has(inst.ref) ||
        !polledAt ||
        now - new Date(polledAt).getTime() >= period - 1000
      );
    });
    await this.pollMany(due, signal);
    return due.length;
  }

  private async lastObservations() {
    this.last ??= await this.store.listObservations();
    // Drop what is kept of instances that are gone.
    const known = new Set(this.cache.list().map(inst => inst.ref));
    for (const ref of this.last.keys()) {
      if (!known.has(ref)) this.last.delete(ref);
    }
    const uids = new Set(
      this.cache.listAll().map(inst => inst.statefulSet.metadata?.uid),
    );
    for (const uid of this.credentials.keys()) {
      if (!uids.has(uid)) this.credentials.delete(uid);
    }
    const pods = new Set(
      this.cache
        .listAll()
        .flatMap(inst => inst.pods.map(pod => pod.metadata?.uid)),
    );
    for (const uid of this.restartCounts.keys()) {
      if (!pods.has(uid)) this.restartCounts.delete(uid);
    }
    return this.last;
  }

  private async pollMany(instances: InstanceObjects[], signal?: AbortSignal) {
    const last = this.last ?? new Map<string, Observation>();
    const silent = (inst: InstanceObjects) =>
      last.get(inst.ref)?.reachable === false ? 1 : 0;
    // Instances that did not answer last time go last: each may hold a lane
    // for the whole timeout, and the others should not wait behind it.
    const ordered = [...instances].sort((a, b) => silent(a) - silent(b));
    await eachLimited(
      ordered,
      this.options.concurrency,
      async inst => {
        const observation = await this.pollOne(inst);
        if (!observation.reachable) {
          this.logger.debug(`${inst.ref} did not answer: ${observation.error}`);
        }
      },
      signal,
    );
  }

  private async pollOne(inst: InstanceObjects): Promise<Observation> {
    const polledAt = new Date().toISOString();
    let observation: Observation;
    try {
      observation = { ...(await this.query(inst)), polledAt };
    } catch (error) {
      assertError(error);
      observation = {
        reachable: false,
        variables: {},
        error: error.message,
        polledAt,
      };
    }
    const uid = inst.statefulSet.metadata?.uid;
    const kept = this.last?.get(inst.ref);
    const previous = kept?.statefulSetUid === uid ? kept : undefined;
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
    await this.noteRestarts(inst);
    // Keep the last known version and values of an unreachable server.
    if (!observation.reachable && previous) {
      observation = {
        ...previous,
        reachable: false,
        error: observation.error,
        polledAt,
      };
    }
    observation.statefulSetUid = uid;
    await this.store.saveObservation(inst.ref, observation);
    this.last?.set(inst.ref, observation);
    this.events.emit('polled', inst.ref, observation, previous);
    return observation;
  }

  /**
   * Adds to the history each time the kubelet restarted the server's
   * container in place since the last poll (a crash, an OOM kill), outside
   * rollouts, which make new pods and report their own failures. Restarts
   * while no replica polled go unnoticed.
   */
  private async noteRestarts(inst: InstanceObjects) {
    for (const pod of inst.pods) {
      const uid = pod.metadata?.uid;
      const count = pod.status?.containerStatuses?.[0]?.restartCount;
      if (!uid || count === undefined) continue;
      const seen = this.restartCounts.get(uid);
      this.restartCounts.set(uid, count);
      if (seen === undefined || count <= seen) continue;
      if (readRollout(inst.statefulSet)) continue;
      const restart = containerRestartMessage([pod]);
      if (restart) {
        await this.store.addHistory(inst.ref, { kind: 'restart', ...restart });
      }
    }
  }

  private async readCredentials(inst: InstanceObjects, refresh: boolean) {
    const uid = inst.statefulSet.metadata?.uid ?? inst.ref;
    const cached = this.credentials.get(uid);
    if (cached && !refresh) return cached;
    const credentials = await readServerCredentials(
      this.clusters,
      inst,
      'monitor',
    );
    this.credentials.set(uid, credentials);
    return credentials;
  }

  private async query(
    inst: InstanceObjects,
  ): Promise<Omit<Observation, 'polledAt'>> {
    const host = serverAddress(this.clusters, inst);
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const run = async (refresh: boolean) =>
      queryServer({
        host,
        ...(await this.readCredentials(inst, refresh)),
        timeoutMs,
        queries: QUERIES,
      });
    let results;
    try {
      results = await run(false);
    } catch (error) {
      // The Secret was rotated since it was read: read it again, once.
      if ((error as { code?: string }).code !== 'ER_ACCESS_DENIED_ERROR')
        throw error;
      results = await run(true);
    }
    const [[info], status, rows] = results as any[];
    return {
      reachable: true,
      version: info.version,
      versionComment: info.comment,
      uptimeSeconds: Number(status[0]?.Value ?? 0),
      variables: Object.fromEntries(
        rows.map((r: any) => [r.Variable_name, String(r.Value)]),
      ),
    };
  }
}
