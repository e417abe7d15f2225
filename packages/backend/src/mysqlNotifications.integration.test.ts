import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { HostDiscovery } from '@backstage/backend-defaults/discovery';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import signalsPlugin from '@backstage/plugin-signals-backend';
import mysqlPlugin from '@mysql-portal/plugin-mysql-backend';
import {
  sandboxKubectl,
  TestSandbox,
  useSandbox,
  waitUntil,
} from '@mysql-portal/k8s-sandbox';
import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  NAMESPACE,
  startMysqlTestBackend,
} from './__testUtils__/mysqlTestBackend';

jest.setTimeout(600_000);

// Issue 15, item 2 end to end: a configuration the server refuses, set
// with kubectl on the ConfigMap, is rolled back, and the owner hears of it
// once, through the notifications backend, although two mysql backends
// (two replicas sharing one PostgreSQL database) see it.

const RUN = randomBytes(2).toString('hex');
const NAME = `it-nt-orders-${RUN}`;
const OWNER = `user:default/owner-${RUN}`;

// The project's PostgreSQL (scripts/lib/postgres.js); two replicas need
// a database both reach, which the in-memory SQLite of tests is not.
const POSTGRES =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:55432';

const database = {
  // The notifications backend links from its emails to the app.
  app: { baseUrl: 'http://localhost:3000' },
  backend: {
    database: {
      client: 'pg',
      connection: POSTGRES,
      // A database per plugin and run, as in production.
      prefix: `h15_${RUN}_`,
    },
  },
};

let sandbox: TestSandbox;
let apps: k8s.AppsV1Api;
let core: k8s.CoreV1Api;
let backend: Awaited<ReturnType<typeof startMysqlTestBackend>>;
let replica: Awaited<ReturnType<typeof startTestBackend>> | undefined;

const base = `/api/mysql/instances/sandbox/${NAMESPACE}/${NAME}`;
const asOwner = mockCredentials.user.header(OWNER);

async function detail() {
  const res = await request(backend.server)
    .get(base)
    .set('Authorization', asOwner);
  return res.body;
}

/** The notifications store keeps no metadata: the link names the instance. */
function isAboutTheInstance(notification: any) {
  return notification.payload.link === `/catalog/default/resource/${NAME}`;
}

async function notificationsOfOwner() {
  const res = await request(backend.server)
    .get('/api/notifications/notifications')
    .set('Authorization', asOwner);
  expect(res.status).toBe(200);
  return (res.body.notifications as any[]).filter(isAboutTheInstance);
}

/**
 * A second mysql backend on the same database: it polls, reconciles and
 * runs the global tasks in turn with the first, and reaches the catalog
 * and the notifications backend of the first, as replicas behind one
 * load balancer do.
 */
async function startReplica() {
  const cluster = sandbox.kc.getCurrentCluster()!;
  const first = `http://localhost:${backend.server.port()}`;
  const discovery = createServiceFactory({
    service: coreServices.discovery,
    deps: {},
    factory: () =>
      HostDiscovery.fromConfig(
        // Discovery's internal addresses come from backend.listen, so
        // both must name the first backend.
        new ConfigReader({
          backend: {
            baseUrl: first,
            listen: { port: backend.server.port() },
          },
        }),
      ),
  });
  return startTestBackend({
    features: [
      mysqlPlugin,
      mockServices.rootLogger.factory({ level: 'warn' }),
      eventsServiceFactory,
      schedulerServiceFactory,
      databaseServiceFactory,
      discovery,
      mockServices.rootConfig.factory({
        data: {
          ...database,
          mysql: {
            clusters: [
              {
                name: 'sandbox',
                url: cluster.server,
                caData: cluster.caData,
                // The sandbox admin's token: the first backend's account
                // is made inside its helper.
                token: sandbox.kc.getCurrentUser()?.token,
                defaultNamespace: NAMESPACE,
              },
            ],
            poller: { frequencySeconds: 2, timeoutSeconds: 2 },
            reconciler: { stableSeconds: 2 },
          },
        },
      }),
    ],
  });
}

beforeAll(async () => {
  sandbox = await useSandbox();
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  backend = await startMysqlTestBackend(sandbox, {
    config: database,
    features: [
      databaseServiceFactory,
      // As in production (src/index.ts): the events backend carries the
      // signals and notifications between replicas.
      eventsPlugin,
      notificationsPlugin,
      signalsPlugin,
      mockServices.rootLogger.factory({ level: 'warn' }),
    ],
    mysql: {
      poller: { frequencySeconds: 2, timeoutSeconds: 2 },
      reconciler: { stableSeconds: 2 },
    },
  });
  const res = await request(backend.server)
    .post('/api/mysql/instances')
    .set('Authorization', asOwner)
    .send({
      name: NAME,
      owner: OWNER,
      version: 'mysql:9.7',
      size: 'small',
      storageSize: '1Gi',
    });
  if (res.status !== 202) {
    throw new Error(
      `creating ${NAME}: ${res.status} ${res.body.error?.message}`,
    );
  }
  await waitUntil(
    `${NAME} to run`,
    async () =>
      (await detail()).status?.phase === 'Running' ? true : undefined,
    240_000,
  );
  // The notifications backend finds the owner through the entity's
  // ownedBy relation, which the catalog adds once it processed it.
  await waitUntil('the entity with its owner', async () => {
    const entity = await request(backend.server)
      .get(`/api/catalog/entities/by-name/resource/default/${NAME}`)
      .set('Authorization', asOwner);
    return entity.body?.relations?.some(
      (r: any) => r.type === 'ownedBy' && r.targetRef === OWNER,
    )
      ? true
      : undefined;
  });
  // Only a my.cnf that ran for stableSeconds is a rollback target.
  await waitUntil('the running my.cnf to be the rollback target', async () => {
    const [sts, cm] = await Promise.all([
      apps.readNamespacedStatefulSet({ name: NAME, namespace: NAMESPACE }),
      core.readNamespacedConfigMap({ name: NAME, namespace: NAMESPACE }),
    ]);
    return sts.metadata?.annotations?.[
      'mysql.backstage.io/last-good-config'
    ] === cm.data?.['my.cnf']
      ? true
      : undefined;
  });
});

