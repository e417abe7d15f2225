import { MysqlBackup } from '@mysql-portal/plugin-mysql-common';
import { InstanceRecord } from '../service/InstanceRecords';
import { BackupRunner } from './BackupRunner';
import { BackupStore } from './BackupStore';

/**
 * The backup that work which starts with one (an upgrade, a delete with a
 * final backup) asked for at `since`: its own, if one of its trigger
 * started since (the write of its id lost a race); else a new one; or
 * undefined while another backup runs, since this one must start after
 * it. Throws when the backup cannot start.
 */
export async function startBackupAfter(
  runner: BackupRunner,
  store: BackupStore,
  record: InstanceRecord,
  options: { trigger: MysqlBackup['trigger']; actor?: string; since: string },
): Promise<string | undefined> {
  const backups = await store.listBackups(record.ref);
  const ours = backups.find(
    b => b.trigger === options.trigger && b.startedAt >= options.since,
  );
  if (ours) return ours.id;
  if (backups.some(b => b.status === 'Running')) return undefined;
  const started = await runner.start(record, {
    trigger: options.trigger,
    actor: options.actor,
  });
  return started.id;
}
