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

/** How long to wait before each new attempt at a send that failed. */
const SEND_RETRY_DELAYS_MS = [1_000, 5_000, 30_000];

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
    private readonly retryDelaysMs: number[] = SEND_RETRY_DELAYS_MS,
  ) {}

  private readonly sending = new Set<Promise<void>>();

  /**
   * Claims `notice` and sends it to the owners of `record` in the
   * background; false when another replica or an earlier call claimed it.
   * The claim is awaited, so that a Degraded spell's claim and release keep
   * their order; the send is not, so that a notifications backend that is
   * down does not hold up the poll task that reported the change.
   */
  async tell(record: InstanceRecord, notice: Notice): Promise<boolean> {
    if (!(await this.notices.claim(notice.key, record.ref))) return false;
    const sending = this.send(record, notice).finally(() =>
      this.sending.delete(sending),
    );
    this.sending.add(sending);
    return true;
  }

  /** Resolves once every send under way has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.sending]);
  }

  // Only the claiming replica sends, so it tries again itself when the
  // notifications backend cannot be reached. A send that arrived although
  // its answer was lost is not doubled: the same scope updates the first.
  private async send(record: InstanceRecord, notice: Notice) {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.notifications.send({
          recipients: { type: 'entity', entityRef: record.entityRef },
          payload: notice.payload,
        });
        return;
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined) {
          // The event stays claimed: the card and the history still tell it.
          this.logger.warn(
            `could not notify the owners of ${record.ref} (${
              notice.key
            }) after ${attempt + 1} attempts: ${error}`,
          );
          return;
        }
        await new Promise(resolve => setTimeout(resolve, delay));
      }
    }
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
