// The Kubernetes plugin's view of the sandbox cluster: the sandbox writes a
// new kubeconfig (new port, new token) at every start, so its cluster cannot
// live in static config; it is supplied from that file instead, read again
// whenever the file changes.

import {
  coreServices,
  createBackendModule,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import {
  ClusterDetails,
  KubernetesClustersSupplier,
  kubernetesClusterSupplierExtensionPoint,
} from '@backstage/plugin-kubernetes-node';
import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `kubernetes.sandbox`, as plain values.
 *
 * @public
 */
export interface KubeconfigClusterOptions {
  /** The cluster's name in the Kubernetes plugin. */
  name: string;
  /** The cluster's title in the Kubernetes tab. */
  title?: string;
  /** Absolute path of the kubeconfig (a token user). */
  kubeconfig: string;
  /** Whether the plugin skips asking for pod metrics (no metrics server). */
  skipMetricsLookup: boolean;
}

/**
 * Reads `kubernetes.sandbox`; undefined when it is not set (or set to null
 * in a later config file).
 *
 * @public
 */
export function readKubeconfigCluster(
  config: Config,
): KubeconfigClusterOptions | undefined {
  const sandbox = config.getOptionalConfig('kubernetes.sandbox');
  if (!sandbox) return undefined;
  return {
    name: sandbox.getOptionalString('name') ?? 'sandbox',
    title: sandbox.getOptionalString('title'),
    // Relative to the backend's working folder (packages/backend), as the
    // catalog's file locations and mysql.clusters[].kubeconfig are.
    kubeconfig: path.resolve(sandbox.getString('kubeconfig')),
    skipMetricsLookup: sandbox.getOptionalBoolean('skipMetricsLookup') ?? true,
  };
}

/**
 * The cluster a kubeconfig's current context names, for the Kubernetes
 * plugin: its server, its CA, and its user's bearer token as a service
 * account token.
 *
 * @public
 */
export function clusterFromKubeconfig(
  file: string,
  options: Omit<KubeconfigClusterOptions, 'kubeconfig'>,
): ClusterDetails {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${file} names no current cluster`);
  const token = kc.getCurrentUser()?.token;
  if (!token) throw new Error(`${file} has no token for its current user`);
  return {
    name: options.name,
    ...(options.title && { title: options.title }),
    url: cluster.server,
    caData: cluster.caData,
    caFile: cluster.caFile,
    skipTLSVerify: cluster.skipTLSVerify,
    skipMetricsLookup: options.skipMetricsLookup,
    authMetadata: {
      [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: 'serviceAccount',
      serviceAccountToken: token,
    },
  };
}

/**
 * Supplies the one cluster of a kubeconfig file that is rewritten while the
 * backend runs. Each call looks at the file (one stat) and parses it again
 * only when it changed; while it does not exist (the sandbox is starting,
 * or not used) there is no cluster, and no error.
 *
 * @public
 */
export class KubeconfigClusterSupplier implements KubernetesClustersSupplier {
  private cached?: { stamp: string; clusters: ClusterDetails[] };

  private constructor(
    private readonly options: KubeconfigClusterOptions,
    private readonly logger: LoggerService,
  ) {}

  static create(options: KubeconfigClusterOptions, logger: LoggerService) {
    return new KubeconfigClusterSupplier(options, logger);
  }

  async getClusters(): Promise<ClusterDetails[]> {
    const { kubeconfig, ...cluster } = this.options;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(kubeconfig);
    } catch {
      if (this.cached) {
        this.logger.info(`cluster ${cluster.name} is gone: no ${kubeconfig}`);
      }
      this.cached = undefined;
      return [];
    }
    const stamp = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    if (this.cached?.stamp !== stamp) {
      let clusters: ClusterDetails[] = [];
      try {
        clusters = [clusterFromKubeconfig(kubeconfig, cluster)];
        this.logger.info(
          `cluster ${cluster.name} at ${clusters[0].url}, from ${kubeconfig}`,
        );
      } catch (error) {
        this.logger.warn(
          `cluster ${cluster.name} left out: cannot use ${kubeconfig}: ${error}`,
        );
      }
      this.cached = { stamp, clusters };
    }
    return this.cached.clusters;
  }
}

/**
 * The clusters of `kubernetes.clusterLocatorMethods` followed by the
 * kubeconfig's, which is left out when a configured cluster has its name.
 *
 * @public
 */
export function withKubeconfigCluster(
  configured: KubernetesClustersSupplier,
  kubeconfig: KubernetesClustersSupplier,
): KubernetesClustersSupplier {
  return {
    async getClusters(options) {
      const [first, more] = await Promise.all([
        configured.getClusters(options),
        kubeconfig.getClusters(options),
      ]);
      const names = new Set(first.map(c => c.name));
      return [...first, ...more.filter(c => !names.has(c.name))];
    },
  };
}

/**
 * Adds the cluster of `kubernetes.sandbox.kubeconfig` (the sandbox's
 * read-only `kubernetes-plugin.kubeconfig`) to the Kubernetes plugin's
 * clusters, next to those of `kubernetes.clusterLocatorMethods`.
 *
 * @public
 */
export const kubernetesModuleSandboxClusters = createBackendModule({
  pluginId: 'kubernetes',
  moduleId: 'sandbox-clusters',
  register(env) {
    env.registerInit({
      deps: {
        clusters: kubernetesClusterSupplierExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ clusters, config, logger }) {
        const options = readKubeconfigCluster(config);
        if (!options) return;
        const sandbox = KubeconfigClusterSupplier.create(options, logger);
        clusters.addClusterSupplier(async ({ getDefault }) =>
          withKubeconfigCluster(await getDefault(), sandbox),
        );
      },
    });
  },
});

export default kubernetesModuleSandboxClusters;
