import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  MysqlInstanceStatus,
  MysqlUpgradeStatus,
} from '@mysql-portal/plugin-mysql-common';
import { BackupRow } from '../backups/BackupStore';
import { InstanceObjects } from '../service/InstanceCache';
import { InstanceRecord } from '../service/InstanceRecords';
import {
  backupFailedNotice,
  degradedKey,
  degradedNotice,
  Notice,
  rollbackNotice,
  upgradeNotice,
} from './notices';
import { NoticeStore } from './NoticeStore';

/**
 * Tells an instance's owners what they should know without opening its
 * page: that it turned Degraded, that a configuration or an upgrade was
 * rolled back, that a backup failed, that an upgrade ended. The recipient
 * is the instance's entity, which the notifications backend resolves to
 * its owner (the users of an owning group).
 *
 * The events come from wherever they happen (the reconciler on any
 * replica, the global backup and poll tasks, a request): each is claimed
 * with a row in the database before it is sent, so it reaches the owner
 * once, even with several replicas.
 */
export class OwnerNotifier {
  constructor(
    private readonly notifications: NotificationService,
    private readonly notices: NoticeStore,
    private readonly recordOf: (ref: string) => InstanceRecord | undefined,
    private readonly objectsOf: (ref: string) => InstanceObjects | undefined,
    private readonly logger: LoggerService,
  ) {}

  /** Sends `notice` to the owners of `record`, unless another replica or an earlier call did. */
  async tell(record: InstanceRecord, notice: Notice): Promise<boolean> {
    if (!(await this.notices.claim(notice.key, record.ref))) return false;
    try {
      await this.notifications.send({
        recipients: { type: 'entity', entityRef: record.entityRef },
        payload: notice.payload,
      });
    } catch (error) {
      // The event stays claimed: a notification lost is better than one
      // sent twice, and the card and the history still tell it.
      this.logger.warn(
        `could not notify the owners of ${record.ref} (${notice.key}): ${error}`,
      );
      return false;
    }
    return true;
  }

  /** Errors are logged, never thrown: a notification must not stop the work that caused it. */
  private quietly(what: string, work: () => Promise<unknown>) {
    return work().then(
      () => undefined,
      error => this.logger.warn(`notifying ${what}: ${error}`),
    );
  }

  /**
   * The phases that changed: a Degraded instance is told once per spell
   * (claimed when it turns Degraded, released when it is something else).
   */
  async statusesChanged(changed: Map<string, MysqlInstanceStatus>) {
    for (const [ref, status] of changed) {
      const record = this.recordOf(ref);
      if (!record) continue;
      await this.quietly(`the phase of ${ref}`, async () => {
        if (status.phase !== 'Degraded') {
          await this.notices.release(degradedKey(record));
          return;
        }
        const notice = degradedNotice(
          record,
          status.message,
          this.objectsOf(ref),
        );
        if (notice) await this.tell(record, notice);
      });
    }
  }

  /** The reconciler rolls a configuration back that the server did not run. */
  rolledBack(
    ref: string,
    rollback: Parameters<typeof rollbackNotice>[1],
  ): Promise<void> {
    const record = this.recordOf(ref);
    if (!record) return Promise.resolve();
    return this.quietly(`the rollback of ${ref}`, () =>
      this.tell(record, rollbackNotice(record, rollback)),
    );
  }

  /** A backup ended; only a failed one is told. */
  backupFinished(record: InstanceRecord, backup: BackupRow): Promise<void> {
    if (backup.status !== 'Failed') return Promise.resolve();
    return this.quietly(`backup ${backup.id} of ${record.ref}`, () =>
      this.tell(record, backupFailedNotice(record, backup)),
    );
  }

  /** An upgrade ended: completed, rolled back or failed. */
  upgradeEnded(ref: string, ended: MysqlUpgradeStatus): Promise<void> {
    const record = this.recordOf(ref);
    const notice = record && upgradeNotice(record, ended);
    if (!record || !notice) return Promise.resolve();
    return this.quietly(`the upgrade of ${ref}`, () =>
      this.tell(record, notice),
    );
  }
}
