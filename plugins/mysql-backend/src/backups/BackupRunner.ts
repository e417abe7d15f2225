import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  MYSQL_LABELS,
  MYSQL_MANAGED_BY,
  MysqlBackup,
  MysqlBackupListResponse,
  MysqlBackupPolicy,
  UpdateMysqlBackupPolicyRequest,
} from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { InstanceCache } from '../service/InstanceCache';
import { InstanceRecord, InstanceRecords } from '../service/InstanceRecords';
import { describeKubernetesError, statusOf } from '../service/kubernetesErrors';
import { MysqlStore } from '../service/MysqlStore';
import { isReady } from '../service/rollout';
import {
  BackupConfig,
  checkRetention,
  checkSchedule,
  checkTarget,
} from './backupConfig';
import {
  BACKUP_OF_LABEL,
  BackupDestination,
  buildBackupJob,
  jobName,
} from './backupJob';
import { BackupRow, BackupStore } from './BackupStore';
import { ensureBackupUser } from './backupUser';
import { deleteEndedJob, jobOutcome } from './jobOutcome';
import { serverImage } from '../upgrade/upgradeState';
import { nextRun, staleness } from './schedule';
import { MysqlEvents } from '../MysqlEvents';

/** The claim that holds an instance's dumps when its target is `pvc`. */
export function backupClaimName(instance: string) {
  return `${instance.slice(0, 253 - 8)}-backups`;
}

