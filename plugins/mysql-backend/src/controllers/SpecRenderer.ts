import { LoggerService } from '@backstage/backend-plugin-api';
import { MY_CNF_KEY } from '@mysql-portal/plugin-mysql-common';
import {
  MYSQL_RENDERED_GENERATION_ANNOTATION,
  MysqlClusters,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { sameConfig, specConfigState } from '../domain/specConfig';
import { MERGE_PATCH } from '../service/kubernetesWrites';
import { InstanceObjects } from '../service/InstanceCache';
import { MysqlStore } from '../service/MysqlStore';
import { EDITED_BY_ANNOTATION, lastGoodConfig } from '../service/rollout';

/**
 * Renders `spec.config` of an instance's MysqlInstance into its ConfigMap,
 * the first step of each Reconciler pass.
 */
export class SpecRenderer {
  /** Spec generations this replica found invalid and said so. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly clusters: MysqlClusters,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Writes the my.cnf that `spec.config` asks for into the ConfigMap, once
   * per spec generation, with the ConfigMap's resourceVersion. A spec the
   * server cannot run is not rendered: the ConfigMap, and so the server,
   * keep the last good configuration, and the MysqlInstance's status names
   * the field. Returns the ConfigMap written, if it wrote.
   */
  async render(inst: InstanceObjects): Promise<k8s.V1ConfigMap | undefined> {
    const spec = specConfigState(inst);
    if (spec.state === 'invalid') {
      const key = `${inst.ref}@${spec.generation}`;
      if (!this.refused.has(key)) {
        this.refused.add(key);
        this.logger.warn(
          `${inst.ref}: spec.config of generation ${
            spec.generation
          } is not applied: ${spec.problems.join('; ')}`,
        );
      }
      return undefined;
    }
    if (spec.state !== 'render') return undefined;
    // A rollback restores the last good my.cnf as it was, byte for byte: its
    // hash is what the rollback waits for.
    const lastGood = lastGoodConfig(inst);
    const cnf =
      lastGood !== undefined && sameConfig(lastGood, spec.cnf)
        ? lastGood
        : spec.cnf;
    const { core } = this.clusters.client(inst.cluster);
    const written = await core.patchNamespacedConfigMap(
      {
        name: inst.configMap!.metadata!.name!,
        namespace: inst.namespace,
        body: {
          metadata: {
            resourceVersion: inst.configMap!.metadata!.resourceVersion,
            annotations: {
              [MYSQL_RENDERED_GENERATION_ANNOTATION]: String(spec.generation),
              [EDITED_BY_ANNOTATION]: spec.actor ?? null,
            },
          },
          data: { [MY_CNF_KEY]: cnf },
        },
      },
      MERGE_PATCH,
    );
    if (!spec.known && spec.changes.length > 0) {
      // Any replica may get here for one generation: the key keeps one entry.
      await this.store.addHistory(
        inst.ref,
        {
          kind: 'edit',
          message: `${spec.changes.join(
            ', ',
          )} (set on the MysqlInstance, not through the portal)`,
        },
        `edit:${inst.ref}@${inst.resource!.metadata.uid}/${spec.generation}`,
      );
    }
    return written;
  }
}
