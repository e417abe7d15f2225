import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MY_CNF_KEY,
  parseMyCnf,
  planMysqlConfigChange,
} from '@mysql-portal/plugin-mysql-common';
import { configHash, MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { InstanceObjects } from '../service/InstanceCache';
import { MysqlStore } from '../service/MysqlStore';
import {
  desiredConfig,
  desiredHash,
  lastGoodConfig,
  Rollout,
  ROLLOUT_ANNOTATION,
} from '../service/rollout';
import {
  readInstanceResource,
  replaceSpecConfig,
} from '../service/instanceResource';
import { MysqlEvents } from '../MysqlEvents';
import { describeChanges } from '../domain/specConfig';
import { MERGE_PATCH, patchStatefulSet } from '../service/kubernetesWrites';

/**
 * The rollback of a failed rollout, for the Reconciler: the mark on the
 * StatefulSet, the last good my.cnf put back, and the history entry and the
 * owners' notice, once in all.
 */
export class Rollbacks {
  /** Rollbacks this replica knows are in the history. */
  private readonly announced = new Set<string>();

  constructor(
    private readonly clusters: MysqlClusters,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    private readonly events: MysqlEvents,
    private readonly rollbackOnFailure: boolean,
  ) {}

  /** Fails a rollout for good, or starts its rollback. */
  async fail(inst: InstanceObjects, rollout: Rollout, message: string) {
    const lastGood = lastGoodConfig(inst);
    const desired = desiredHash(inst)!;
    const canRollBack =
      this.rollbackOnFailure &&
      rollout.reason !== 'rollback' &&
      lastGood !== undefined &&
      lastGood !== desiredConfig(inst);
    this.logger.warn(`${inst.ref}: rollout failed: ${message}`);
    if (!canRollBack) {
      await patchStatefulSet(this.clusters, inst, {
        metadata: {
          resourceVersion: inst.statefulSet.metadata!.resourceVersion,
          annotations: {
            [ROLLOUT_ANNOTATION]: JSON.stringify({
              ...rollout,
              failed: message,
            }),
          },
        },
      });
      await this.store.addHistory(inst.ref, {
        kind: 'restart',
        message: `the restart failed: ${message}`,
      });
      return;
    }
    // Two writes, each with its precondition: first the StatefulSet says a
    // rollback from this my.cnf is under way (so the restart that follows is
    // reported as one, and never rolled back in turn), then spec.config (or
    // the ConfigMap, when only it was edited by hand) gets the last good
    // my.cnf, and once it is back the history and the owners hear of it.
    // A replica that finds the mark with the failed my.cnf still in place
    // does the second write (the one that marked may have stopped, or lost
    // the answer); an edit made in between wins (409).
    const rollback: Rollout = {
      hash: configHash(lastGood!),
      startedAt: new Date().toISOString(),
      reason: 'rollback',
      cause: message,
      from: desired,
      changes: describeChanges(lastGood, desiredConfig(inst)),
    };
    const marked = await patchStatefulSet(this.clusters, inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: { [ROLLOUT_ANNOTATION]: JSON.stringify(rollback) },
      },
    });
    await this.restoreLastGood({ ...inst, statefulSet: marked }, rollback);
  }

  /**
   * Puts the last good my.cnf back: into `spec.config` when the spec asks
   * for another (the next pass renders it, and says so), or else, when only
   * the ConfigMap was edited by hand, into the ConfigMap, and says so. Each
   * write carries its object's resourceVersion, so an edit made in between
   * wins with a 409.
   */
  async restoreLastGood(inst: InstanceObjects, rollback: Rollout) {
    const lastGood = lastGoodConfig(inst);
    if (lastGood === undefined || configHash(lastGood) !== rollback.hash) {
      throw new Error(
        `the rollback of ${inst.ref} has no last good my.cnf with hash ${rollback.hash}`,
      );
    }
    const resource = inst.resource;
    if (resource) {
      const spec = planMysqlConfigChange(
        parseMyCnf(lastGood),
        resource.spec.config ?? {},
        'restart',
      );
      if (spec.changes.length > 0) {
        const { custom } = this.clusters.client(inst.cluster);
        // The cache's copy may be behind a status write: take the newest,
        // and write only while it still asks for what failed.
        const fresh = await readInstanceResource(
          custom,
          inst.namespace,
          inst.name,
        );
        if (fresh.metadata.generation !== resource.metadata.generation) return;
        await replaceSpecConfig(custom, fresh, parseMyCnf(lastGood));
        return;
      }
    }
    const { core } = this.clusters.client(inst.cluster);
    await core.patchNamespacedConfigMap(
      {
        name: inst.configMap!.metadata!.name!,
        namespace: inst.namespace,
        body: {
          metadata: {
            resourceVersion: inst.configMap!.metadata!.resourceVersion,
          },
          data: { [MY_CNF_KEY]: lastGood },
        },
      },
      MERGE_PATCH,
    );
    await this.announce(inst, {
      ...rollback,
      // A mark made by an earlier version has no changes; the failed
      // my.cnf is still in the ConfigMap read before the write.
      changes:
        rollback.changes ?? describeChanges(lastGood, desiredConfig(inst)),
    });
  }

  /**
   * Records the rollback in the history and tells the owners, once in all:
   * the history entry and the notice are keyed by the rollback's start,
   * which its mark carries, so the replica that restored the my.cnf and any
   * that finds it restored (because that one never heard the answer, or
   * stopped) write one entry and send one notice between them.
   */
  async announce(inst: InstanceObjects, rollback: Rollout) {
    const key = `rollback:${inst.ref}@${rollback.startedAt}`;
    if (this.announced.has(key)) return;
    const cause = rollback.cause ?? 'the server did not become Ready';
    const changes = rollback.changes ?? [];
    await this.store.addHistory(
      inst.ref,
      {
        kind: 'rollback',
        message: `${
          changes.join(', ') || 'the new configuration'
        } did not run (${cause}); restoring the last configuration that ran`,
      },
      key,
    );
    this.events.emit('rolledBack', inst, {
      rollbackStartedAt: rollback.startedAt,
      cause,
      changes,
    });
    this.announced.add(key);
  }
}
