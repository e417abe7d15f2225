import { LoggerService } from '@backstage/backend-plugin-api';
import { formatInstanceRef, MYSQL_LABELS } from '@internal/plugin-mysql-common';
import {
  ManagedResource,
  ManagedWatch,
  MysqlClusters,
  watchManaged,
} from '@internal/plugin-mysql-node';
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
}

interface ClusterWatches {
  statefulsets: ManagedWatch<k8s.V1StatefulSet>;
  configmaps: ManagedWatch<k8s.V1ConfigMap>;
  pods: ManagedWatch<k8s.V1Pod>;
}

function instanceOf(cluster: string, obj?: k8s.KubernetesObject) {
  const name = obj?.metadata?.labels?.[MYSQL_LABELS.instance];
  const namespace = obj?.metadata?.namespace;
  return name && namespace
    ? formatInstanceRef({ cluster, namespace, name })
    : undefined;
}

/**
 * The managed StatefulSets, ConfigMaps and Pods of every cluster, kept up to
 * date by watches. Listeners hear which instance changed. `list` and `get`
 * show only the instances that `isRecorded` accepts (those the backend
 * created or adopted); `listAll` shows everything that carries our labels.
 */
export class InstanceCache {
  private readonly watches = new Map<string, ClusterWatches>();
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

  /** Calls `listener` each time every watch of a cluster has (re)connected. */
  onConnect(listener: (cluster: string) => void) {
    this.connectListeners.push(listener);
  }

  start() {
    for (const { name: cluster } of this.clusters.list()) {
      const watch = <T extends k8s.KubernetesObject>(
        resource: ManagedResource,
      ) =>
        watchManaged<T>({
          clusters: this.clusters,
          cluster,
          resource,
          logger: this.logger,
          onChange: (type, object) => {
            const refs =
              type === 'connect'
                ? this.listAll(cluster).map(i => i.ref)
                : [instanceOf(cluster, object)];
            for (const ref of refs) {
              if (!ref) continue;
              for (const listener of this.listeners) listener(ref, resource);
            }
            if (type === 'connect' && this.connected(cluster)) {
              for (const listener of this.connectListeners) listener(cluster);
            }
          },
        });
      this.watches.set(cluster, {
        statefulsets: watch<k8s.V1StatefulSet>('statefulsets'),
        configmaps: watch<k8s.V1ConfigMap>('configmaps'),
        pods: watch<k8s.V1Pod>('pods'),
      });
    }
  }

  async stop() {
    for (const w of this.watches.values()) {
      await Promise.all([
        w.statefulsets.stop(),
        w.configmaps.stop(),
        w.pods.stop(),
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

  /** Every recorded instance (one per managed StatefulSet), or those of one cluster. */
  list(onlyCluster?: string): InstanceObjects[] {
    return this.listAll(onlyCluster).filter(i => this.isRecorded(i.ref));
  }

  /** Every instance that carries our labels, recorded or not. */
  listAll(onlyCluster?: string): InstanceObjects[] {
    const out: InstanceObjects[] = [];
    for (const [cluster, w] of this.watches) {
      if (onlyCluster && cluster !== onlyCluster) continue;
      const configMaps = new Map(
        w.configmaps.list().map(cm => [instanceOf(cluster, cm), cm]),
      );
      const pods = new Map<string, k8s.V1Pod[]>();
      for (const pod of w.pods.list()) {
        const ref = instanceOf(cluster, pod);
        if (ref) pods.set(ref, [...(pods.get(ref) ?? []), pod]);
      }
      for (const sts of w.statefulsets.list()) {
        const ref = instanceOf(cluster, sts);
        if (
          !ref ||
          sts.metadata?.name !== sts.metadata?.labels?.[MYSQL_LABELS.instance]
        )
          continue;
        out.push({
          ref,
          cluster,
          namespace: sts.metadata!.namespace!,
          name: sts.metadata!.name!,
          statefulSet: sts,
          configMap: configMaps.get(ref),
          // A pod of a StatefulSet that was deleted and made again under
          // the same name says nothing about this one.
          pods: (pods.get(ref) ?? []).filter(pod =>
            pod.metadata?.ownerReferences?.some(
              owner => owner.uid === sts.metadata?.uid,
            ),
          ),
        });
      }
    }
    return out;
  }

  get(ref: string): InstanceObjects | undefined {
    const cluster = ref.split('/')[0];
    return this.list(cluster).find(i => i.ref === ref);
  }
}
