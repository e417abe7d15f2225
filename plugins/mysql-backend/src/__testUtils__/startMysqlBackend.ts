import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { waitUntil } from '@mysql-portal/k8s-sandbox';
import * as k8s from '@kubernetes/client-node';
import { Knex } from 'knex';
import request from 'supertest';
import { mysqlPlugin } from '../plugin';

/** What the integration suites vary in the backend they start. */
export interface TestMysqlBackendOptions {
  knex: Knex;
  kubeconfig: string;
  namespace: string;
  /** The one instance, whose entity the catalog double holds. */
  name: string;
  mode?: 'restart' | 'online';
  pollSeconds?: number;
}

/**
 * The mysql backend plugin against a sandbox cluster, with the real
 * scheduler (the mock one runs tasks only at startup), the given database
 * and a catalog double that holds the instance's entity as the catalog
 * module makes it: the backend trusts no other.
 */
export function startMysqlBackend(options: TestMysqlBackendOptions) {
  const { namespace, name } = options;
  return startTestBackend({
    features: [
      mysqlPlugin,
      eventsServiceFactory,
      mockServices.database.factory({ knex: options.knex }),
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: {
              name,
              namespace: 'default',
              annotations: {
                'backstage.io/managed-by-location': `mysql-provider:sandbox/${namespace}/${name}`,
              },
            },
            spec: { type: 'database', owner: 'group:default/team-a' },
          },
        ],
      }),
      schedulerServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          mysql: {
            clusters: [
              {
                name: 'sandbox',
                kubeconfig: options.kubeconfig,
                defaultNamespace: namespace,
              },
            ],
            poller: {
              frequencySeconds: options.pollSeconds ?? 2,
              timeoutSeconds: 2,
            },
            reconciler: {
              mode: options.mode ?? 'restart',
              rolloutTimeoutSeconds: 90,
              stableSeconds: 2,
            },
          },
        },
      }),
    ],
  });
}

/** The instance's detail through the router, as a signed-in user. */
export async function readDetail(server: any, base: string) {
  const res = await request(server)
    .get(base)
    .set('Authorization', mockCredentials.user.header());
  if (res.status !== 200)
    throw new Error(`GET ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits until the instance runs its desired configuration and says so. */
export function waitSettled(
  read: () => Promise<any>,
  check: (detail: any) => boolean = () => true,
) {
  return waitUntil('the instance to settle', async () => {
    const d = await read();
    if (
      d.status.phase === 'Running' &&
      d.config.pending.length === 0 &&
      check(d)
    )
      return d;
    throw new Error(
      `not settled: ${JSON.stringify({
        status: d.status,
        config: d.config,
        version: d.version,
      })}`,
    );
  });
}

/** Waits until the reconciler has recorded a rollout on the StatefulSet, and returns it. */
export function waitForRollout(
  apps: k8s.AppsV1Api,
  namespace: string,
  name: string,
) {
  return waitUntil('the rollout to start', async () => {
    const sts = await apps.readNamespacedStatefulSet({ name, namespace });
    return sts.metadata?.annotations?.['mysql.backstage.io/rollout']
      ? sts
      : undefined;
  });
}