/** PostgreSQL's own client on one of this run's databases. */
function psql(db: string | undefined, sql: string) {
  const url = db ? `${POSTGRES}/${db}` : POSTGRES;
  return spawnSync('psql', [url, '--tuples-only', '--no-align', '-c', sql], {
    encoding: 'utf8',
  }).stdout;
}

/** What a failed wait reports: the history, the claims and what was stored. */
async function whatHappened() {
  const d = await detail();
  const sts = await apps.readNamespacedStatefulSet({
    name: NAME,
    namespace: NAMESPACE,
  });
  return [
    `phase: ${d.status?.phase} ${d.status?.message ?? ''}`,
    `rollout: ${sts.metadata?.annotations?.['mysql.backstage.io/rollout']}`,
    `history:\n${(d.history ?? [])
      .map((h: any) => `  ${h.at} ${h.kind}: ${h.message}`)
      .join('\n')}`,
    `claims:\n${psql(
      `h15_${RUN}_mysql`,
      'SELECT event_key, claimed_at FROM mysql_notices',
    )}`,
    `stored notifications:\n${psql(
      `h15_${RUN}_notifications`,
      'SELECT "user", title, link FROM notification',
    )}`,
  ].join('\n');
}

afterAll(async () => {
  await replica?.stop();
  // Its server would go on running beside the other suites' on the node.
  if (backend) {
    await request(backend.server)
      .delete(base)
      .set('Authorization', asOwner)
      .send({ confirm: NAME, keepData: false });
  }
  await backend?.stop();
  // The databases of this run go with it.
  const names = psql(
    undefined,
    `SELECT datname FROM pg_database WHERE datname LIKE 'h15\\_${RUN}\\_%'`,
  ).split('\n');
  for (const name of names.filter(Boolean)) {
    psql(undefined, `DROP DATABASE "${name}" WITH (FORCE)`);
  }
});

describe('notifications to owners', () => {
  it('tells the owner once of a refused configuration set with kubectl, with two replicas', async () => {
    replica = await startReplica();
    expect(await notificationsOfOwner()).toEqual([]);

    const cnf = (
      await core.readNamespacedConfigMap({ name: NAME, namespace: NAMESPACE })
    ).data!['my.cnf'];
    const patched = spawnSync(
      sandboxKubectl(),
      [
        'patch',
        'configmap',
        NAME,
        '--namespace',
        NAMESPACE,
        '--type',
        'merge',
        '--patch',
        JSON.stringify({
          data: { 'my.cnf': `${cnf}no_such_option = 1\n` },
        }),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, KUBECONFIG: sandbox.kubeconfig },
      },
    );
    expect({ status: patched.status, stderr: patched.stderr }).toEqual({
      status: 0,
      stderr: '',
    });

    const [notice] = await waitUntil(
      'the notification',
      async () => {
        const found = await notificationsOfOwner();
        return found.length > 0 ? found : undefined;
      },
      240_000,
    ).catch(async error => {
      throw new Error(`${error.message}\n${await whatHappened()}`);
    });
    expect(notice.user).toBe(OWNER);
    expect(notice.payload).toMatchObject({
      title: `${NAME}: configuration rolled back`,
      link: `/catalog/default/resource/${NAME}`,
      severity: 'high',
      topic: 'MySQL rollback',
    });
    expect(notice.payload.description).toMatch(
      /unknown variable 'no_such_option=1'/,
    );

    // The rollback ends, the Degraded spell with it, and both replicas
    // poll, reconcile and save phases a while longer: still one.
    const back = await waitUntil(
      'the rollback to end',
      async () => {
        const d = await detail();
        return d.status?.phase === 'Running' &&
          !/no_such_option/.test(JSON.stringify(d.config.desired))
          ? d
          : undefined;
      },
      240_000,
    );
    expect(back.history.map((h: any) => h.kind)).toContain('rollback');
    await new Promise(resolve => setTimeout(resolve, 10_000));
    const all = await notificationsOfOwner();
    expect(all.map(n => n.payload.title)).toEqual([
      `${NAME}: configuration rolled back`,
    ]);

    // Nobody else was told.
    const others = await request(backend.server)
      .get('/api/notifications/notifications')
      .set('Authorization', mockCredentials.user.header('user:default/other'));
    expect(
      (others.body.notifications as any[]).filter(isAboutTheInstance),
    ).toEqual([]);
  });
});
