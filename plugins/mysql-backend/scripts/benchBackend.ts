/*
 * The real backend plugin for the benchmark, in this process: started with
 * startTestBackend (the real scheduler, PostgreSQL), talking to the sandbox
 * as the backend's own service account, and called over HTTP.
 */
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import {
  instanceLocation,
  MysqlClusters,
} from '@mysql-portal/plugin-mysql-node';
import { Knex } from 'knex';
import { mysqlPlugin } from '../src/plugin';
import { InstanceCache } from '../src/service/InstanceCache';
import { InstanceRecords } from '../src/service/InstanceRecords';
import { MysqlStore } from '../src/service/MysqlStore';
import { Poller, PollerOptions } from '../src/service/Poller';
import { FleetMember, NAMESPACE, OWNER } from './benchFleet';

export const CLUSTER = 'bench';
export const POLLER: PollerOptions = {
  frequencySeconds: 30,
  timeoutSeconds: 5,
  concurrency: 100,
};

export { createDatabase } from './benchDatabase';

export function mysqlConfig(
  kubeconfig: string,
  mode: 'restart' | 'online' = 'restart',
): JsonObject {
  return {
    mysql: {
      clusters: [{ name: CLUSTER, kubeconfig, defaultNamespace: NAMESPACE }],
      poller: { ...POLLER },
      reconciler: { mode },
    },
  };
}

/**
 * The catalog's entities for the fleet, as the catalog module makes them:
 * the backend trusts no other for permission checks.
 */
function entities(members: FleetMember[]) {
  return members.map(m => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: m.name,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': instanceLocation(
          `${CLUSTER}/${NAMESPACE}/${m.name}`,
        ),
      },
    },
    spec: { type: 'database', owner: OWNER },
  }));
}

/** Starts the mysql backend plugin, as the integration test does. */
export async function startBackend(options: {
  knex: Knex;
  kubeconfig: string;
  members: FleetMember[];
  logLevel: 'none' | 'error' | 'warn' | 'info';
  mode?: 'restart' | 'online';
}) {
  const backend = await startTestBackend({
    features: [
      mysqlPlugin,
      eventsServiceFactory,
      mockServices.database.factory({ knex: options.knex }),
      mockServices.rootLogger.factory({ level: options.logLevel }),
      catalogServiceMock.factory({ entities: entities(options.members) }),
      // The real scheduler: the mock one runs tasks only at startup.
      schedulerServiceFactory,
      mockServices.rootConfig.factory({
        data: mysqlConfig(options.kubeconfig, options.mode),
      }),
    ],
  });
  return {
    backend,
    api: apiClient(`http://localhost:${backend.server.port()}`),
  };
}

export type BenchApi = ReturnType<typeof apiClient>;

/** The REST API over real HTTP, as a signed-in user. */
function apiClient(baseUrl: string) {
  const authorization = mockCredentials.user.header();
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}/api/mysql${path}`, {
      method,
      headers: {
        authorization,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    if (!res.ok) {
      throw new Error(
        `${method} ${path}: ${res.status} ${JSON.stringify(json)}`,
      );
    }
    return json;
  };
  const instance = (name: string) =>
    `/instances/${CLUSTER}/${NAMESPACE}/${name}`;
  return {
    list: () => call('GET', '/instances'),
    /** `GET /instances` with a query, as the fleet page asks it. */
    fleet: (query: string) => call('GET', `/instances?${query}`),
    detail: (name: string) => call('GET', instance(name)),
    putConfig: (name: string, config: object, resourceVersion: string) =>
      call('PUT', `${instance(name)}/config`, { config, resourceVersion }),
  };
}

const quiet = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => quiet,
} as any;

/**
 * A Poller built as the plugin builds its own (same classes, options and
 * database), whose `pollDue` can be timed: the plugin's sits inside its
 * scheduled task. At a frequency of 1 s every instance is due at every
 * call, so each call is one full cycle. It talks to the cluster as `kubeconfig`'s user, so that
 * its requests do not count as the backend's.
 */
export async function benchPoller(knex: Knex, kubeconfig: string) {
  const clusters = MysqlClusters.fromConfig(
    new ConfigReader(mysqlConfig(kubeconfig)),
  );
  const records = await InstanceRecords.create(knex);
  const cache = new InstanceCache(clusters, quiet, ref => !!records.get(ref));
  const poller = new Poller(clusters, cache, new MysqlStore(knex), quiet, {
    ...POLLER,
    frequencySeconds: 1,
  });
  cache.start();
  return { cache, poller, records };
}
