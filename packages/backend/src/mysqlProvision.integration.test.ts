import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import catalogModuleMysql from '@internal/plugin-catalog-backend-module-mysql';
import { useSandbox, TestSandbox } from '@internal/k8s-sandbox';
import scaffolderModuleMysql from '@internal/plugin-scaffolder-backend-module-mysql';
import * as k8s from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';

jest.setTimeout(300_000);

// The repository root, from packages/backend/src.
const root = path.resolve(__dirname, '..', '..', '..');
const NAMESPACE = 'databases';

let sandbox: TestSandbox;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let backend: Awaited<ReturnType<typeof startTestBackend>>;

async function until<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/** The backend's own least-privilege account from deploy/rbac.yaml. */
async function serviceAccountToken() {
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
  const secretName = await until('the service account token', async () => {
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

async function runTemplate(values: Record<string, unknown>) {
  const created = await request(backend.server)
    .post('/api/scaffolder/v2/tasks')
    .set('Authorization', mockCredentials.user.header())
    .send({ templateRef: 'template:default/mysql-database', values });
  expect(created.status).toBe(201);
  return until(
    `task ${created.body.id}`,
    async () => {
      const task = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
        .set('Authorization', mockCredentials.user.header());
      return ['completed', 'failed'].includes(task.body.status)
        ? task.body
        : undefined;
    },
    240_000,
  );
}

async function taskLog(taskId: string) {
  const events = await request(backend.server)
    .get(`/api/scaffolder/v2/tasks/${taskId}/events`)
    .set('Authorization', mockCredentials.user.header());
  return events.body.map((e: any) => e.body.message).join('\n');
}

async function objectVersions(name: string) {
  const args = { name, namespace: NAMESPACE };
  return [
    (await core.readNamespacedSecret(args)).metadata!.resourceVersion,
    (await core.readNamespacedConfigMap(args)).metadata!.resourceVersion,
    (await core.readNamespacedService(args)).metadata!.resourceVersion,
    (await core.readNamespacedService({ ...args, name: `${name}-headless` }))
      .metadata!.resourceVersion,
    (await apps.readNamespacedStatefulSet(args)).metadata!.resourceVersion,
  ];
}

beforeAll(async () => {
  sandbox = await useSandbox();
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
  const token = await serviceAccountToken();
  const cluster = sandbox.kc.getCurrentCluster()!;
  backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleTemplateKind,
      scaffolderPlugin,
      scaffolderModuleMysql,
      catalogModuleMysql,
      mockServices.rootConfig.factory({
        data: {
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
              },
            ],
          },
        },
      }),
    ],
  });
  await until('the template in the catalog', async () => {
    const res = await request(backend.server)
      .get('/api/catalog/entities/by-name/template/default/mysql-database')
      .set('Authorization', mockCredentials.user.header());
    return res.status === 200 ? res.body : undefined;
  });
});

afterAll(async () => {
  await backend?.stop();
  for (const name of ['it-orders', 'it-collide']) {
    await apps
      .deleteNamespacedStatefulSet({ name, namespace: NAMESPACE })
      .catch(() => undefined);
  }
});

