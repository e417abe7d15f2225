import { Config } from '@backstage/config';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { isDnsLabel } from '@mysql-portal/plugin-mysql-common';
import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';

/**
 * One entry of `mysql.clusters`, as plain values.
 *
 * @public
 */
export interface MysqlClusterConfig {
  name: string;
  kubeconfig?: string;
  context?: string;
  url?: string;
  caData?: string;
  token?: string;
  skipTLSVerify?: boolean;
  inCluster?: boolean;
  defaultNamespace: string;
  /** Namespaces where instances may be created and are watched; includes `defaultNamespace`. */
  allowedNamespaces: string[];
  podAccess: 'podIP' | 'serviceDns';
  /** How long an API call may wait for the API server's answer. */
  requestTimeoutSeconds: number;
}

/**
 * Reads `mysql.clusters`. Each entry needs exactly one way in: `kubeconfig`,
 * `url` with `token`, or `inCluster`.
 *
 * @public
 */
export function readMysqlClusters(config: Config): MysqlClusterConfig[] {
  const entries = config.getOptionalConfigArray('mysql.clusters') ?? [];
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const where = `mysql.clusters[${index}]`;
    const name = entry.getString('name');
    if (!isDnsLabel(name)) {
      throw new InputError(
        `${where}.name "${name}" must be a DNS label (a-z, 0-9, -)`,
      );
    }
    if (seen.has(name))
      throw new InputError(`${where}.name "${name}" is used twice`);
    seen.add(name);
    const defaultNamespace =
      entry.getOptionalString('defaultNamespace') ?? 'default';
    const cluster: MysqlClusterConfig = {
      name,
      kubeconfig: entry.getOptionalString('kubeconfig'),
      context: entry.getOptionalString('context'),
      url: entry.getOptionalString('url'),
      caData: entry.getOptionalString('caData'),
      token: entry.getOptionalString('token'),
      skipTLSVerify: entry.getOptionalBoolean('skipTLSVerify'),
      inCluster: entry.getOptionalBoolean('inCluster'),
      defaultNamespace,
      allowedNamespaces: entry.getOptionalStringArray('allowedNamespaces') ?? [
        defaultNamespace,
      ],
      podAccess: readPodAccess(entry.getOptionalString('podAccess'), where),
      requestTimeoutSeconds: readRequestTimeout(
        entry.getOptionalNumber('requestTimeoutSeconds'),
        where,
      ),
    };
    const ways = [cluster.kubeconfig, cluster.url, cluster.inCluster].filter(
      Boolean,
    );
    if (ways.length !== 1) {
      throw new InputError(
        `${where} (${name}) needs exactly one of kubeconfig, url (with token) or inCluster`,
      );
    }
    if (cluster.url && !cluster.token) {
      throw new InputError(`${where} (${name}) has a url but no token`);
    }
    if (!isDnsLabel(cluster.defaultNamespace)) {
      throw new InputError(`${where}.defaultNamespace must be a DNS label`);
    }
    for (const namespace of cluster.allowedNamespaces) {
      if (!isDnsLabel(namespace)) {
        throw new InputError(
          `${where}.allowedNamespaces: "${namespace}" must be a DNS label`,
        );
      }
    }
    if (!cluster.allowedNamespaces.includes(cluster.defaultNamespace)) {
      throw new InputError(
        `${where}.allowedNamespaces must include defaultNamespace "${cluster.defaultNamespace}"`,
      );
    }
    return cluster;
  });
}

function readRequestTimeout(value: number | undefined, where: string) {
  if (value === undefined) return 30;
  if (Number.isFinite(value) && value >= 1 && value <= 600) return value;
  throw new InputError(
    `${where}.requestTimeoutSeconds must be from 1 to 600, not ${value}`,
  );
}

/**
 * An API client of `kubeConfig`'s current cluster whose every call fails
 * with a TimeoutError after `timeoutMs`. Without it a call waits as long as
 * undici lets it (5 minutes for the headers), and the controller that made
 * it waits too. Watches are not made with these clients.
 */
