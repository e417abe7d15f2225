import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MYSQL_LABELS,
  MYSQL_MANAGED_BY,
} from '@mysql-portal/plugin-mysql-common';
import * as k8s from '@kubernetes/client-node';
import { MysqlClusters } from './clusters';
import { MYSQL_INSTANCE_API } from './mysqlInstance';

const SELECTOR = `${MYSQL_LABELS.managedBy}=${MYSQL_MANAGED_BY}`;
const RETRY_MS = 5000;

/**
 * The kinds of managed objects that can be watched.
 *
 * @public
 */
export type ManagedResource =
  | 'statefulsets'
  | 'configmaps'
  | 'pods'
  | 'mysqlinstances';

const API_PATHS: Record<ManagedResource, string> = {
  statefulsets: '/apis/apps/v1',
  configmaps: '/api/v1',
  pods: '/api/v1',
  mysqlinstances: `/apis/${MYSQL_INSTANCE_API.group}/${MYSQL_INSTANCE_API.version}`,
};

function watchPath(resource: ManagedResource, namespace: string) {
  return `${API_PATHS[resource]}/namespaces/${namespace}/${resource}`;
}

/**
 * A watch over the objects of one kind that carry our managed-by label, in
 * the allowed namespaces of one cluster.
 *
 * @public
 */
export interface ManagedWatch<T extends k8s.KubernetesObject> {
  /** The objects seen so far (empty until the first list completes). */
  list(): T[];
  /**
   * Whether the watch of `namespace` (or of every namespace) has listed
   * its objects and is watching; false while the cluster does not answer.
   */
  connected(namespace?: string): boolean;
  stop(): Promise<void>;
}

/**
 * What to watch, and whom to tell.
 *
 * @public
 */
export interface ManagedWatchOptions<T extends k8s.KubernetesObject> {
  clusters: MysqlClusters;
  cluster: string;
  resource: ManagedResource;
  logger: LoggerService;
  onChange: (type: 'add' | 'update' | 'delete' | 'connect', object?: T) => void;
}

/**
 * Watches managed objects of one kind in the cluster's `allowedNamespaces`
 * (one watch per namespace, so the backend needs no cluster-wide rights)
 * and calls `onChange` on every event. `connect` comes once every
 * namespace's first list has completed.
 *
 * @public
 */
export function watchManaged<T extends k8s.KubernetesObject>(
  options: ManagedWatchOptions<T>,
): ManagedWatch<T> {
  const { clusters, cluster } = options;
  const namespaces = clusters.resolve(cluster).allowedNamespaces;
  const watches: Array<ManagedWatch<T> & { namespace: string }> = [];
  const onChange: typeof options.onChange = (type, object) => {
    if (type !== 'connect' || watches.every(w => w.connected())) {
      options.onChange(type, object);
    }
  };
  for (const namespace of namespaces) {
    watches.push({
      ...watchNamespace({ ...options, namespace, onChange }),
      namespace,
    });
  }
  return {
    list: () => watches.flatMap(w => w.list()),
    connected: namespace =>
      watches
        .filter(w => namespace === undefined || w.namespace === namespace)
        .every(w => w.connected()),
    stop: async () => {
      await Promise.all(watches.map(w => w.stop()));
    },
  };
}

/**
 * Watches one namespace. A cluster that does not answer, or a watch that
 * fails, is retried every 5 s with a freshly loaded client, since the
 * sandbox writes a new kubeconfig each time it starts.
 */
function watchNamespace<T extends k8s.KubernetesObject>(
  options: ManagedWatchOptions<T> & { namespace: string },
): ManagedWatch<T> {
  const { clusters, cluster, namespace, resource, logger, onChange } = options;
  let informer: (k8s.Informer<T> & k8s.ObjectCache<T>) | undefined;
  let connected = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reported = false;

  const retry = (why: string) => {
    connected = false;
    informer = undefined;
    if (stopped) return;
    if (!reported) {
      logger.warn(
        `watching ${resource} in ${namespace} of cluster ${cluster}: ${why}; retrying every ${
          RETRY_MS / 1000
        }s`,
      );
      reported = true;
    }
    timer = setTimeout(start, RETRY_MS);
  };

  function start() {
    if (stopped) return;
    let client;
    try {
      client = clusters.client(cluster);
    } catch (error) {
      retry((error as Error).message);
      return;
    }
    const list = (): Promise<k8s.KubernetesListObject<T>> => {
      const args = { namespace, labelSelector: SELECTOR };
      switch (resource) {
        case 'statefulsets':
          return client.apps.listNamespacedStatefulSet(args) as any;
        case 'configmaps':
          return client.core.listNamespacedConfigMap(args) as any;
        case 'mysqlinstances':
          return client.custom.listNamespacedCustomObject({
            ...args,
            group: MYSQL_INSTANCE_API.group,
            version: MYSQL_INSTANCE_API.version,
            plural: MYSQL_INSTANCE_API.plural,
          });
        default:
          return client.core.listNamespacedPod(args) as any;
      }
    };
    const current = k8s.makeInformer<T>(
      client.kubeConfig,
      watchPath(resource, namespace),
      list,
      SELECTOR,
    );
    informer = current;
    current.on('add', (obj: T) => onChange('add', obj));
    current.on('update', (obj: T) => onChange('update', obj));
    current.on('delete', (obj: T) => onChange('delete', obj));
    current.on('error', (error: unknown) => {
      if (informer !== current) return;
      const why = (error as Error)?.message ?? String(error);
      retry(
        resource === 'mysqlinstances' &&
          (error as { code?: number })?.code === 404
          ? `${why} (the cluster does not know MysqlInstance: kubectl apply -f deploy/crds/)`
          : why,
      );
    });
    // The informer's own 'connect' event comes before its first list;
    // start() resolves once the list is in and the watch runs.
    current
      .start()
      .then(() => {
        if (informer !== current) return;
        connected = true;
        if (reported) {
          logger.info(
            `watching ${resource} in ${namespace} of cluster ${cluster} again`,
          );
        }
        reported = false;
        onChange('connect');
      })
      .catch(() => {
        // reported through the 'error' event
      });
  }

  start();
  return {
    list: () => [...(informer?.list() ?? [])],
    connected: () => connected,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await informer?.stop();
    },
  };
}
