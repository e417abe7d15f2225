import {
  MysqlBackup,
  MysqlBackupPolicy,
  formatSize,
} from '@mysql-portal/plugin-mysql-common';
import { formatDuration } from '../time';

/** A dump's size: `256M` when a unit divides it exactly, else `1536 bytes`. */
export function backupSize(bytes: number | undefined): string {
  if (bytes === undefined) {
    return '–';
  }
  const size = formatSize(bytes);
  return /^\d+$/.test(size) ? `${size} bytes` : size;
}

/** How long a backup took, or has been running so far. */
export function backupDuration(backup: MysqlBackup, now: Date): string {
  const end = backup.completedAt ? Date.parse(backup.completedAt) : undefined;
  const seconds =
    ((end ?? now.getTime()) - Date.parse(backup.startedAt)) / 1000;
  if (end === undefined) {
    return backup.status === 'Running'
      ? `running for ${formatDuration(seconds)}`
      : '–';
  }
  return formatDuration(seconds);
}

/**
 * The policy as one plain line: `schedule 0 3 * * * (UTC) · keeps 7 · pvc`.
 * The cron expression stays as written: the card has no cron parser.
 */
export function policyText(policy: MysqlBackupPolicy): string {
  return `schedule ${policy.schedule} (UTC) · keeps ${policy.retention} · ${policy.target}`;
}
