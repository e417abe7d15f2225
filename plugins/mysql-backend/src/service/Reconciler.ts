import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MY_CNF_KEY,
  MYSQL_CONFIG_HASH_ANNOTATION,
  parseMyCnf,
} from '@internal/plugin-mysql-common';
import { configHash, MysqlClusters } from '@internal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import { InstanceCache, InstanceObjects } from './InstanceCache';
import { MysqlStore } from './MysqlStore';
import { statusOf } from './kubernetesErrors';
import { onlineStatements, SetGlobalStatement } from './onlineApply';
import {
  desiredConfig,
  desiredHash,
  EDITED_BY_ANNOTATION,
  isReady,
  LAST_GOOD_ANNOTATION,
  ONLINE_CONFIG_ANNOTATION,
  OnlineConfig,
  readOnlineConfig,
  RESTARTED_AT_ANNOTATION,
  readRollout,
  Rollout,
  ROLLOUT_ANNOTATION,
  rolloutState,
  runningHash,
  startedConfig,
  templateHash,
} from './rollout';
import { readServerCredentials, serverAddress } from './serverAccess';

const MERGE_PATCH = k8s.setHeaderOptions(
  'Content-Type',
  k8s.PatchStrategy.MergePatch,
);

/** Reconciler settings from app-config. */
export interface ReconcilerOptions {
  /**
   * `restart`: every change restarts the server. `online`: changes to
   * dynamic variables only are applied with SET GLOBAL, without a restart.
   */
  mode: 'restart' | 'online';
  rolloutTimeoutSeconds: number;
  rollbackOnFailure: boolean;
}

function changedKeys(before: string | undefined, after: string | undefined) {
  const a = parseMyCnf(before ?? '');
  const b = parseMyCnf(after ?? '');
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter(k => a[k] !== b[k])
    .sort()
    .map(k => (k in b ? `${k}=${b[k]}` : `${k} (default)`));
}

/**
 * Level-triggered: whenever an instance's objects change, compares the hash
 * of the desired my.cnf (the ConfigMap) with the one on the pod template and,
 * when they differ, patches the template so the StatefulSet controller rolls
 * the pod; then follows the rollout to Ready, or rolls back. Every write
 * carries the resourceVersion it was decided on, so several backends (or a
 * stale cache) can never issue the same restart twice: the loser gets a 409
 * and looks again once its watch catches up. The rollout in progress is
 * recorded on the StatefulSet, so a restarted backend resumes it.
 */
