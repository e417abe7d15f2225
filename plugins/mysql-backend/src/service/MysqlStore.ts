import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  MysqlHistoryEntry,
  MysqlInstancePhase,
  MysqlInstanceStatus,
} from '@internal/plugin-mysql-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-mysql-backend',
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
  static async create(database: DatabaseService): Promise<MysqlStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new MysqlStore(client);
  }

  constructor(private readonly db: Knex) {}

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

  async addHistory(
    ref: string,
    entry: Omit<MysqlHistoryEntry, 'at'> & { at?: string },
  ) {
    await this.db('mysql_history').insert({
      instance_ref: ref,
      at: new Date(entry.at ?? Date.now()),
      kind: entry.kind,
      actor: entry.actor ?? null,
      message: entry.message,
    });
  }

  async listHistory(
    ref: string,
    limit = HISTORY_LIMIT,
  ): Promise<MysqlHistoryEntry[]> {
    const rows = await this.db('mysql_history')
      .where({ instance_ref: ref })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(row => ({
      at: new Date(row.at).toISOString(),
      kind: row.kind,
      actor: row.actor ?? undefined,
      message: row.message,
    }));
  }

  /** Records the phase; `since` moves only when the phase changes. */
  async setStatus(
    ref: string,
    phase: MysqlInstancePhase,
    message?: string,
  ): Promise<MysqlInstanceStatus> {
    const current = await this.db('mysql_status')
      .where({ instance_ref: ref })
      .first();
    if (
      current &&
      current.phase === phase &&
      (current.message ?? undefined) === message
    ) {
      return { phase, message, since: new Date(current.since).toISOString() };
    }
    const since =
      current && current.phase === phase ? new Date(current.since) : new Date();
    await this.db('mysql_status')
      .insert({ instance_ref: ref, phase, message: message ?? null, since })
      .onConflict('instance_ref')
      .merge();
    return { phase, message, since: since.toISOString() };
  }

  /** Drops everything kept about `ref`, before a new instance takes the name. */
  async forget(ref: string) {
    for (const table of [
      'mysql_observations',
      'mysql_status',
      'mysql_history',
    ]) {
      await this.db(table).where({ instance_ref: ref }).delete();
    }
  }

  async getStatus(ref: string): Promise<MysqlInstanceStatus | undefined> {
    const row = await this.db('mysql_status')
      .where({ instance_ref: ref })
      .first();
    return row
      ? {
          phase: row.phase,
          message: row.message ?? undefined,
          since: new Date(row.since).toISOString(),
        }
      : undefined;
  }
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