describe('template:default/mysql-database through the scaffolder API', () => {
  it('creates a ready MySQL that every generated user can use, and its catalog entity', async () => {
    const entityFound = until(
      'the entity in the catalog',
      async () => {
        const res = await request(backend.server)
          .get('/api/catalog/entities/by-name/resource/default/it-orders')
          .set('Authorization', mockCredentials.user.header());
        return res.status === 200
          ? { entity: res.body, at: Date.now() }
          : undefined;
      },
      120_000,
    );
    const task = await runTemplate({
      name: 'it-orders',
      owner: 'group:default/team-a',
    });
    expect({
      status: task.status,
      log: task.status === 'failed' ? await taskLog(task.id) : '',
    }).toEqual({
      status: 'completed',
      log: '',
    });

    const sts = await apps.readNamespacedStatefulSet({
      name: 'it-orders',
      namespace: NAMESPACE,
    });
    expect(sts.status?.readyReplicas).toBe(1);

    const secret = await core.readNamespacedSecret({
      name: 'it-orders',
      namespace: NAMESPACE,
    });
    const data = Object.fromEntries(
      Object.entries(secret.data!).map(([k, v]) => [
        k,
        Buffer.from(v, 'base64').toString('utf8'),
      ]),
    );
    const pods = await core.listNamespacedPod({
      namespace: NAMESPACE,
      labelSelector: 'app.kubernetes.io/instance=it-orders',
    });
    const host = pods.items[0].status!.podIP!;
    const users = [
      ['root', data['root-password']],
      [data.username, data.password],
      [data['monitor-username'], data['monitor-password']],
    ];
    for (const [user, password] of users) {
      const db = await mysql.createConnection({ host, user, password });
      const [rows] = await db.query('SELECT VERSION() AS version');
      expect((rows as any)[0].version).toMatch(/^\d+\.\d+\.\d+/);
      await db.end();
    }
    const log = await taskLog(task.id);
    for (const password of [
      data['root-password'],
      data.password,
      data['monitor-password'],
    ]) {
      expect(log).not.toContain(password);
      expect(JSON.stringify(task)).not.toContain(password);
    }

    const { entity, at } = await entityFound;
    const createdAt = new Date(sts.metadata!.creationTimestamp!).getTime();
    // creationTimestamp has whole seconds: allow for the rounding.
    const delaySeconds = (at - createdAt) / 1000;
    process.stderr.write(
      `the entity appeared ${delaySeconds.toFixed(
        1,
      )} s after the StatefulSet was created\n`,
    );
    expect(delaySeconds).toBeLessThan(11);
    expect(entity.spec).toEqual({
      type: 'database',
      owner: 'group:default/team-a',
    });
    expect(entity.metadata.annotations).toMatchObject({
      'mysql.backstage.io/instance': `sandbox/${NAMESPACE}/it-orders`,
      'backstage.io/kubernetes-id': 'it-orders',
      'backstage.io/kubernetes-namespace': NAMESPACE,
    });

    // A rerun with the same input is a no-op.
    const before = await objectVersions('it-orders');
    const rerun = await runTemplate({
      name: 'it-orders',
      owner: 'group:default/team-a',
    });
    expect(rerun.status).toBe('completed');
    expect(await objectVersions('it-orders')).toEqual(before);

    // When the instance is gone, so is its entity.
    await apps.deleteNamespacedStatefulSet({
      name: 'it-orders',
      namespace: NAMESPACE,
    });
    await until(
      'the entity to be removed',
      async () => {
        const res = await request(backend.server)
          .get('/api/catalog/entities/by-name/resource/default/it-orders')
          .set('Authorization', mockCredentials.user.header());
        return res.status === 404 ? true : undefined;
      },
      10_000,
    );
  });

  it('fails on a name taken by an unmanaged StatefulSet and leaves it untouched', async () => {
    const theirs = await apps.createNamespacedStatefulSet({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'it-collide', labels: { app: 'theirs' } },
        spec: {
          replicas: 0,
          serviceName: 'it-collide',
          selector: { matchLabels: { app: 'theirs' } },
          template: {
            metadata: { labels: { app: 'theirs' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
    });
    const task = await runTemplate({
      name: 'it-collide',
      owner: 'group:default/team-a',
    });
    expect(task.status).toBe('failed');
    expect(await taskLog(task.id)).toContain(
      'already exists and is not managed by Backstage',
    );
    const after = await apps.readNamespacedStatefulSet({
      name: 'it-collide',
      namespace: NAMESPACE,
    });
    // The controller updates its status; its spec, labels and annotations stay theirs.
    expect(after.metadata!.generation).toBe(theirs.metadata!.generation);
    expect(after.metadata!.labels).toEqual({ app: 'theirs' });
    expect(after.metadata!.annotations).toEqual(theirs.metadata!.annotations);
    await expect(
      core.readNamespacedSecret({ name: 'it-collide', namespace: NAMESPACE }),
    ).rejects.toMatchObject({ code: 404 });
  });
});
