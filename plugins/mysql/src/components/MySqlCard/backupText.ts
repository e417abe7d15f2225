import {
  MysqlBackup,
  MysqlBackupPolicy,
} from '@mysql-portal/plugin-mysql-common';
import { formatDuration } from '../time';

const SIZE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A dump's size as people read it: `506 bytes`, `12.1 KiB`, `310 MiB`
 * (three significant digits at most); the exact count is the cell's title.
 */
export function backupSize(bytes: number | undefined): string {
  if (bytes === undefined) {
    return '–';
  }
  if (bytes < 1024) {
    return `${bytes} bytes`;
  }
  let value = bytes;
  let unit = SIZE_UNITS[0];
  for (unit of SIZE_UNITS) {
    value /= 1024;
    if (value < 1024) break;
  }
  return `${
    value < 100 ? Number(value.toFixed(1)) : Math.round(value)
  } ${unit}`;
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
