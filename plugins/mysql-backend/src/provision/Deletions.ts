import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { DeleteMysqlInstanceResponse } from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { BackupRunner } from '../backups/BackupRunner';
import { BackupStore } from '../backups/BackupStore';
import { startBackupAfter } from '../backups/startAfter';
import { InstanceCache, InstanceObjects } from '../service/InstanceCache';
import { InstanceRecord, InstanceRecords } from '../service/InstanceRecords';
import { MysqlStore } from '../service/MysqlStore';
import { isReady } from '../service/rollout';
import { readUpgrade } from '../upgrade/upgradeState';
import { Deleter } from './Deleter';
import {
  DELETE_ANNOTATION,
  nextDeleteStep,
  PendingDelete,
  readDelete,
} from '../domain/deleteState';
import { MERGE_PATCH } from '../service/kubernetesWrites';

const UPGRADING = new Set(['BackingUp', 'Upgrading', 'RollingBack']);

/**
 * Deletes that wait for a final backup (`DELETE` with `finalBackup`). The
 * request is answered at once (202): the delete is recorded on the
 * StatefulSet, with a precondition so it is recorded once, and the
 * instance shows Deleting. The backups task follows it on one replica at
 * a time: it starts the backup (after one that runs already), deletes once
 * the backup completed, and deletes nothing when it failed, saying why in
 * the history. Nothing waits in memory, so a restarted backend resumes.
 */
export class Deletions {
  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly records: InstanceRecords,
    private readonly backups: BackupRunner,
    private readonly backupStore: BackupStore,
    private readonly deleter: Deleter,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Records a delete of `record` after a final backup and starts the
   * backup when it can; 409 when the instance has no Ready server to back
   * up, or a delete or an upgrade is under way.
   */
  async request(
    record: InstanceRecord,
    options: { keepData: boolean; actor: string },
  ): Promise<DeleteMysqlInstanceResponse> {
    const inst = this.cache.get(record.ref);
    const pending = inst && readDelete(inst.statefulSet);
    if (pending) {
      throw new ConflictError(
        `${record.ref} is being deleted already: ${pending.actor} asked at ${pending.at}, after a final backup`,
      );
    }
    if (!inst || !inst.pods.some(isReady)) {
      throw new ConflictError(
        `finalBackup: ${record.ref} has no Ready server to back up; nothing was deleted. Delete it without finalBackup, or once it runs`,
      );
    }
    const upgrade = readUpgrade(inst.statefulSet);
    if (upgrade && UPGRADING.has(upgrade.status)) {
      throw new ConflictError(
        `${record.ref} is being upgraded to ${upgrade.to}; nothing was deleted. Delete it once the upgrade has ended`,
      );
    }
    const asked: PendingDelete = {
      keepData: options.keepData,
      actor: options.actor,
      at: new Date().toISOString(),
    };
    const marked = await this.write(inst, asked);
    await this.store.addHistory(record.ref, {
      kind: 'delete',
      actor: options.actor,
      message: `delete requested${
        options.keepData ? ', keeping the data volume and Secret' : ''
      }: taking a final backup first`,
    });
    // The backups task carries on from whatever this first step left.
    const followed: PendingDelete | { cancelled: string } | undefined =
      await this.follow({ ...inst, statefulSet: marked }, record, asked).catch(
        error => {
          this.logger.warn(`deleting ${record.ref}: ${error}`);
          return asked;
        },
      );
    if (followed && 'cancelled' in followed) {
      throw new ConflictError(
        `finalBackup: ${followed.cancelled}; nothing was deleted`,
      );
    }
    const backup = followed?.backup;
    return {
      deleted: [],
      kept: [],
      pending: {
        backup,
        message: backup
          ? `deleting once the final backup ${backup} has completed`
          : 'deleting once a running backup has ended and the final one has completed',
      },
    };
  }

  /** Moves every pending delete on by one step; for the backups task. */
  async followAll(): Promise<void> {
    for (const inst of this.cache.list()) {
      const pending = readDelete(inst.statefulSet);
      const record = this.records.get(inst.ref);
      if (!pending || !record) continue;
      try {
        await this.follow(inst, record, pending);
      } catch (error) {
        this.logger.warn(`deleting ${inst.ref}: ${error}`);
      }
    }
  }

  /**
   * One step; returns the pending delete as it stands after it, why it was
   * cancelled, or nothing once the instance is deleted.
   */
  private async follow(
    inst: InstanceObjects,
    record: InstanceRecord,
    pending: PendingDelete,
  ): Promise<PendingDelete | { cancelled: string } | undefined> {
    const backup = pending.backup
      ? await this.backupStore.getBackup(pending.backup)
      : undefined;
    const next = nextDeleteStep(pending, backup);
    switch (next.step) {
      case 'wait':
        return pending;
      case 'startBackup': {
        let id: string | undefined;
        try {
          id = await startBackupAfter(this.backups, this.backupStore, record, {
            trigger: 'delete',
            actor: pending.actor,
            since: pending.at,
          });
        } catch (error) {
          const why = (error as Error).message;
          await this.cancel(inst, record, pending, why);
          return { cancelled: why };
        }
        if (!id) return pending;
        const updated = { ...pending, backup: id };
        await this.write(inst, updated);
        return updated;
      }
      case 'delete':
        await this.deleter.delete(record, {
          keepData: pending.keepData,
          actor: pending.actor,
        });
        await this.backups.forget(record.ref);
        return undefined;
      default:
        await this.cancel(inst, record, pending, next.why);
        return { cancelled: next.why };
    }
  }

  private async cancel(
    inst: InstanceObjects,
    record: InstanceRecord,
    pending: PendingDelete,
    why: string,
  ) {
    await this.write(inst, null);
    await this.store.addHistory(record.ref, {
      kind: 'delete',
      actor: pending.actor,
      message: `delete cancelled, nothing was deleted: ${why}`,
    });
    this.logger.warn(`${record.ref}: delete cancelled: ${why}`);
  }

  /** Writes (or with null, removes) the pending delete, with a precondition. */
  private async write(inst: InstanceObjects, pending: PendingDelete | null) {
    const { apps } = this.clusters.client(inst.cluster);
    return apps.patchNamespacedStatefulSet(
      {
        name: inst.name,
        namespace: inst.namespace,
        body: {
          metadata: {
            resourceVersion: inst.statefulSet.metadata!.resourceVersion,
            annotations: {
              [DELETE_ANNOTATION]: pending && JSON.stringify(pending),
            },
          },
        },
      },
      MERGE_PATCH,
    );
  }
}
