import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  checkMysqlUpgrade,
  MysqlUpgradeStatus,
} from '@mysql-portal/plugin-mysql-common';
import {
  MysqlClusters,
  serverImageEnv,
  serverReadinessProbe,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { BackupRunner } from '../backups/BackupRunner';
import { BackupStore } from '../backups/BackupStore';
import { startBackupAfter } from '../backups/startAfter';
import { InstanceCache, InstanceObjects } from '../service/InstanceCache';
import { InstanceRecord, InstanceRecords } from '../service/InstanceRecords';
import { specToken } from '../domain/specConfig';
import { MysqlStore } from '../service/MysqlStore';
import { refuseWhileDeleting } from '../domain/deleteState';
import { isReady } from '../service/rollout';
import {
  readUpgrade,
  serverImage,
  UPGRADE_ANNOTATION,
  upgradeProgress,
} from './upgradeState';
import { MysqlEvents } from '../MysqlEvents';

const STRATEGIC_MERGE_PATCH = k8s.setHeaderOptions(
  'Content-Type',
  k8s.PatchStrategy.StrategicMergePatch,
);

/**
 * Version upgrades (`PUT …/version`): only along paths MySQL supports, and
 * only after a backup completed. The state is kept on the StatefulSet, so
 * that whichever replica follows the upgrade (`followAll`, from the
 * scheduler) sees it. A new image that never started, or crashed before
 * its log shows any upgrade of the data, is rolled back to the old one;
 * otherwise the instance is Degraded and the history names the backup to
 * restore. Either way the upgrade ends there and is never retried.
 */
export class Upgrader {
  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly records: InstanceRecords,
    private readonly backups: BackupRunner,
    private readonly backupStore: BackupStore,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    /**
     * Raises `upgradeFinished` when the server runs again (the new version
     * is read at once) and `upgradeEnded` however it ended.
     */
    private readonly events: MysqlEvents = new MysqlEvents(),
  ) {}

  /**
   * Checks and starts an upgrade of `record` to `image`: 400 for a path
   * MySQL does not support, 409 for a stale `resourceVersion` or while the
   * server is down or another upgrade runs. The backup and the image change
   * follow after the answer.
   */
  async request(
    record: InstanceRecord,
    image: string,
    resourceVersion: string,
    actor: string,
  ): Promise<void> {
    const inst = this.cache.get(record.ref);
    if (!inst) {
      throw new ConflictError(`${record.ref} has no StatefulSet to upgrade`);
    }
    refuseWhileDeleting(inst);
    if (inst.resource && specToken(inst) !== resourceVersion) {
      throw new ConflictError(
        `resourceVersion: ${record.ref} changed since you loaded it; reload and try again`,
      );
    }
    const current = serverImage(inst.statefulSet);
    if (image === current) {
      throw new InputError(`image: ${record.ref} runs ${image} already`);
    }
    const check = checkMysqlUpgrade(current, image);
    if (!check.allowed) throw new InputError(check.reason);
    const last = readUpgrade(inst.statefulSet);
    if (
      last?.status === 'BackingUp' ||
      last?.status === 'Upgrading' ||
      last?.status === 'RollingBack'
    ) {
      throw new ConflictError(
        `${record.ref} is being upgraded to ${last.to} already`,
      );
    }
    if (!inst.pods.some(isReady)) {
      throw new ConflictError(
        `${record.ref} has no Ready server; an upgrade starts with a backup, which needs one`,
      );
    }
    const state: MysqlUpgradeStatus = {
      from: current,
      to: image,
      status: 'BackingUp',
      at: new Date().toISOString(),
    };
    const marked = await this.patch(inst, { ...state, actor });
    await this.store.addHistory(record.ref, {
      kind: 'upgrade',
      actor,
      message: `upgrade from ${current} to ${image} requested; taking a backup first`,
    });
    // The backups task carries on from whatever this first step left.
    await this.backUp({ ...inst, statefulSet: marked }, record, {
      ...state,
      actor,
    }).catch(error => this.logger.warn(`upgrading ${record.ref}: ${error}`));
  }

  /**
   * One step of the backup an upgrade starts with: start it (after one
   * that runs already), wait for it, then change the image; or end the
   * upgrade as Failed, with the server unchanged, when it failed.
   */
  private async backUp(
    inst: InstanceObjects,
    record: InstanceRecord,
    state: MysqlUpgradeStatus,
  ) {
    const fail = (why: string) =>
      this.end(
        record.ref,
        {
          ...state,
          backup: undefined,
          status: 'Failed',
          message: `the server was not changed, since the backup before it failed: ${why}`,
        },
        inst,
      );
    if (!state.backup) {
      let id: string | undefined;
      try {
        id = await startBackupAfter(this.backups, this.backupStore, record, {
          trigger: 'upgrade',
          actor: state.actor,
          since: state.at,
        });
      } catch (error) {
        await fail((error as Error).message);
        return;
      }
      if (id) await this.patch(inst, { ...state, backup: id });
      return;
    }
    const backup = await this.backupStore.getBackup(state.backup);
    if (backup?.status === 'Running') return;
    if (backup?.status !== 'Completed') {
      await fail(
        backup
          ? `backup ${backup.id} failed: ${backup.message ?? 'no reason given'}`
          : `backup ${state.backup} is not recorded`,
      );
      return;
    }
    const upgrading: MysqlUpgradeStatus = {
      ...state,
      status: 'Upgrading',
      at: new Date().toISOString(),
    };
    await this.patch(inst, upgrading, state.to);
    await this.store.addHistory(record.ref, {
      kind: 'upgrade',
      actor: state.actor,
      message: `upgrading from ${state.from} to ${state.to} after backup ${backup.id}`,
    });
  }

  /** Follows every upgrade under way: done, rolled back, or Degraded. */
  async followAll(): Promise<void> {
    for (const inst of this.cache.list()) {
      const state = readUpgrade(inst.statefulSet);
      try {
        if (state?.status === 'Upgrading') await this.follow(inst, state);
        if (state?.status === 'RollingBack') {
          await this.followRollback(inst, state);
        }
        const record = this.records.get(inst.ref);
        if (state?.status === 'BackingUp' && record) {
          await this.backUp(inst, record, state);
        }
      } catch (error) {
        this.logger.warn(`following the upgrade of ${inst.ref}: ${error}`);
      }
    }
  }

  private async follow(inst: InstanceObjects, state: MysqlUpgradeStatus) {
    const progress = upgradeProgress(inst.pods, state.to);
    if (progress.state === 'waiting') return;
    if (progress.state === 'ready') {
      await this.end(inst.ref, { ...state, status: 'Completed' }, inst);
      await this.store.addHistory(inst.ref, {
        kind: 'version',
        message: `upgraded from ${state.from} to ${state.to}`,
      });
      this.events.emit('upgradeFinished', inst);
      return;
    }
    if (!progress.dataTouched) {
      // RolledBack only once the old image runs again (followRollback).
      await this.patch(
        inst,
        { ...state, status: 'RollingBack', message: progress.message },
        state.from,
      );
      await this.store.addHistory(inst.ref, {
        kind: 'rollback',
        message: `${progress.message}; rolling back to ${state.from}, the data untouched`,
      });
      return;
    }
    const message =
      `${progress.message}. It may have begun upgrading the data, so it was not rolled back to ${state.from}; ` +
      `restore backup ${state.backup} into a new database to go back`;
    await this.end(inst.ref, { ...state, status: 'Failed', message }, inst);
    await this.store.addHistory(inst.ref, { kind: 'upgrade', message });
  }

  /** Ends a rollback once the old image is Ready again, or as Failed if it is not. */
  private async followRollback(
    inst: InstanceObjects,
    state: MysqlUpgradeStatus,
  ) {
    const progress = upgradeProgress(inst.pods, state.from);
    if (progress.state === 'waiting') return;
    if (progress.state === 'ready') {
      await this.end(
        inst.ref,
        {
          ...state,
          status: 'RolledBack',
          message: `${state.message}; ${state.from} runs again`,
        },
        inst,
      );
      await this.store.addHistory(inst.ref, {
        kind: 'rollback',
        message: `rolled back to ${state.from}, which runs again`,
      });
      this.events.emit('upgradeFinished', inst);
      return;
    }
    const message = `${state.message}; after the rollback ${progress.message}. Restore backup ${state.backup} into a new database`;
    await this.end(inst.ref, { ...state, status: 'Failed', message }, inst);
    await this.store.addHistory(inst.ref, { kind: 'upgrade', message });
  }

  private async end(
    ref: string,
    state: MysqlUpgradeStatus,
    known?: InstanceObjects,
    image?: string,
  ) {
    const inst = known ?? this.cache.get(ref);
    if (!inst) return;
    await this.patch(inst, { ...state, at: new Date().toISOString() }, image);
    this.logger.info(`${ref}: upgrade to ${state.to} ${state.status}`);
    this.events.emit('upgradeEnded', ref, state);
  }

  private async patch(
    inst: InstanceObjects,
    state: MysqlUpgradeStatus,
    image?: string,
  ) {
    const { apps } = this.clusters.client(inst.cluster);
    const env = image ? serverImageEnv(image) : [];
    return apps.patchNamespacedStatefulSet(
      {
        name: inst.name,
        namespace: inst.namespace,
        body: {
          metadata: {
            resourceVersion: inst.statefulSet.metadata!.resourceVersion,
            annotations: { [UPGRADE_ANNOTATION]: JSON.stringify(state) },
          },
          ...(image && {
            spec: {
              template: {
                spec: {
                  // A strategic merge: the container and its env entries
                  // are merged by name, the rest stays.
                  containers: [
                    {
                      name: 'mysql',
                      image,
                      ...(env.length > 0 && { env }),
                      readinessProbe: serverReadinessProbe(image),
                    },
                  ],
                },
              },
            },
          }),
        },
      },
      STRATEGIC_MERGE_PATCH,
    );
  }
}
