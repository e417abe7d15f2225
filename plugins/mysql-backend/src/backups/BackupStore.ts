import {
  MysqlBackup,
  MysqlBackupPolicy,
  MysqlBackupStatus,
  MysqlBackupTarget,
  MysqlRestoreStatus,
} from '@mysql-portal/plugin-mysql-common';
import { Knex } from 'knex';

/** A backup as the backend keeps it: the API's fields and its Job. */
export interface BackupRow extends MysqlBackup {
  ref: string;
  target: MysqlBackupTarget;
  jobName: string;
  prunedAt?: string;
}

/** A policy row, with when the schedule fires next. */
export interface PolicyRow extends MysqlBackupPolicy {
  ref: string;
  nextRunAt?: string;
}

/** The restore of one new instance from a backup. */
export interface RestoreRow extends MysqlRestoreStatus {
  ref: string;
  jobName?: string;
  createdAt: string;
}

const iso = (value: unknown) =>
  value ? new Date(value as string).toISOString() : undefined;

function toBackup(row: any): BackupRow {
  return {
    id: row.id,
    ref: row.instance_ref,
    status: row.status,
    target: row.target,
    location: row.location,
    trigger: row.trigger,
    actor: row.actor ?? undefined,
    jobName: row.job_name,
    startedAt: iso(row.started_at)!,
    completedAt: iso(row.completed_at),
    sizeBytes: row.size_bytes === null ? undefined : Number(row.size_bytes),
    message: row.message ?? undefined,
    prunedAt: iso(row.pruned_at),
  };
}

function toPolicy(row: any): PolicyRow {
  return {
    ref: row.instance_ref,
    target: row.target,
    schedule: row.schedule,
    retention: Number(row.retention),
    nextRunAt: iso(row.next_run_at),
  };
}

function toRestore(row: any): RestoreRow {
  return {
    ref: row.instance_ref,
    source: { instance: row.source_ref, backup: row.backup_id },
    status: row.status,
    jobName: row.job_name ?? undefined,
    message: row.message ?? undefined,
    createdAt: iso(row.created_at)!,
  };
}

/** The backend's tables of backups, backup policies and restores. */
export class BackupStore {
  constructor(private readonly db: Knex) {}

  async addBackup(backup: BackupRow) {
    await this.db('mysql_backups').insert({
      id: backup.id,
      instance_ref: backup.ref,
      status: backup.status,
      target: backup.target,
      location: backup.location,
      trigger: backup.trigger,
      actor: backup.actor ?? null,
      job_name: backup.jobName,
      started_at: new Date(backup.startedAt),
    });
  }

  /** Ends a running backup; false if it was no longer running. */
  async finishBackup(
    id: string,
    result: {
      status: Exclude<MysqlBackupStatus, 'Running'>;
      sizeBytes?: number;
      message?: string;
    },
  ): Promise<boolean> {
    const changed = await this.db('mysql_backups')
      .where({ id, status: 'Running' })
      .update({
        status: result.status,
        completed_at: new Date(),
        size_bytes: result.sizeBytes ?? null,
        message: result.message ?? null,
      });
    return changed > 0;
  }

  async markPruned(ids: string[]) {
    if (ids.length === 0) return;
    await this.db('mysql_backups')
      .whereIn('id', ids)
      .update({ pruned_at: new Date() });
  }

  async getBackup(id: string): Promise<BackupRow | undefined> {
    const row = await this.db('mysql_backups').where({ id }).first();
    return row ? toBackup(row) : undefined;
  }

  /** The backups of `ref` still on their target, newest first. */
  async listBackups(ref: string, since?: string): Promise<BackupRow[]> {
    const query = this.db('mysql_backups')
      .where({ instance_ref: ref })
      .whereNull('pruned_at');
    if (since) query.where('started_at', '>=', new Date(since));
    const rows = await query.orderBy('started_at', 'desc');
    return rows.map(toBackup);
  }

