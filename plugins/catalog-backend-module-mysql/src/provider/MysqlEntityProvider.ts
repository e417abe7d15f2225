import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { MYSQL_LABELS, MYSQL_MANAGED_BY } from '@internal/plugin-mysql-common';
import { MysqlClusters } from '@internal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { instanceEntity } from './instanceEntity';

const SELECTOR = `${MYSQL_LABELS.managedBy}=${MYSQL_MANAGED_BY}`;
const RETRY_MS = 5000;
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
  private readonly informers = new Map<
    string,
    k8s.Informer<k8s.V1StatefulSet> & k8s.ObjectCache<k8s.V1StatefulSet>
  >();
  private readonly timers = new Set<NodeJS.Timeout>();
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
    for (const cluster of this.clusters.list()) this.watch(cluster.name);
  }

  /** Stops every watch; called on backend shutdown. */
  async stop() {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    if (this.emitTimer) clearTimeout(this.emitTimer);
    for (const informer of this.informers.values()) await informer.stop();
  }

  private later(work: () => void, ms: number) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) work();
    }, ms);
    this.timers.add(timer);
  }

  private watch(cluster: string) {
    let client;
    try {
      client = this.clusters.client(cluster);
    } catch (error) {
      this.logger.info(
        `cluster ${cluster} is not reachable yet, retrying: ${
          (error as Error).message
        }`,
      );
      this.later(() => this.watch(cluster), RETRY_MS);
      return;
    }
    const informer = k8s.makeInformer(
      client.kubeConfig,
      '/apis/apps/v1/statefulsets',
      () =>
        client.apps.listStatefulSetForAllNamespaces({
          labelSelector: SELECTOR,
        }),
      SELECTOR,
    );
    const changed = () => this.scheduleEmit();
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', changed);
    informer.on('connect', changed);
    informer.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.logger.warn(
        `watching StatefulSets in cluster ${cluster} failed, retrying in ${
          RETRY_MS / 1000
        }s: ${(error as Error)?.message ?? error}`,
      );
      this.informers.delete(cluster);
      // Reconnect with a fresh client: the sandbox's kubeconfig changes on restart.
      this.later(() => this.watch(cluster), RETRY_MS);
    });
    this.informers.set(cluster, informer);
    informer.start().catch(() => {
      // reported through the 'error' event
    });
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
    for (const [cluster, informer] of this.informers) {
      for (const sts of informer.list()) {
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
            existing.metadata.annotations!['mysql.backstage.io/instance']
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
    const entities = this.entities();
    await this.connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: `mysql-provider:${
          entity.metadata.annotations!['mysql.backstage.io/instance']
        }`,
      })),
    });
    this.logger.debug(`emitted ${entities.length} MySQL instance entities`);
  }
}
