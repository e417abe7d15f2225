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
import path from 'node:path';
import request from 'supertest';

/** Instance sizes that fit many instances on the sandbox's 2-core node. */
export const SANDBOX_PROVISION = {
  sizes: {
    small: { resources: { requests: { cpu: '50m', memory: '256Mi' } } },
    medium: { resources: { requests: { cpu: '100m', memory: '512Mi' } } },
  },
};

/** The repository root, from packages/backend/src/__testUtils__. */
export const root = path.resolve(__dirname, '..', '..', '..', '..');

/** deploy/rbac.yaml binds the backend's account in this namespace only. */
export const NAMESPACE = 'databases';

/**
 * The token of the backend's own least-privilege account from
 * deploy/rbac.yaml, which the sandbox applies and makes a token for.
 */
function serviceAccountToken(sandbox: TestSandbox) {
  const token = sandbox.backend?.kc.getCurrentUser()?.token;
  if (!token)
    throw new Error('the sandbox has no backend account (deploy/rbac.yaml)');
  return token;
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
  const token = serviceAccountToken(sandbox);
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
            // The sandbox's node has 2 cores, shared by the suites that run
            // at once: small instances ask for little, as in app-config.yaml.
            provision: SANDBOX_PROVISION,
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
