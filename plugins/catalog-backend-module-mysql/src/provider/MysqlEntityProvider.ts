import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { MYSQL_INSTANCE_ANNOTATION } from '@internal/plugin-mysql-common';
import {
  ManagedWatch,
  MysqlClusters,
  watchManaged,
} from '@internal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { instanceEntity } from './instanceEntity';

const DEBOUNCE_MS = 200;

/**
 * Emits one `Resource` entity (`resource:default/<name>`, type `database`)
 * per StatefulSet that the MySQL plugins manage, in every configured
 * cluster. It watches the StatefulSets, so an instance appears and
 * disappears within moments, and keeps retrying clusters that do not answer.
 *
 * @public
 */
export class MysqlEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private readonly watches = new Map<string, ManagedWatch<k8s.V1StatefulSet>>();
  private emitTimer?: NodeJS.Timeout;
  private stopped = false;

  static create(options: { clusters: MysqlClusters; logger: LoggerService }) {
    return new MysqlEntityProvider(options.clusters, options.logger);
  }

  private constructor(
    private readonly clusters: MysqlClusters,
    private readonly logger: LoggerService,
  ) {}

  getProviderName(): string {
    return 'mysql';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    for (const cluster of this.clusters.list()) {
      this.watches.set(
        cluster.name,
        watchManaged<k8s.V1StatefulSet>({
          clusters: this.clusters,
          cluster: cluster.name,
          resource: 'statefulsets',
          logger: this.logger,
          onChange: () => this.scheduleEmit(),
        }),
      );
    }
  }

  /** Stops every watch; called on backend shutdown. */
  async stop() {
    this.stopped = true;
    if (this.emitTimer) clearTimeout(this.emitTimer);
    for (const watch of this.watches.values()) await watch.stop();
  }

  private scheduleEmit() {
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitTimer = setTimeout(() => {
      this.emitTimer = undefined;
      this.emit().catch(error =>
        this.logger.error(`could not update the catalog: ${error}`),
      );
    }, DEBOUNCE_MS);
  }

  /** All entities, oldest instance first so that a duplicate name loses. */
  entities(): Entity[] {
    const found: Array<{ created: number; entity: Entity }> = [];
    for (const [cluster, watch] of this.watches) {
      for (const sts of watch.list()) {
        const entity = instanceEntity(cluster, sts);
        if (!entity) continue;
        const created = new Date(
          sts.metadata?.creationTimestamp ?? 0,
        ).getTime();
        found.push({ created, entity });
      }
    }
    found.sort((a, b) => a.created - b.created);
    const byName = new Map<string, Entity>();
    for (const { entity } of found) {
      const existing = byName.get(entity.metadata.name);
      if (existing) {
        this.logger.warn(
          `two instances are named ${
            entity.metadata.name
          }; the catalog shows the older one, ${
            existing.metadata.annotations![MYSQL_INSTANCE_ANNOTATION]
          }`,
        );
        continue;
      }
      byName.set(entity.metadata.name, entity);
    }
    return [...byName.values()];
  }

  private async emit() {
    if (!this.connection || this.stopped) return;
    // A cluster that does not answer would otherwise wipe its entities.
    if ([...this.watches.values()].some(w => !w.connected())) return;
    const entities = this.entities();
    await this.connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: `mysql-provider:${
          entity.metadata.annotations![MYSQL_INSTANCE_ANNOTATION]
        }`,
      })),
    });
    this.logger.debug(`emitted ${entities.length} MySQL instance entities`);
  }
}
