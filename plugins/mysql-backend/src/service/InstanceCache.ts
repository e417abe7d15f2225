import { LoggerService } from '@backstage/backend-plugin-api';
import {
  formatInstanceRef,
  MYSQL_LABELS,
} from '@mysql-portal/plugin-mysql-common';
import {
  ManagedResource,
  ManagedWatch,
  MysqlClusters,
  MysqlInstanceResource,
  watchManaged,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';

/** Everything the watches know about one instance. */
export interface InstanceObjects {
  ref: string;
  cluster: string;
  namespace: string;
  name: string;
  statefulSet: k8s.V1StatefulSet;
  configMap?: k8s.V1ConfigMap;
  pods: k8s.V1Pod[];
  /** The instance's MysqlInstance; absent until it is made or adopted. */
  resource?: MysqlInstanceResource;
}

interface ClusterWatches {
  statefulsets: ManagedWatch<k8s.V1StatefulSet>;
  configmaps: ManagedWatch<k8s.V1ConfigMap>;
  pods: ManagedWatch<k8s.V1Pod>;
  mysqlinstances: ManagedWatch<MysqlInstanceResource>;
}

/** One cluster's objects by instance ref, kept current from watch events. */
interface ClusterIndex {
  statefulsets: Map<string, k8s.V1StatefulSet>;
  configmaps: Map<string, k8s.V1ConfigMap>;
  mysqlinstances: Map<string, MysqlInstanceResource>;
  /** By instance ref, then by pod UID. */
  pods: Map<string, Map<string, k8s.V1Pod>>;
}

function instanceOf(cluster: string, obj?: k8s.KubernetesObject) {
  const name = obj?.metadata?.labels?.[MYSQL_LABELS.instance];
  const namespace = obj?.metadata?.namespace;
  return name && namespace
    ? formatInstanceRef({ cluster, namespace, name })
    : undefined;
}

/** Applies one watch event (or, with `all`, a fresh complete list) to the index. */
function indexEvent(
  index: ClusterIndex,
  cluster: string,
  resource: ManagedResource,
  type: 'add' | 'update' | 'delete',
  object: k8s.KubernetesObject,
) {
  const ref = instanceOf(cluster, object);
  if (!ref) return;
  if (resource === 'pods') {
    const uid = object.metadata?.uid ?? object.metadata?.name ?? '';
    const pods = index.pods.get(ref) ?? new Map<string, k8s.V1Pod>();
    if (type === 'delete') pods.delete(uid);
    else pods.set(uid, object as k8s.V1Pod);
    if (pods.size === 0) index.pods.delete(ref);
    else index.pods.set(ref, pods);
    return;
  }
  const map = index[resource] as Map<string, k8s.KubernetesObject>;
  // Only the StatefulSet named as the instance is the instance; a
  // ConfigMap of ours is named so too.
  if (
    object.metadata?.name !== object.metadata?.labels?.[MYSQL_LABELS.instance]
  )
    return;
  if (type === 'delete') {
    if (map.get(ref)?.metadata?.uid === object.metadata?.uid) map.delete(ref);
  } else {
    map.set(ref, object);
  }
}

/**
 * The managed StatefulSets, ConfigMaps and Pods of every cluster, kept up to
 * date by watches. Listeners hear which instance changed. `list` and `get`
 * show only the instances that `isRecorded` accepts (those the backend
 * created or adopted); `listAll` shows everything that carries our labels.
 */
export class InstanceCache {
  private readonly watches = new Map<string, ClusterWatches>();
  private readonly indexes = new Map<string, ClusterIndex>();
  private readonly listeners: Array<
    (ref: string, kind?: ManagedResource) => void
  > = [];
  private readonly connectListeners: Array<(cluster: string) => void> = [];

  constructor(
    private readonly clusters: MysqlClusters,
    private readonly logger: LoggerService,
    private readonly isRecorded: (ref: string) => boolean = () => true,
  ) {}

  /** Calls `listener` with the instance ref (and the kind) of every change. */
  onChange(listener: (ref: string, kind?: ManagedResource) => void) {
    this.listeners.push(listener);
  }

  /**
   * Calls `listener` each time every watch of a cluster has (re)connected,
   * the MysqlInstance watch included: in a cluster without its definition
   * that is never.
   */
  onConnect(listener: (cluster: string) => void) {
    this.connectListeners.push(listener);
  }

  start() {
    for (const { name: cluster } of this.clusters.list()) {
      const index: ClusterIndex = {
        statefulsets: new Map(),
        configmaps: new Map(),
        mysqlinstances: new Map(),
        pods: new Map(),
      };
      this.indexes.set(cluster, index);
      const watch = <T extends k8s.KubernetesObject>(
        resource: ManagedResource,
      ): ManagedWatch<T> => {
        const managed: ManagedWatch<T> = watchManaged<T>({
          clusters: this.clusters,
          cluster,
          resource,
          logger: this.logger,
          onChange: (type, object) => {
            if (type === 'connect') {
              // A watch that (re)connected brings its complete list: what
              // it no longer has was deleted meanwhile.
              if (resource === 'pods') index.pods.clear();
              else index[resource].clear();
              for (const item of managed.list()) {
                indexEvent(index, cluster, resource, 'add', item);
              }
            } else if (object) {
              indexEvent(index, cluster, resource, type, object);
            }
            const refs =
              type === 'connect'
                ? this.listAll(cluster).map(i => i.ref)
                : [instanceOf(cluster, object)];
            for (const ref of refs) {
              if (!ref) continue;
              for (const listener of this.listeners) listener(ref, resource);
            }
            if (
              type === 'connect' &&
              this.connected(cluster) &&
              this.watches.get(cluster)?.mysqlinstances.connected()
            ) {
              for (const listener of this.connectListeners) listener(cluster);
            }
          },
        });
        return managed;
      };
      this.watches.set(cluster, {
        statefulsets: watch<k8s.V1StatefulSet>('statefulsets'),
        configmaps: watch<k8s.V1ConfigMap>('configmaps'),
        pods: watch<k8s.V1Pod>('pods'),
        mysqlinstances: watch<MysqlInstanceResource>('mysqlinstances'),
      });
    }
  }

  async stop() {
    for (const w of this.watches.values()) {
      await Promise.all([
        w.statefulsets.stop(),
        w.configmaps.stop(),
        w.pods.stop(),
        w.mysqlinstances.stop(),
      ]);
    }
  }

  /** Whether all watches of the cluster (or of one of its namespaces) are connected. */
  connected(cluster: string, namespace?: string) {
    const w = this.watches.get(cluster);
    return (
      !!w &&
      w.statefulsets.connected(namespace) &&
      w.configmaps.connected(namespace) &&
      w.pods.connected(namespace)
    );
  }

  /**
   * Whether the MysqlInstance watch of the namespace has listed: until
   * then (or in a cluster without the CRD) a missing resource is unknown,
   * not absent. It is apart from `connected`, so that a cluster where the
   * CRD is not installed yet still serves everything else.
   */
  resourcesConnected(cluster: string, namespace: string) {
    return !!this.watches.get(cluster)?.mysqlinstances.connected(namespace);
  }

  /** Every recorded instance (one per managed StatefulSet), or those of one cluster. */
  list(onlyCluster?: string): InstanceObjects[] {
    return this.listAll(onlyCluster).filter(i => this.isRecorded(i.ref));
  }

  /** Every instance that carries our labels, recorded or not. */
  listAll(onlyCluster?: string): InstanceObjects[] {
    const out: InstanceObjects[] = [];
    for (const [cluster, index] of this.indexes) {
      if (onlyCluster && cluster !== onlyCluster) continue;
      for (const ref of index.statefulsets.keys()) {
        out.push(this.objectsOf(cluster, index, ref)!);
      }
    }
    return out;
  }

  /** The objects of one recorded instance; constant time. */
  get(ref: string): InstanceObjects | undefined {
    if (!this.isRecorded(ref)) return undefined;
    const cluster = ref.split('/')[0];
    const index = this.indexes.get(cluster);
    return index && this.objectsOf(cluster, index, ref);
  }

  private objectsOf(
    cluster: string,
    index: ClusterIndex,
    ref: string,
  ): InstanceObjects | undefined {
    const sts = index.statefulsets.get(ref);
    if (!sts) return undefined;
    return {
      ref,
      cluster,
      namespace: sts.metadata!.namespace!,
      name: sts.metadata!.name!,
      statefulSet: sts,
      configMap: index.configmaps.get(ref),
      resource: index.mysqlinstances.get(ref),
      // A pod of a StatefulSet that was deleted and made again under the
      // same name says nothing about this one.
      pods: [...(index.pods.get(ref)?.values() ?? [])].filter(pod =>
        pod.metadata?.ownerReferences?.some(
          owner => owner.uid === sts.metadata?.uid,
        ),
      ),
    };
  }
}
