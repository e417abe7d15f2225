import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  MysqlBackupPolicy,
  MysqlBackupTarget,
} from '@mysql-portal/plugin-mysql-common';
import { CronTime } from 'cron';

/** One cluster's S3-compatible bucket for backups. */
export interface S3Settings {
  endpoint: string;
  bucket: string;
  region: string;
  prefix: string;
  /** Secret in each instance namespace with `access-key-id` and `secret-access-key`. */
  credentialsSecret: string;
}

/** `mysql.backups` and each cluster's `backups.s3`, with defaults. */
export interface BackupConfig {
  defaults: MysqlBackupPolicy;
  storageSize: string;
  storageClass?: string;
  timeoutSeconds: number;
  uploadImage: string;
  /** Seconds between two checks of running backups and schedules. */
  checkSeconds: number;
  s3: Map<string, S3Settings>;
}

/** The default schedule: every day at 03:00 UTC. */
export const DEFAULT_BACKUP_SCHEDULE = '0 3 * * *';

/** Throws an InputError naming `field` unless `schedule` is a five-field cron expression. */
export function checkSchedule(schedule: string, field: string) {
  const fields = schedule.trim().split(/\s+/);
  let problem = fields.length === 5 ? undefined : 'needs five fields';
  if (!problem) {
    try {
      // Parses it, and throws on what it cannot fire on.
      new CronTime(schedule, 'UTC').sendAt();
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  if (problem) {
    throw new InputError(
      `${field}: "${schedule}" is not a cron expression (minute hour day-of-month month day-of-week): ${problem}`,
    );
  }
}

/** Throws an InputError naming `field` unless `retention` is a whole number from 1 to 1000. */
export function checkRetention(retention: number, field: string) {
  if (!Number.isInteger(retention) || retention < 1 || retention > 1000) {
    throw new InputError(
      `${field}: keep between 1 and 1000 backups, not ${retention}`,
    );
  }
}

/** Throws an InputError naming `field` unless `target` is pvc or s3. */
export function checkTarget(
  target: string,
  field: string,
): asserts target is MysqlBackupTarget {
  if (target !== 'pvc' && target !== 's3') {
    throw new InputError(`${field}: the target is pvc or s3, not "${target}"`);
  }
}

/** Reads `mysql.backups` and `mysql.clusters[].backups.s3`. */
export function readBackupConfig(config: Config): BackupConfig {
  const backups = config.getOptionalConfig('mysql.backups');
  const defaults: MysqlBackupPolicy = {
    target: (backups?.getOptionalString('target') ??
      'pvc') as MysqlBackupTarget,
    schedule: backups?.getOptionalString('schedule') ?? DEFAULT_BACKUP_SCHEDULE,
    retention: backups?.getOptionalNumber('retention') ?? 7,
  };
  checkTarget(defaults.target, 'mysql.backups.target');
  checkSchedule(defaults.schedule, 'mysql.backups.schedule');
  checkRetention(defaults.retention, 'mysql.backups.retention');
  const s3 = new Map<string, S3Settings>();
  for (const cluster of config.getOptionalConfigArray('mysql.clusters') ?? []) {
    const settings = cluster.getOptionalConfig('backups.s3');
    if (!settings) continue;
    s3.set(cluster.getString('name'), {
      endpoint: settings.getString('endpoint').replace(/\/+$/, ''),
      bucket: settings.getString('bucket'),
      region: settings.getOptionalString('region') ?? 'us-east-1',
      prefix: settings.getOptionalString('prefix') ?? '',
      credentialsSecret: settings.getString('credentialsSecret'),
    });
  }
  return {
    defaults,
    storageSize: backups?.getOptionalString('storageSize') ?? '5Gi',
    storageClass: backups?.getOptionalString('storageClass'),
    timeoutSeconds: backups?.getOptionalNumber('timeoutSeconds') ?? 3600,
    uploadImage:
      backups?.getOptionalString('uploadImage') ?? 'curlimages/curl:8.11.1',
    checkSeconds: backups?.getOptionalNumber('checkSeconds') ?? 5,
    s3,
  };
}
