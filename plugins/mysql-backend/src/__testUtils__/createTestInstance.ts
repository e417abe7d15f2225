import {
  buildMysqlManifests,
  generateInstancePasswords,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';

/**
 * Creates an instance's objects the way `mysql:provision` does (mysql:8.4
 * unless `image` says otherwise, a 1Gi volume, max_connections=100), for
 * tests and the benchmark. `memoryLimit` limits the server's container.
 * `clusterIpService: false` leaves out the
 * ClusterIP Service, which a fleet of hundreds cannot have in microk8s'
 * service range (the poller connects to pods, not Services).
 */
export async function createTestInstance(
  kc: k8s.KubeConfig,
  options: {
    name: string;
    namespace: string;
    owner: string;
    image?: string;
    clusterIpService?: boolean;
    memoryLimit?: string;
    storageClass?: string;
    /** Merged into the pod spec: node selector and tolerations. */
    scheduling?: Pick<k8s.V1PodSpec, 'nodeSelector' | 'tolerations'>;
  },
) {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const { namespace } = options;
  const manifests = buildMysqlManifests({
    name: options.name,
    namespace,
    owner: options.owner,
    image: options.image ?? 'mysql:8.4',
    storage: {
      size: '1Gi',
      storageClass: options.storageClass ?? 'microk8s-hostpath',
    },
    resources: options.memoryLimit
      ? { limits: { memory: options.memoryLimit } }
      : {},
    databaseName: 'app',
    username: 'app',
    config: { max_connections: '100' },
  });
  manifests.secret.stringData = {
    ...manifests.secret.stringData,
    ...generateInstancePasswords(),
  };
  Object.assign(manifests.statefulSet.spec!.template.spec!, options.scheduling);
  await core.createNamespacedSecret({ namespace, body: manifests.secret });
  await core.createNamespacedConfigMap({
    namespace,
    body: manifests.configMap,
  });
  await core.createNamespacedService({
    namespace,
    body: manifests.headlessService,
  });
  if (options.clusterIpService !== false) {
    await core.createNamespacedService({ namespace, body: manifests.service });
  }
  await apps.createNamespacedStatefulSet({
    namespace,
    body: manifests.statefulSet,
  });
}
