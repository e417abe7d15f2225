import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  MysqlHistoryEntry,
  MysqlInstanceStatus,
} from '@mysql-portal/plugin-mysql-common';
import { Knex } from 'knex';
import { MysqlEvents } from '../MysqlEvents';

const migrationsDir = resolvePackagePath(
  '@mysql-portal/plugin-mysql-backend',
  'migrations',
);

/** The latest poll of one instance. */
export interface Observation {
  reachable: boolean;
  version?: string;
  versionComment?: string;
  uptimeSeconds?: number;
  variables: Record<string, string>;
  error?: string;
  polledAt: string;
  /** The StatefulSet whose server was polled; a new one makes this stale. */
  statefulSetUid?: string;
}

const HISTORY_LIMIT = 50;

/** What the backend keeps in its database: observations, history, phases. */
export class MysqlStore {
  static async create(
    database: DatabaseService,
    events?: MysqlEvents,
  ): Promise<MysqlStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new MysqlStore(client, events);
  }

  /** `historyAdded` is raised for each entry this replica adds, once saved. */
  constructor(
    private readonly db: Knex,
    private readonly events: MysqlEvents = new MysqlEvents(),
  ) {}

  async saveObservation(ref: string, observation: Observation) {
    const row = {
      instance_ref: ref,
      reachable: observation.reachable,
      version: observation.version ?? null,
      version_comment: observation.versionComment ?? null,
      uptime_seconds: observation.uptimeSeconds ?? null,
      variables: JSON.stringify(observation.variables),
      error: observation.error ?? null,
      polled_at: new Date(observation.polledAt),
      statefulset_uid: observation.statefulSetUid ?? null,
    };
    await this.db('mysql_observations')
      .insert(row)
      .onConflict('instance_ref')
      .merge();
  }

  async getObservation(ref: string): Promise<Observation | undefined> {
    const row = await this.db('mysql_observations')
      .where({ instance_ref: ref })
      .first();
    return row ? toObservation(row) : undefined;
  }

  async listObservations(): Promise<Map<string, Observation>> {
    const rows = await this.db('mysql_observations').select();
    return new Map(rows.map(row => [row.instance_ref, toObservation(row)]));
  }

  /** Asks the replica that polls to poll `ref` at its next tick. */
  async requestPoll(ref: string) {
    await this.db('mysql_poll_requests')
      .insert({ instance_ref: ref, requested_at: new Date() })
      .onConflict('instance_ref')
      .merge();
  }

  /** The instances whose poll was asked for; the requests are removed. */
  async takePollRequests(): Promise<Set<string>> {
    return this.db.transaction(async tx => {
      const rows = await tx('mysql_poll_requests').select('instance_ref');
      if (rows.length === 0) return new Set<string>();
      const refs = rows.map(row => row.instance_ref as string);
      await tx('mysql_poll_requests').whereIn('instance_ref', refs).delete();
      return new Set(refs);
    });
  }

  /**
   * Adds an entry to the history of `ref`. With `eventKey`, only the first
   * entry of that key is kept, whichever replica writes it; returns whether
   * this one was.
   */
  async addHistory(
    ref: string,
    entry: Omit<MysqlHistoryEntry, 'at'> & { at?: string },
    eventKey?: string,
  ): Promise<boolean> {
    const row = {
      instance_ref: ref,
      at: new Date(entry.at ?? Date.now()),
      kind: entry.kind,
      actor: entry.actor ?? null,
      message: entry.message,
      event_key: eventKey ?? null,
    };
    try {
      await this.db('mysql_history').insert(row);
    } catch (error) {
      // The unique key refused it: another replica wrote this event first.
      const taken =
        eventKey &&
        (await this.db('mysql_history').where({ event_key: eventKey }).first());
      if (taken) return false;
      throw error;
    }
    this.events.emit('historyAdded', ref);
    return true;
  }

  /** The newest entries of `ref`; with `since`, only those from then on. */
  async listHistory(
    ref: string,
    options: { since?: string; limit?: number } = {},
  ): Promise<MysqlHistoryEntry[]> {
    const query = this.db('mysql_history').where({ instance_ref: ref });
    if (options.since) query.where('at', '>=', new Date(options.since));
    const rows = await query
      .orderBy('id', 'desc')
      .limit(options.limit ?? HISTORY_LIMIT);
    return rows.map(row => ({
      at: new Date(row.at).toISOString(),
      kind: row.kind,
      actor: row.actor ?? undefined,
      message: row.message,
    }));
  }

  /** Records the phases that changed since they were last written. */
  async saveStatuses(statuses: Map<string, MysqlInstanceStatus>) {
    for (const [ref, status] of statuses) {
      await this.db('mysql_status')
        .insert({
          instance_ref: ref,
          phase: status.phase,
          message: status.message ?? null,
          since: new Date(status.since),
        })
        .onConflict('instance_ref')
        .merge();
    }
  }

  /** Every recorded phase, by instance ref. */
  async listStatuses(): Promise<Map<string, MysqlInstanceStatus>> {
    const rows = await this.db('mysql_status').select();
    return new Map(rows.map(row => [row.instance_ref, toStatus(row)]));
  }

  /**
   * Drops what was observed of `ref`, before a new instance takes the name.
   * Its history stays; a namesake's history starts at its record's
   * `createdAt`.
   */
  async forget(ref: string) {
    for (const table of [
      'mysql_observations',
      'mysql_status',
      'mysql_poll_requests',
    ]) {
      await this.db(table).where({ instance_ref: ref }).delete();
    }
  }
}

function toStatus(row: any): MysqlInstanceStatus {
  return {
    phase: row.phase,
    message: row.message ?? undefined,
    since: new Date(row.since).toISOString(),
  };
}

function toObservation(row: any): Observation {
  return {
    reachable: Boolean(row.reachable),
    version: row.version ?? undefined,
    versionComment: row.version_comment ?? undefined,
    uptimeSeconds:
      row.uptime_seconds === null ? undefined : Number(row.uptime_seconds),
    variables: row.variables ? JSON.parse(row.variables) : {},
    error: row.error ?? undefined,
    polledAt: new Date(row.polled_at).toISOString(),
    statefulSetUid: row.statefulset_uid ?? undefined,
  };
}
