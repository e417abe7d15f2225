import { LoggerService } from '@backstage/backend-plugin-api';
import {
  parseMyCnf,
  planMysqlConfigChange,
} from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { InstanceObjects } from '../service/InstanceCache';
import { MysqlStore } from '../service/MysqlStore';
import { onlineStatements, SetGlobalStatement } from '../service/onlineApply';
import { queryServer } from '../service/queryServer';
import {
  desiredConfig,
  EDITED_BY_ANNOTATION,
  isReady,
  ONLINE_CONFIG_ANNOTATION,
  OnlineConfig,
  readOnlineConfig,
  startedConfig,
} from '../service/rollout';
import { readServerCredentials, serverAddress } from '../service/serverAccess';
import { MysqlEvents } from '../MysqlEvents';
import { describeChanges } from '../domain/specConfig';
import { patchStatefulSet } from '../service/kubernetesWrites';

/**
 * Changes of dynamic variables only, applied with SET GLOBAL instead of a
 * restart, for the Reconciler in `online` mode.
 */
export class OnlineChanges {
  constructor(
    private readonly clusters: MysqlClusters,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    private readonly events: MysqlEvents,
  ) {}

  /**
   * In `online` mode: applies a change of dynamic variables only with
   * SET GLOBAL, as root. The change is claimed on the StatefulSet first
   * (a resourceVersion-checked write, so one backend applies it), then
   * applied, then marked applied. Returns the instance as it now stands
   * when a restart is needed instead (a non-dynamic change, no known running
   * my.cnf, no Ready pod, or a statement the server refused), and nothing
   * when the change was applied.
   */
  async apply(inst: InstanceObjects): Promise<InstanceObjects | undefined> {
    const online = readOnlineConfig(inst.statefulSet);
    const base = online ? online.cnf : startedConfig(inst);
    const desired = desiredConfig(inst);
    if (base === undefined || desired === undefined) return inst;
    if (online && !online.applied) return inst;
    if (!inst.pods.some(isReady)) return inst;
    const plan = planMysqlConfigChange(
      parseMyCnf(base),
      parseMyCnf(desired),
      'online',
      inst.statefulSet.spec?.template.spec?.containers[0]?.image,
    );
    if (plan.effect === 'restart' || !onlineStatements(plan.changes)) {
      return inst;
    }
    const claim: OnlineConfig = { cnf: desired, base, applied: false };
    const claimed = await patchStatefulSet(this.clusters, inst, {
      metadata: {
        resourceVersion: inst.statefulSet.metadata!.resourceVersion,
        annotations: { [ONLINE_CONFIG_ANNOTATION]: JSON.stringify(claim) },
      },
    });
    return this.finish({ ...inst, statefulSet: claimed }, claim);
  }

  /**
   * Runs a claimed online change. A statement the server refuses turns it
   * into a restart: the instance is returned for it.
   */
  async finish(
    inst: InstanceObjects,
    online: OnlineConfig,
  ): Promise<InstanceObjects | undefined> {
    const statements =
      onlineStatements(
        planMysqlConfigChange(
          parseMyCnf(online.base),
          parseMyCnf(online.cnf),
          'online',
        ).changes,
      ) ?? [];
    try {
      await this.setGlobals(inst, statements);
    } catch (error) {
      this.logger.warn(
        `${inst.ref}: could not apply the change online (${
          (error as Error).message
        }); restarting instead`,
      );
      return inst;
    }
    await patchStatefulSet(this.clusters, inst, {
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
    const changes = describeChanges(online.base, online.cnf);
    this.logger.info(
      `${inst.ref}: applied ${changes.join(', ')} online, without a restart`,
    );
    await this.store.addHistory(inst.ref, {
      kind: 'edit',
      actor: inst.configMap?.metadata?.annotations?.[EDITED_BY_ANNOTATION],
      message: `applied without a restart (SET GLOBAL): ${changes.join(', ')}`,
    });
    this.events.emit('rolloutDone', inst);
    return undefined;
  }

  private async setGlobals(
    inst: InstanceObjects,
    statements: SetGlobalStatement[],
  ) {
    await queryServer({
      host: serverAddress(this.clusters, inst),
      ...(await readServerCredentials(this.clusters, inst, 'root')),
      timeoutMs: 10_000,
      queries: statements,
    });
  }
}
