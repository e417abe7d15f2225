import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  imageServerFamily,
  MysqlRestoreSource,
} from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { randomBytes } from 'node:crypto';
import { InstanceCache } from '../service/InstanceCache';
import { InstanceRecord, InstanceRecords } from '../service/InstanceRecords';
import { describeKubernetesError } from '../service/kubernetesErrors';
import { MysqlStore } from '../service/MysqlStore';
import { isReady } from '../service/rollout';
import { buildRestoreJob, jobName } from './backupJob';
import { BackupRunner } from './BackupRunner';
import { BackupRow, BackupStore, RestoreRow } from './BackupStore';
import { deleteEndedJob, jobOutcome } from './jobOutcome';
import { serverImage } from '../upgrade/upgradeState';

/** Where a new instance will be, as the create request says. */
export interface RestoreTarget {
  ref: string;
  cluster: string;
  namespace: string;
  image: string;
}

/**
 * Fills new instances from backups (`POST /instances` with `restoreFrom`).
 * The instance is created as any other; once its server is Ready, a Job
 * loads the dump with the new server's own client, as its root user.
 * Restoring over an existing instance is not offered.
 */
export class Restorer {
  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly records: InstanceRecords,
    private readonly runner: BackupRunner,
    private readonly backups: BackupStore,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    private readonly timeoutSeconds: number,
  ) {}

  /** The image `source` runs now, as its StatefulSet says. */
  sourceImage(source: InstanceRecord): string | undefined {
    const sts = this.cache.get(source.ref)?.statefulSet;
    return (sts && serverImage(sts)) || undefined;
  }

  /**
   * Checks that `backup` of `source` can fill `target`: it completed, and
   * the target is where a Job can read it and runs the same server family.
   */
  async check(
    source: InstanceRecord,
    backupId: string,
    target: RestoreTarget,
  ): Promise<BackupRow> {
    const backup = await this.runner.get(source, backupId).catch(() => {
      throw new InputError(
        `restoreFrom.backup: ${source.ref} has no backup "${backupId}"`,
      );
    });
    if (backup.status !== 'Completed' || backup.prunedAt) {
      throw new InputError(
        `restoreFrom.backup: backup ${backupId} of ${source.ref} is ${
          backup.prunedAt ? 'removed by retention' : backup.status
        }; only a completed backup can be restored`,
      );
    }
    if (target.cluster !== source.cluster) {
      throw new InputError(
        `restoreFrom.instance: ${source.ref} is in cluster ${source.cluster}; a backup restores only into the same cluster`,
      );
    }
    if (backup.target === 'pvc' && target.namespace !== source.namespace) {
      throw new InputError(
        `restoreFrom.instance: backup ${backupId} is on a volume in namespace ${source.namespace}, which only that namespace can read; create the new instance there`,
      );
    }
    const sourceImage = this.sourceImage(source);
    const from = sourceImage && imageServerFamily(sourceImage);
    const to = imageServerFamily(target.image);
    if (from && to && from !== to) {
      throw new InputError(
        `version: backup ${backupId} is a ${from} dump; restore it into a ${from} image, not ${target.image}`,
      );
    }
    return backup;
  }

  /** Records that `record` is to be filled from `source`; the restore waits for its server. */
  async request(
    record: InstanceRecord,
    source: MysqlRestoreSource,
    actor: string,
  ) {
    const added = await this.backups.addRestore({
      ref: record.ref,
      source,
      status: 'Pending',
      createdAt: new Date().toISOString(),
    });
    if (!added) return;
    await this.store.addHistory(record.ref, {
      kind: 'restore',
      actor,
      message: `Created from backup ${source.backup} of ${source.instance}; its data is loaded once the server is up`,
    });
    await this.store.addHistory(source.instance, {
      kind: 'restore',
      actor,
      message: `Backup ${source.backup} is being restored into the new instance ${record.ref}`,
    });
  }

  /** Starts the restores whose server is up, and follows the running ones. */
  async followAll(): Promise<void> {
    for (const restore of await this.backups.listActiveRestores()) {
      try {
        if (restore.status === 'Pending') await this.start(restore);
        else await this.follow(restore);
      } catch (error) {
        this.logger.warn(`restoring ${restore.ref}: ${error}`);
      }
    }
  }

  private async start(restore: RestoreRow) {
    const record = this.records.get(restore.ref);
    const inst = this.cache.get(restore.ref);
    if (!record || !inst || !inst.pods.some(isReady)) return;
    const source = this.records.get(restore.source.instance);
    const backup = await this.backups.getBackup(restore.source.backup);
    if (!source || !backup) {
      await this.finish(
        restore,
        false,
        `backup ${restore.source.backup} of ${restore.source.instance} is gone`,
      );
      return;
    }
    const id = randomBytes(3).toString('hex');
    const name = jobName(record.name, 'restore', id);
    const body = buildRestoreJob({
      inst: {
        name: record.name,
        namespace: record.namespace,
        image: serverImage(inst.statefulSet),
      },
      id,
      backupId: backup.id,
      destination: this.runner.destination(source, backup.target).destination,
      timeoutSeconds: this.timeoutSeconds,
    });
    if (
      !(await this.backups.updateRestore(restore.ref, 'Pending', {
        status: 'Running',
        jobName: name,
      }))
    ) {
      return;
    }
    try {
      await this.runner.batch(record.cluster).createNamespacedJob({
        namespace: record.namespace,
        body,
      });
    } catch (error) {
      await this.finish(
        { ...restore, status: 'Running' },
        false,
        describeKubernetesError(
          error,
          `creating Job ${record.namespace}/${name}`,
        ).message,
      );
    }
  }

  private async follow(restore: RestoreRow) {
    const [cluster, namespace] = restore.ref.split('/');
    const outcome = await jobOutcome(
      this.runner.batch(cluster),
      this.clusters.client(cluster).core,
      namespace,
      restore.jobName!,
    );
    if (!outcome) return;
    await this.finish(restore, outcome.succeeded, outcome.message);
    await deleteEndedJob(
      this.runner.batch(cluster),
      namespace,
      restore.jobName!,
    );
  }

  private async finish(
    restore: RestoreRow,
    succeeded: boolean,
    message?: string,
  ) {
    const changed = await this.backups.updateRestore(
      restore.ref,
      restore.status,
      {
        status: succeeded ? 'Completed' : 'Failed',
        message: succeeded ? '' : message,
      },
    );
    if (!changed) return;
    await this.store.addHistory(restore.ref, {
      kind: 'restore',
      message: succeeded
        ? `Restored backup ${restore.source.backup} of ${restore.source.instance}`
        : `Restoring backup ${restore.source.backup} of ${restore.source.instance} failed: ${message}`,
    });
  }
}