  /**
   * When each instance's last completed backup (still on its target)
   * completed, by instance ref: one query for the whole fleet. A ref may
   * have had an earlier namesake; callers compare with the record's
   * `createdAt`.
   */
  async lastCompletedBackups(): Promise<Map<string, string>> {
    const rows = await this.db('mysql_backups')
      .where({ status: 'Completed' })
      .whereNull('pruned_at')
      .whereNotNull('completed_at')
      .groupBy('instance_ref')
      .select('instance_ref')
      .max({ completed_at: 'completed_at' });
    return new Map(
      rows.map((row: any) => [row.instance_ref, iso(row.completed_at)!]),
    );
  }

  async listRunning(): Promise<BackupRow[]> {
    const rows = await this.db('mysql_backups').where({ status: 'Running' });
    return rows.map(toBackup);
  }

  async getPolicy(ref: string): Promise<PolicyRow | undefined> {
    const row = await this.db('mysql_backup_policies')
      .where({ instance_ref: ref })
      .first();
    return row ? toPolicy(row) : undefined;
  }

  /** Every policy row, by instance ref: one query for all schedules. */
  async listPolicies(): Promise<Map<string, PolicyRow>> {
    const rows = await this.db('mysql_backup_policies').select();
    return new Map(rows.map(row => [row.instance_ref, toPolicy(row)]));
  }

  async savePolicy(policy: PolicyRow, updatedBy?: string) {
    await this.db('mysql_backup_policies')
      .insert({
        instance_ref: policy.ref,
        target: policy.target,
        schedule: policy.schedule,
        retention: policy.retention,
        next_run_at: policy.nextRunAt ? new Date(policy.nextRunAt) : null,
        updated_by: updatedBy ?? null,
      })
      .onConflict('instance_ref')
      .merge();
  }

  /**
   * Moves the schedule of `ref` from `from` to `to`; false when another
   * replica moved it first, so each scheduled run starts once.
   */
  async advanceSchedule(ref: string, from: string | undefined, to: string) {
    const query = this.db('mysql_backup_policies').where({ instance_ref: ref });
    if (from) query.where({ next_run_at: new Date(from) });
    else query.whereNull('next_run_at');
    return (await query.update({ next_run_at: new Date(to) })) > 0;
  }

  /** Records a restore; false when `ref` has one already (a repeated request). */
  async addRestore(restore: RestoreRow): Promise<boolean> {
    const existing = await this.db('mysql_restores')
      .where({ instance_ref: restore.ref })
      .first();
    if (existing) return false;
    await this.db('mysql_restores')
      .insert({
        instance_ref: restore.ref,
        source_ref: restore.source.instance,
        backup_id: restore.source.backup,
        status: restore.status,
        created_at: new Date(restore.createdAt),
      })
      .onConflict('instance_ref')
      .ignore();
    return true;
  }

  async updateRestore(
    ref: string,
    from: MysqlRestoreStatus['status'],
    change: Partial<Pick<RestoreRow, 'status' | 'jobName' | 'message'>>,
  ): Promise<boolean> {
    const changed = await this.db('mysql_restores')
      .where({ instance_ref: ref, status: from })
      .update({
        ...(change.status && { status: change.status }),
        ...(change.jobName && { job_name: change.jobName }),
        ...(change.message !== undefined && { message: change.message }),
        ...(change.status === 'Completed' || change.status === 'Failed'
          ? { completed_at: new Date() }
          : {}),
      });
    return changed > 0;
  }

  async getRestore(ref: string): Promise<RestoreRow | undefined> {
    const row = await this.db('mysql_restores')
      .where({ instance_ref: ref })
      .first();
    return row ? toRestore(row) : undefined;
  }

  async listActiveRestores(): Promise<RestoreRow[]> {
    const rows = await this.db('mysql_restores').whereIn('status', [
      'Pending',
      'Running',
    ]);
    return rows.map(toRestore);
  }

  /** Forgets what belongs to a deleted instance, except its backups' rows. */
  async forget(ref: string) {
    await this.db('mysql_backup_policies')
      .where({ instance_ref: ref })
      .delete();
    await this.db('mysql_restores').where({ instance_ref: ref }).delete();
  }
}