export class Reconciler {
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  /** Called when a rollout has finished, so the new values are read at once. */
  onRolloutDone?: (inst: InstanceObjects) => void;

  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    private readonly options: ReconcilerOptions,
  ) {}

  start() {
    this.cache.onChange(ref => this.enqueue(ref));
  }

  stop() {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
  }

  /** Reconciles `ref` now, or once more after the current pass. */
  enqueue(ref: string) {
    if (this.stopped) return;
    if (this.running.has(ref)) {
      this.dirty.add(ref);
      return;
    }
    this.running.add(ref);
    this.reconcile(ref)
      .catch(error => {
        if (statusOf(error) === 409) return;
        this.logger.error(`reconciling ${ref} failed: ${error}`);
      })
      .finally(() => {
        this.running.delete(ref);
        if (this.dirty.delete(ref)) this.enqueue(ref);
      });
  }

  private wakeAt(ref: string, at: number) {
    const existing = this.timers.get(ref);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(ref);
      this.enqueue(ref);
    }, Math.max(0, at - Date.now()) + 100);
    this.timers.set(ref, timer);
  }

  private async reconcile(ref: string) {
    const inst = this.cache.get(ref);
    if (!inst?.configMap) return;
    const desired = desiredHash(inst);
    if (!desired) return;
    const rollout = readRollout(inst.statefulSet);

    const online = readOnlineConfig(inst.statefulSet);
    if (online && !online.applied && !rollout) {
      // A claimed online change that a stopped backend left unfinished: run
      // it again if it is still wanted, or else restart, since what the
      // server runs is not known.
      if (online.cnf === desiredConfig(inst) && inst.pods.some(isReady)) {
        await this.finishOnline(inst, online);
      } else {
        await this.startRollout(inst, desired, rollout);
      }
      return;
    }
    if (runningHash(inst) !== desired) {
      if (
        this.options.mode === 'online' &&
        !rollout &&
        (await this.applyOnline(inst))
      ) {
        return;
      }
      await this.startRollout(inst, desired, rollout);
      return;
    }
    if (!rollout) {
      await this.rememberGoodConfig(inst);
      return;
    }
    if (rollout.failed) return;
    const progress = rolloutState(
      inst,
      rollout,
      this.options.rolloutTimeoutSeconds,
    );
    if (progress.state === 'progressing') {
      this.wakeAt(ref, progress.deadline);
    } else if (progress.state === 'done') {
      await this.finishRollout(inst, rollout);
    } else {
      await this.failRollout(inst, rollout, progress.message);
    }
  }

  private async patchStatefulSet(inst: InstanceObjects, body: object) {
    const { apps } = this.clusters.client(inst.cluster);
    return apps.patchNamespacedStatefulSet(
      { name: inst.name, namespace: inst.namespace, body },
      MERGE_PATCH,
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
    await this.patchStatefulSet(inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: {
          [ROLLOUT_ANNOTATION]: JSON.stringify(rollout),
          [ONLINE_CONFIG_ANNOTATION]: null,
        },
      },
      spec: { template: { metadata: { annotations: templateAnnotations } } },
    });
    const changes = changedKeys(
      inst.configMap?.metadata?.annotations?.[LAST_GOOD_ANNOTATION],
      desiredConfig(inst),
    );
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

  /**
   * In `online` mode: applies a change of dynamic variables only with
   * SET GLOBAL, as root. The change is claimed on the StatefulSet first
   * (a resourceVersion-checked write, so one backend applies it), then
   * applied, then marked applied. Returns false when a restart is needed
   * instead: a non-dynamic change, no known running my.cnf, or no Ready pod.
   */
  private async applyOnline(inst: InstanceObjects) {
    const online = readOnlineConfig(inst.statefulSet);
    const base = online ? online.cnf : startedConfig(inst);
    const desired = desiredConfig(inst);
    if (base === undefined || desired === undefined) return false;
    if (online && !online.applied) return false;
    if (!inst.pods.some(isReady)) return false;
    if (!onlineStatements(base, desired)) return false;
    const claim: OnlineConfig = { cnf: desired, base, applied: false };
    const claimed = await this.patchStatefulSet(inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: { [ONLINE_CONFIG_ANNOTATION]: JSON.stringify(claim) },
      },
    });
    await this.finishOnline({ ...inst, statefulSet: claimed }, claim);
    return true;
  }

  /** Runs a claimed online change; a statement the server refuses turns it into a restart. */
  private async finishOnline(inst: InstanceObjects, online: OnlineConfig) {
    const statements = onlineStatements(online.base, online.cnf) ?? [];
    try {
      await this.setGlobals(inst, statements);
    } catch (error) {
      this.logger.warn(
        `${inst.ref}: could not apply the change online (${
          (error as Error).message
        }); restarting instead`,
      );
      await this.startRollout(inst, configHash(online.cnf));
      return;
    }
    await this.patchStatefulSet(inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: {
          [ONLINE_CONFIG_ANNOTATION]: JSON.stringify({
            ...online,
            applied: true,
          }),
        },
      },
    });
    const changes = changedKeys(online.base, online.cnf);
    this.logger.info(
      `${inst.ref}: applied ${changes.join(', ')} online, without a restart`,
    );
    await this.store.addHistory(inst.ref, {
      kind: 'edit',
      actor: inst.configMap?.metadata?.annotations?.[EDITED_BY_ANNOTATION],
      message: `applied without a restart (SET GLOBAL): ${changes.join(', ')}`,
    });
    this.onRolloutDone?.(inst);
  }

  private async setGlobals(
    inst: InstanceObjects,
    statements: SetGlobalStatement[],
  ) {
    const { user, password } = await readServerCredentials(
      this.clusters,
      inst,
      'root',
    );
    const connection = await mysql.createConnection({
      host: serverAddress(this.clusters, inst),
      port: 3306,
      user,
      password,
      connectTimeout: 10_000,
    });
    try {
      for (const { sql, values } of statements) {
        // connectTimeout covers only connecting; a server that accepts and
        // then hangs must not hold this instance's reconcile forever.
        await connection.query({ sql, values, timeout: 10_000 });
      }
    } finally {
      connection.destroy();
    }
  }

  private async finishRollout(inst: InstanceObjects, rollout: Rollout) {
    await this.patchStatefulSet(inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: { [ROLLOUT_ANNOTATION]: null },
      },
    });
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
      message: messages[rollout.reason],
    });
    await this.rememberGoodConfig(inst);
    this.onRolloutDone?.(inst);
  }

  /** Keeps the my.cnf that runs, for rollbacks. */
  private async rememberGoodConfig(inst: InstanceObjects) {
    const cnf = desiredConfig(inst);
    // Only a my.cnf the server started with is a safe rollback target, not
    // one reached with SET GLOBAL.
    if (readOnlineConfig(inst.statefulSet)) return;
    if (templateHash(inst) !== desiredHash(inst)) return;
    if (!inst.pods.some(isReady) || cnf === undefined) return;
    if (inst.configMap?.metadata?.annotations?.[LAST_GOOD_ANNOTATION] === cnf)
      return;
    const { core } = this.clusters.client(inst.cluster);
    await core.patchNamespacedConfigMap(
      {
        name: inst.configMap!.metadata!.name!,
        namespace: inst.namespace,
        body: {
          metadata: {
            resourceVersion: inst.configMap!.metadata!.resourceVersion,
            annotations: { [LAST_GOOD_ANNOTATION]: cnf },
          },
        },
      },
      MERGE_PATCH,
    );
  }

  private async failRollout(
    inst: InstanceObjects,
    rollout: Rollout,
    message: string,
  ) {
    const lastGood =
      inst.configMap?.metadata?.annotations?.[LAST_GOOD_ANNOTATION];
    const canRollBack =
      this.options.rollbackOnFailure &&
      rollout.reason !== 'rollback' &&
      lastGood !== undefined &&
      lastGood !== desiredConfig(inst);
    this.logger.warn(`${inst.ref}: rollout failed: ${message}`);
    if (!canRollBack) {
      await this.patchStatefulSet(inst, {
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
    // Mark the rollout as a rollback first, so the restart that follows is
    // reported as one (and never rolled back in turn).
    await this.patchStatefulSet(inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: {
          [ROLLOUT_ANNOTATION]: JSON.stringify({
            hash: configHash(lastGood!),
            startedAt: rollout.startedAt,
            reason: 'rollback',
            cause: message,
          } satisfies Rollout),
        },
      },
    });
    const { core } = this.clusters.client(inst.cluster);
    await core.patchNamespacedConfigMap(
      {
        name: inst.configMap!.metadata!.name!,
        namespace: inst.namespace,
        body: { data: { [MY_CNF_KEY]: lastGood! } },
      },
      MERGE_PATCH,
    );
    const failed = changedKeys(lastGood, desiredConfig(inst));
    await this.store.addHistory(inst.ref, {
      kind: 'rollback',
      message: `${
        failed.join(', ') || 'the new configuration'
      } did not run (${message}); restoring the last configuration that ran`,
    });
  }
}