function timedApiClient<T>(
  kubeConfig: k8s.KubeConfig,
  ApiClass: new (configuration: k8s.Configuration) => T,
  timeoutMs: number,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return new ApiClass(
    k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [
        {
          pre: async context => {
            context.setSignal(AbortSignal.timeout(timeoutMs));
            return context;
          },
          post: async response => response,
        },
      ],
    }),
  );
}

function readPodAccess(value: string | undefined, where: string) {
  if (value === undefined || value === 'podIP' || value === 'serviceDns') {
    return value ?? 'podIP';
  }
  throw new InputError(
    `${where}.podAccess must be podIP or serviceDns, not "${value}"`,
  );
}

function loadKubeConfig(cluster: MysqlClusterConfig): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (cluster.inCluster) {
    kc.loadFromCluster();
  } else if (cluster.kubeconfig) {
    const file = path.resolve(cluster.kubeconfig);
    if (!fs.existsSync(file)) {
      throw new ServiceUnavailableError(
        `cluster ${cluster.name} is not reachable yet: ${file} does not exist` +
          ' (the sandbox cluster writes it once it has started)',
      );
    }
    kc.loadFromFile(file);
    if (cluster.context) kc.setCurrentContext(cluster.context);
  } else {
    kc.loadFromOptions({
      clusters: [
        {
          name: cluster.name,
          server: cluster.url!,
          caData: cluster.caData,
          skipTLSVerify: cluster.skipTLSVerify ?? false,
        },
      ],
      users: [{ name: 'backstage', token: cluster.token }],
      contexts: [
        { name: cluster.name, cluster: cluster.name, user: 'backstage' },
      ],
      currentContext: cluster.name,
    });
  }
  return kc;
}

/**
 * API clients for one cluster. Each call fails after the cluster's
 * `requestTimeoutSeconds`.
 *
 * @public
 */
export interface MysqlClusterClient {
  config: MysqlClusterConfig;
  kubeConfig: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  batch: k8s.BatchV1Api;
  /** For MysqlInstance resources. */
  custom: k8s.CustomObjectsApi;
}

/**
 * Clients for the configured clusters. A kubeconfig file is read when a
 * cluster is first used, and read again when it changes: the sandbox writes a
 * new one, with a new port and token, each time it starts.
 *
 * @public
 */
export class MysqlClusters {
  private readonly cache = new Map<
    string,
    { stamp: string; client: MysqlClusterClient }
  >();

  static fromConfig(config: Config): MysqlClusters {
    return new MysqlClusters(readMysqlClusters(config));
  }

  constructor(private readonly clusters: MysqlClusterConfig[]) {}

  /** The configured clusters, the default first. */
  list(): MysqlClusterConfig[] {
    return this.clusters;
  }

  /** The named cluster's config; the default one when `name` is undefined. */
  resolve(name?: string): MysqlClusterConfig {
    if (this.clusters.length === 0) {
      throw new NotFoundError(
        'no cluster is configured: add one under mysql.clusters in app-config',
      );
    }
    if (name === undefined) return this.clusters[0];
    const cluster = this.clusters.find(c => c.name === name);
    if (!cluster) {
      throw new InputError(
        `cluster "${name}" is not configured; choose one of: ${this.clusters
          .map(c => c.name)
          .join(', ')}`,
      );
    }
    return cluster;
  }

  /** Clients for the named (or default) cluster. */
  client(name?: string): MysqlClusterClient {
    const config = this.resolve(name);
    const stamp =
      config.kubeconfig && fs.existsSync(config.kubeconfig)
        ? String(fs.statSync(config.kubeconfig).mtimeMs)
        : 'static';
    const cached = this.cache.get(config.name);
    if (cached && cached.stamp === stamp) return cached.client;
    const kubeConfig = loadKubeConfig(config);
    const timeoutMs = config.requestTimeoutSeconds * 1000;
    const client = {
      config,
      kubeConfig,
      core: timedApiClient(kubeConfig, k8s.CoreV1Api, timeoutMs),
      apps: timedApiClient(kubeConfig, k8s.AppsV1Api, timeoutMs),
      batch: timedApiClient(kubeConfig, k8s.BatchV1Api, timeoutMs),
      custom: timedApiClient(kubeConfig, k8s.CustomObjectsApi, timeoutMs),
    };
    this.cache.set(config.name, { stamp, client });
    return client;
  }
}
