import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MYSQL_CONFIG_HASH_ANNOTATION,
  MysqlReconcilerMode,
} from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { InstanceCache, InstanceObjects } from './InstanceCache';
import { MysqlStore } from './MysqlStore';
import { Controller } from '../controllers/Controller';
import {
  desiredConfig,
  desiredHash,
  EDITED_BY_ANNOTATION,
  isReady,
  LAST_GOOD_ANNOTATION,
  lastGoodConfig,
  ONLINE_CONFIG_ANNOTATION,
  readOnlineConfig,
  RESTARTED_AT_ANNOTATION,
  readRollout,
  readySince,
  Rollout,
  ROLLOUT_ANNOTATION,
  rolloutState,
  runningHash,
  templateHash,
} from './rollout';
import { MysqlEvents } from '../MysqlEvents';
import { SpecRenderer } from '../controllers/SpecRenderer';
import { OnlineChanges } from '../controllers/OnlineChanges';
import { Rollbacks } from '../controllers/Rollbacks';
import { describeChanges } from '../domain/specConfig';
import { patchStatefulSet } from './kubernetesWrites';

/** Reconciler settings from app-config. */
export interface ReconcilerOptions {
  /**
   * `restart`: every change restarts the server. `online`: changes to
   * dynamic variables only are applied with SET GLOBAL, without a restart.
   */
  mode: MysqlReconcilerMode;
  /** After this long a rollout that is not Ready is reported as slow. */
  rolloutTimeoutSeconds: number;
  rollbackOnFailure: boolean;
  /** How long a server must stay Ready before its my.cnf is a rollback target. */
  stableSeconds: number;
}

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 5 * 60_000;

/**
 * Level-triggered: whenever an instance's objects change, renders
 * `spec.config` of its MysqlInstance into the ConfigMap when the spec
 * changed, then compares the hash of the ConfigMap's my.cnf with the one
 * on the pod template and,
 * when they differ, patches the template so the StatefulSet controller rolls
 * the pod; then follows the rollout to Ready, or rolls back. Every write
 * carries the resourceVersion it was decided on, so several backends (or a
 * stale cache) can never issue the same restart twice, and a rollback never
 * overwrites a newer edit: the loser gets a 409 and looks again a moment
 * later, with what its watch brought. It runs on a {@link Controller}, so
 * other failures are retried with exponential back-off, and a periodic
 * resync catches anything missed. The rollout in progress is
 * recorded on the StatefulSet, so a restarted backend resumes it.
 */
