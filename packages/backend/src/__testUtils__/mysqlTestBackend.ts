import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import catalogModuleMysql from '@mysql-portal/plugin-catalog-backend-module-mysql';
import mysqlPlugin from '@mysql-portal/plugin-mysql-backend';
import { TestSandbox, waitUntil } from '@mysql-portal/k8s-sandbox';
import scaffolderModuleMysql from '@mysql-portal/plugin-scaffolder-backend-module-mysql';
import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';

/** The repository root, from packages/backend/src/__testUtils__. */
export const root = path.resolve(__dirname, '..', '..', '..', '..');

/** deploy/rbac.yaml binds the backend's account in this namespace only. */
export const NAMESPACE = 'databases';

/** The backend's own least-privilege account from deploy/rbac.yaml. */
async function serviceAccountToken(sandbox: TestSandbox) {
  const core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  const apply = spawnSync(
    'kubectl',
    ['apply', '-f', path.join(root, 'deploy', 'rbac.yaml')],
    {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfig },
    },
  );
  if (apply.status !== 0)
    throw new Error(`kubectl apply failed: ${apply.stderr}`);
  const secretName = await waitUntil('the service account token', async () => {
    const sa = await core.readNamespacedServiceAccount({
      name: 'backstage-mysql',
      namespace: 'backstage',
    });
    return sa.secrets?.[0]?.name;
  });
  const secret = await core.readNamespacedSecret({
    name: secretName,
    namespace: 'backstage',
  });
  return Buffer.from(secret.data!.token, 'base64').toString('utf8');
}

/**
 * The portal's backend (catalog, scaffolder with the template, the mysql
 * plugins, the real scheduler) against the sandbox, as the backend's
 * least-privilege account. `mysql` is merged into the mysql config;
 * `cluster` into the sandbox cluster's entry; `config` into the top level;
 * `features` are added.
 */
export async function startMysqlTestBackend(
  sandbox: TestSandbox,
  extra: {
    mysql?: object;
    cluster?: object;
    config?: object;
    features?: BackendFeature[];
  } = {},
) {
  const token = await serviceAccountToken(sandbox);
  const cluster = sandbox.kc.getCurrentCluster()!;
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleTemplateKind,
      scaffolderPlugin,
      scaffolderModuleMysql,
      catalogModuleMysql,
      mysqlPlugin,
      eventsServiceFactory,
      // The real scheduler: the mock one runs tasks only at startup.
      schedulerServiceFactory,
      ...(extra.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          ...extra.config,
          catalog: {
            rules: [{ allow: ['Template', 'Resource', 'Group', 'User'] }],
            locations: [
              {
                type: 'file',
                target: path.join(
                  root,
                  'examples',
                  'templates',
                  'mysql-database',
                  'template.yaml',
                ),
              },
            ],
          },
          mysql: {
            clusters: [
              {
                name: 'sandbox',
                url: cluster.server,
                caData: cluster.caData,
                token,
                defaultNamespace: NAMESPACE,
                ...extra.cluster,
              },
            ],
            poller: { frequencySeconds: 5, timeoutSeconds: 2 },
            ...extra.mysql,
          },
        },
      }),
    ],
  });
  await waitUntil('the template in the catalog', async () => {
    const res = await request(backend.server)
      .get('/api/catalog/entities/by-name/template/default/mysql-database')
      .set('Authorization', mockCredentials.user.header());
    return res.status === 200 ? res.body : undefined;
  });
  return backend;
}