/** A sortable, unique backup id: the UTC start time and four random hex digits. */
function newId(now = new Date()) {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** How long a recorded backup may wait for its Job before a missing Job fails it. */
const JOB_CREATION_GRACE_MS = 120_000;

/**
 * Takes logical backups with Kubernetes Jobs: on demand, on each
 * instance's schedule, and before upgrades and deletes. The database is
 * the source of truth for what runs: `check` (one replica at a time, from
 * the scheduler) follows each running backup's Job to its end, records
 * the outcome and deletes the Job.
 */
export class BackupRunner {
  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly records: InstanceRecords,
    private readonly backups: BackupStore,
    private readonly store: MysqlStore,
    private readonly config: BackupConfig,
    private readonly logger: LoggerService,
    /** Raises `backupStarted` and `backupFinished`. */
    private readonly events: MysqlEvents = new MysqlEvents(),
  ) {}

  batch(cluster: string): k8s.BatchV1Api {
    return this.clusters.client(cluster).batch;
  }

  async policy(ref: string): Promise<MysqlBackupPolicy> {
    const row = await this.backups.getPolicy(ref);
    return row
      ? { target: row.target, schedule: row.schedule, retention: row.retention }
      : { ...this.config.defaults };
  }

  /** Changes the policy of an instance; the schedule starts over from now. */
  async setPolicy(
    record: InstanceRecord,
    change: UpdateMysqlBackupPolicyRequest,
    actor?: string,
    field = 'body',
  ): Promise<MysqlBackupPolicy> {
    const policy = { ...(await this.policy(record.ref)), ...change };
    this.checkPolicy(policy, record.cluster, field);
    await this.backups.savePolicy(
      {
        ref: record.ref,
        ...policy,
        nextRunAt: nextRun(policy.schedule, new Date()).toISOString(),
      },
      actor,
    );
    return policy;
  }

  /** Throws a 400 naming the field unless `change` makes a valid policy for `cluster`. */
  checkPolicy(
    change: UpdateMysqlBackupPolicyRequest,
    cluster: string,
    field: string,
  ) {
    const policy = { ...this.config.defaults, ...change };
    checkTarget(policy.target, `${field}.target`);
    checkSchedule(policy.schedule, `${field}.schedule`);
    checkRetention(policy.retention, `${field}.retention`);
    if (policy.target === 's3') this.s3Of(cluster, `${field}.target`);
  }

  /** Forgets the policy and restore of a deleted instance; its backups stay listed for the record. */
  async forget(ref: string) {
    await this.backups.forget(ref);
  }

  private s3Of(cluster: string, field: string) {
    const s3 = this.config.s3.get(cluster);
    if (!s3) {
      throw new InputError(
        `${field}: cluster ${cluster} has no S3 storage for backups; set mysql.clusters[].backups.s3 in app-config or use pvc`,
      );
    }
    return s3;
  }

  /** Where the dumps of `record` go for `target`, and how a Job reaches them. */
  destination(record: InstanceRecord, target: MysqlBackupPolicy['target']) {
    if (target === 'pvc') {
      const claimName = backupClaimName(record.name);
      return {
        destination: { kind: 'pvc', claimName } as BackupDestination,
        location: (file: string) => `pvc://${claimName}/${file}`,
      };
    }
    const s3 = this.s3Of(record.cluster, 'target');
    const key = `${s3.prefix}${record.cluster}/${record.namespace}/${record.name}`;
    return {
      destination: {
        kind: 's3',
        url: `${s3.endpoint}/${s3.bucket}/${key}`,
        region: s3.region,
        credentialsSecret: s3.credentialsSecret,
        uploadImage: this.config.uploadImage,
      } as BackupDestination,
      location: (file: string) => `s3://${s3.bucket}/${key}/${file}`,
    };
  }

  /** The backups of `record`, newest first, with its policy and whether they are stale. */
  async list(record: InstanceRecord): Promise<MysqlBackupListResponse> {
    const rows = await this.backups.listBackups(record.ref, record.createdAt);
    const policy = await this.policy(record.ref);
    const lastCompletedAt = rows.find(
      b => b.status === 'Completed',
    )?.completedAt;
    return {
      items: rows.map(publicBackup),
      policy,
      lastCompletedAt,
      stale: staleness({
        schedule: policy.schedule,
        since: new Date(lastCompletedAt ?? record.readyAt ?? record.createdAt),
        lastCompleted: !!lastCompletedAt,
        graceLimitMs: this.config.timeoutSeconds * 1000,
      }),
    };
  }

  /**
   * Starts a backup of `record` now. 409 while the instance has no Ready
   * server or another backup of it runs.
   */
  async start(
    record: InstanceRecord,
    options: { trigger: MysqlBackup['trigger']; actor?: string },
  ): Promise<BackupRow> {
    const inst = this.cache.get(record.ref);
    if (!inst || !inst.pods.some(isReady)) {
      throw new ConflictError(
        `${record.ref} has no Ready server to back up; try again once it runs`,
      );
    }
    const existing = await this.backups.listBackups(record.ref);
    const running = existing.find(b => b.status === 'Running');
    if (running) {
      throw new ConflictError(
        `backup ${running.id} of ${record.ref} is still running; wait for it to end`,
      );
    }
    const policy = await this.policy(record.ref);
    const { destination, location } = this.destination(record, policy.target);
    const completed = existing.filter(
      b => b.status === 'Completed' && b.target === policy.target,
    );
    const prune = completed.slice(Math.max(0, policy.retention - 1));
    const id = newId();
    const backup: BackupRow = {
      id,
      ref: record.ref,
      status: 'Running',
      target: policy.target,
      location: location(`${id}.sql.gz`),
      trigger: options.trigger,
      actor: options.actor,
      jobName: jobName(record.name, 'backup', id),
      startedAt: new Date().toISOString(),
    };
    // Recorded first, so that whatever fails from here on is listed.
    await this.backups.addBackup(backup);
    try {
      await ensureBackupUser(this.clusters, inst);
      if (destination.kind === 'pvc') {
        await this.ensureClaim(record, destination.claimName);
      }
      const body = buildBackupJob({
        inst: {
          name: record.name,
          namespace: record.namespace,
          image: serverImage(inst.statefulSet),
        },
        id,
        destination,
        prune: prune.map(b => b.id),
        timeoutSeconds: this.config.timeoutSeconds,
      });
      await this.batch(record.cluster)
        .createNamespacedJob({ namespace: record.namespace, body })
        .catch(error => {
          throw describeKubernetesError(
            error,
            `creating Job ${record.namespace}/${backup.jobName}`,
          );
        });
    } catch (error) {
      const message = (error as Error).message;
      await this.backups.finishBackup(id, { status: 'Failed', message });
      await this.store.addHistory(record.ref, {
        kind: 'backup',
        actor: options.actor,
        message: `Backup ${id} failed: ${message}`,
      });
      this.events.emit('backupFinished', record, {
        ...backup,
        status: 'Failed',
        message,
        completedAt: new Date().toISOString(),
      });
      throw new ConflictError(
        `backup ${id} of ${record.ref} failed: ${message}`,
      );
    }
    this.logger.info(
      `backup ${id} of ${record.ref} started (${options.trigger})`,
    );
    this.events.emit('backupStarted', record, backup);
    return backup;
  }

  private async ensureClaim(record: InstanceRecord, name: string) {
    const { core } = this.clusters.client(record.cluster);
    try {
      await core.createNamespacedPersistentVolumeClaim({
        namespace: record.namespace,
        body: {
          metadata: {
            name,
            namespace: record.namespace,
            labels: {
              [MYSQL_LABELS.managedBy]: MYSQL_MANAGED_BY,
              [BACKUP_OF_LABEL]: record.name,
            },
          },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: this.config.storageClass,
            resources: { requests: { storage: this.config.storageSize } },
          },
        },
      });
    } catch (error) {
      if (statusOf(error) !== 409) {
        throw describeKubernetesError(
          error,
          `creating PersistentVolumeClaim ${record.namespace}/${name}`,
        );
      }
      const existing = await core.readNamespacedPersistentVolumeClaim({
        name,
        namespace: record.namespace,
      });
      if (existing.metadata?.labels?.[BACKUP_OF_LABEL] !== record.name) {
        throw new ConflictError(
          `PersistentVolumeClaim ${record.namespace}/${name} exists and is not the backup volume of ${record.ref}; nothing was backed up`,
        );
      }
    }
  }

  /** A backup of `record` by id, or 404. */
  async get(record: InstanceRecord, id: string): Promise<BackupRow> {
    const backup = await this.backups.getBackup(id);
    if (
      !backup ||
      backup.ref !== record.ref ||
      backup.startedAt < record.createdAt
    ) {
      throw new NotFoundError(`${record.ref} has no backup ${id}`);
    }
    return backup;
  }

  /** Follows every running backup's Job; ends those whose Job ended. */
  async check(): Promise<void> {
    for (const backup of await this.backups.listRunning()) {
      try {
        await this.checkOne(backup);
      } catch (error) {
        this.logger.warn(`checking backup ${backup.id}: ${error}`);
      }
    }
  }

  private async checkOne(backup: BackupRow) {
    const [cluster, namespace] = backup.ref.split('/');
    const outcome = await jobOutcome(
      this.batch(cluster),
      this.clusters.client(cluster).core,
      namespace,
      backup.jobName,
    );
    if (!outcome) return;
    // A backup is recorded before its Job is made (after the backup user
    // and the claim), so a missing Job is a lost one only after a while.
    if (
      outcome.missing &&
      Date.now() - Date.parse(backup.startedAt) < JOB_CREATION_GRACE_MS
    ) {
      return;
    }
    const sizeBytes = outcome.succeeded
      ? Number.parseInt(outcome.message ?? '', 10)
      : NaN;
    const finished = await this.backups.finishBackup(backup.id, {
      status: outcome.succeeded ? 'Completed' : 'Failed',
      sizeBytes: Number.isFinite(sizeBytes) ? sizeBytes : undefined,
      message: outcome.succeeded ? undefined : outcome.message,
    });
    if (!finished) return;
    if (outcome.succeeded) {
      const policy = await this.policy(backup.ref);
      const older = (await this.backups.listBackups(backup.ref)).filter(
        b =>
          b.status === 'Completed' &&
          b.target === backup.target &&
          b.id !== backup.id,
      );
      await this.backups.markPruned(
        older.slice(Math.max(0, policy.retention - 1)).map(b => b.id),
      );
    }
    const done = await this.backups.getBackup(backup.id);
    await this.store.addHistory(backup.ref, {
      kind: 'backup',
      actor: backup.actor,
      message: outcome.succeeded
        ? `Backup ${backup.id} completed (${done?.sizeBytes ?? '?'} bytes) at ${
            backup.location
          }`
        : `Backup ${backup.id} failed: ${outcome.message}`,
    });
    await deleteEndedJob(this.batch(cluster), namespace, backup.jobName);
    const record = this.records.get(backup.ref);
    if (record && done) this.events.emit('backupFinished', record, done);
  }

  /** Starts the backups whose scheduled time has come. */
  async runSchedules(now = new Date()): Promise<void> {
    const policies = await this.backups.listPolicies();
    for (const record of this.records.list()) {
      const inst = this.cache.get(record.ref);
      if (!inst || !inst.pods.some(isReady)) continue;
      let row = policies.get(record.ref);
      if (!row) {
        row = {
          ref: record.ref,
          ...this.config.defaults,
          nextRunAt: nextRun(this.config.defaults.schedule, now).toISOString(),
        };
        await this.backups.savePolicy(row);
        continue;
      }
      if (row.nextRunAt && new Date(row.nextRunAt) > now) continue;
      const next = nextRun(row.schedule, now).toISOString();
      if (
        !(await this.backups.advanceSchedule(record.ref, row.nextRunAt, next))
      )
        continue;
      await this.start(record, { trigger: 'schedule' }).catch(error =>
        this.logger.warn(`scheduled backup of ${record.ref}: ${error}`),
      );
    }
  }
}

function publicBackup(row: BackupRow): MysqlBackup {
  const { ref, target, jobName: _job, prunedAt, ...backup } = row;
  return backup;
}