export class Reconciler {
  private readonly controller: Controller;
  /** When the pass running for each instance asked to look again. */
  private readonly wakes = new Map<string, number>();
  /** Rollouts already reported slow, by instance and start time. */
  private readonly slow = new Set<string>();
  private readonly rollbacks: Rollbacks;
  private readonly online: OnlineChanges;
  private readonly renderer: SpecRenderer;
  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    private readonly options: ReconcilerOptions,
    /** Raises `rolloutDone` and `rolledBack`. */
    private readonly events: MysqlEvents = new MysqlEvents(),
  ) {
    this.renderer = new SpecRenderer(clusters, store, logger);
    this.online = new OnlineChanges(clusters, store, logger, events);
    this.rollbacks = new Rollbacks(
      clusters,
      store,
      logger,
      events,
      options.rollbackOnFailure,
    );
    this.controller = new Controller({
      name: 'reconciler',
      logger,
      retryBaseMs: RETRY_FIRST_MS,
      retryMaxMs: RETRY_MAX_MS,
      reconcile: async ref => {
        this.wakes.delete(ref);
        await this.reconcile(ref);
        const at = this.wakes.get(ref);
        this.wakes.delete(ref);
        return at === undefined
          ? {}
          : { requeueAfterMs: Math.max(0, at - Date.now()) + 100 };
      },
    });
  }

  start() {
    this.cache.onChange(ref => this.enqueue(ref));
  }

  /** Stops reconciling, and waits for the passes under way. */
  async stop() {
    await this.controller.stop();
  }

  /** Reconciles every instance once more: the periodic safety net. */
  resync() {
    for (const inst of this.cache.list()) this.enqueue(inst.ref);
  }

  /** Reconciles `ref` now, or once more after the current pass. */
  enqueue(ref: string) {
    this.controller.enqueue(ref);
  }

  /** Asks the pass under way to look at the instance again at `at`. */
  private wakeAt(ref: string, at: number) {
    const asked = this.wakes.get(ref);
    if (asked === undefined || at < asked) this.wakes.set(ref, at);
  }

  private async reconcile(ref: string) {
    const cached = this.cache.get(ref);
    if (!cached?.configMap) return;
    // The pass goes on with the ConfigMap it rendered, so a change restarts
    // the server without waiting for the watch to bring it.
    const rendered = await this.renderer.render(cached);
    const inst = rendered ? { ...cached, configMap: rendered } : cached;
    const desired = desiredHash(inst);
    if (!desired) return;
    const rollout = readRollout(inst.statefulSet);

    if (rollout?.reason === 'rollback' && rollout.from) {
      if (rollout.from === desired) {
        // The last good my.cnf is not back yet: the backend stopped after
        // marking, or the spec it wrote is not rendered yet. Put it back.
        await this.rollbacks.restoreLastGood(inst, rollout);
        return;
      }
      // The last good my.cnf is back; whoever wrote it may not have heard
      // the answer, so every pass that sees this makes sure it is told.
      if (rollout.hash === desired) {
        await this.rollbacks.announce(inst, rollout);
      }
    }
    const online = readOnlineConfig(inst.statefulSet);
    if (online && !online.applied && !rollout) {
      // A claimed online change that a stopped backend left unfinished: run
      // it again if it is still wanted, or else restart, since what the
      // server runs is not known.
      const restart =
        online.cnf === desiredConfig(inst) && inst.pods.some(isReady)
          ? await this.online.finish(inst, online)
          : inst;
      if (restart) await this.startRollout(restart, desired, rollout);
      return;
    }
    if (runningHash(inst) !== desired) {
      const restart =
        this.options.mode === 'online' && !rollout
          ? await this.online.apply(inst)
          : inst;
      if (restart) await this.startRollout(restart, desired, rollout);
      return;
    }
    if (!rollout) {
      await this.rememberGoodConfig(inst);
      return;
    }
    const progress = rolloutState(
      inst,
      rollout,
      this.options.rolloutTimeoutSeconds,
    );
    if (progress.state === 'done') {
      await this.finishRollout(inst, rollout);
    } else if (progress.state === 'failed') {
      if (!rollout.failed) {
        await this.rollbacks.fail(inst, rollout, progress.message);
      }
    } else {
      if (progress.slow) this.reportSlow(inst, rollout, progress.slow);
      // Wake at the deadline to say it is slow; after that the pod's own
      // changes (Ready, or a crash) bring the next pass.
      if (!progress.slow) this.wakeAt(ref, progress.deadline);
    }
  }

  private reportSlow(inst: InstanceObjects, rollout: Rollout, why: string) {
    const key = `${inst.ref}@${rollout.startedAt}`;
    if (this.slow.has(key)) return;
    this.slow.add(key);
    this.logger.info(
      `${inst.ref}: the ${rollout.reason} rollout is slow (${why}); waiting for the startup probe to decide`,
    );
  }

  private async startRollout(
    inst: InstanceObjects,
    hash: string,
    previous?: Rollout,
  ) {
    const reason =
      previous?.reason === 'rollback' && previous.hash === hash
        ? 'rollback'
        : 'config';
    const rollout: Rollout = {
      hash,
      startedAt: new Date().toISOString(),
      reason,
      cause: reason === 'rollback' ? previous?.cause : undefined,
    };
    // After online changes the template may already carry this hash; a new
    // restarted-at then makes the controller roll the pod all the same.
    const templateAnnotations: Record<string, string> = {
      [MYSQL_CONFIG_HASH_ANNOTATION]: hash,
    };
    if (templateHash(inst) === hash) {
      templateAnnotations[RESTARTED_AT_ANNOTATION] = rollout.startedAt;
    }
    await patchStatefulSet(this.clusters, inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: {
          [ROLLOUT_ANNOTATION]: JSON.stringify(rollout),
          [ONLINE_CONFIG_ANNOTATION]: null,
        },
      },
      spec: { template: { metadata: { annotations: templateAnnotations } } },
    });
    const changes = describeChanges(lastGoodConfig(inst), desiredConfig(inst));
    this.logger.info(
      `${inst.ref}: restarting to apply ${
        changes.join(', ') || 'the configuration'
      }`,
    );
    await this.store.addHistory(inst.ref, {
      kind: 'restart',
      actor: inst.configMap?.metadata?.annotations?.[EDITED_BY_ANNOTATION],
      message: `restart to apply ${changes.join(', ') || 'the configuration'}`,
    });
    this.wakeAt(
      inst.ref,
      Date.now() + this.options.rolloutTimeoutSeconds * 1000,
    );
  }

  private async finishRollout(inst: InstanceObjects, rollout: Rollout) {
    await patchStatefulSet(this.clusters, inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: { [ROLLOUT_ANNOTATION]: null },
      },
    });
    this.slow.delete(`${inst.ref}@${rollout.startedAt}`);
    const seconds = Math.round(
      (Date.now() - new Date(rollout.startedAt).getTime()) / 1000,
    );
    this.logger.info(
      `${inst.ref}: ${rollout.reason} rollout done in ${seconds}s`,
    );
    const messages = {
      rollback: `the previous configuration runs again (${seconds}s)`,
      restart: `the server restarted (${seconds}s)`,
      config: `the server runs the new configuration (restart took ${seconds}s)`,
    };
    await this.store.addHistory(inst.ref, {
      kind: rollout.reason === 'rollback' ? 'rollback' : 'restart',
      message: rollout.failed
        ? `the server is Ready again after the failed restart (${rollout.failed})`
        : messages[rollout.reason],
    });
    this.events.emit('rolloutDone', inst);
  }

  /**
   * Keeps the my.cnf that runs as the rollback target, once the server has
   * stayed Ready for `stableSeconds`: a server that starts and then falls
   * over is no proof that its configuration is good. It is kept on the
   * StatefulSet, so the ConfigMap (and the token clients hold) changes only
   * when someone edits it.
   */
  private async rememberGoodConfig(inst: InstanceObjects) {
    const cnf = desiredConfig(inst);
    // Only a my.cnf the server started with is a safe rollback target, not
    // one reached with SET GLOBAL.
    if (readOnlineConfig(inst.statefulSet)) return;
    if (templateHash(inst) !== desiredHash(inst)) return;
    if (cnf === undefined) return;
    if (
      inst.statefulSet.metadata?.annotations?.[LAST_GOOD_ANNOTATION] === cnf
    ) {
      return;
    }
    const since = readySince(inst.pods);
    if (since === undefined) return;
    const stableAt = since + this.options.stableSeconds * 1000;
    if (Date.now() < stableAt) {
      this.wakeAt(inst.ref, stableAt);
      return;
    }
    await patchStatefulSet(this.clusters, inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: { [LAST_GOOD_ANNOTATION]: cnf },
      },
    });
  }
}
