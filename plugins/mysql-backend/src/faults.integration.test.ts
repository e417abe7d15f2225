import {
  mockCredentials,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  describeSandbox,
  IsolatedTestSandbox,
  useIsolatedSandbox,
  waitUntil,
} from '@mysql-portal/k8s-sandbox';
import * as k8s from '@kubernetes/client-node';
import request from 'supertest';
import { createTestInstance } from './__testUtils__/createTestInstance';
import {
  readDetail,
  startMysqlBackend,
  waitSettled,
} from './__testUtils__/startMysqlBackend';

jest.setTimeout(300_000);

// deploy/rbac.yaml gives the backend's own user its rights here; the
// backend runs as that user, as it would in a cluster.
const NAMESPACE = 'databases';
const NAME = 'faults-db';
const BASE = `/api/mysql/instances/sandbox/${NAMESPACE}/${NAME}`;

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:55432';
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

let sandbox: IsolatedTestSandbox;
let apps: k8s.AppsV1Api;
let backend: Awaited<ReturnType<typeof startTestBackend>>;

function detail() {
  return readDetail(backend.server, BASE);
}

function settled(check: (d: any) => boolean = () => true) {
  return waitSettled(detail, check);
}

/** The newest pod-template revision the StatefulSet controller made. */
async function latestRevision() {
  const revisions = await apps.listNamespacedControllerRevision({
    namespace: NAMESPACE,
    labelSelector: `app.kubernetes.io/instance=${NAME}`,
  });
  return Math.max(...revisions.items.map(r => r.revision));
}

async function rolloutStarted() {
  await waitUntil('the rollout to start', async () => {
    const sts = await apps.readNamespacedStatefulSet({
      name: NAME,
      namespace: NAMESPACE,
    });
    return sts.metadata?.annotations?.['mysql.backstage.io/rollout']
      ? sts
      : undefined;
  });
}

/**
 * Changes max_connections, breaks the API server with `fault` while the
 * pod rolls, and waits for the new value to run; returns how many
 * pod-template revisions and restarts in the history it took.
 */
async function editThrough(value: number, fault: () => Promise<void>) {
  const before = await settled();
  const revision = await latestRevision();
  const res = await request(backend.server)
    .put(`${BASE}/config`)
    .set('Authorization', mockCredentials.user.header())
    .send({
      config: { ...before.config.desired, max_connections: value },
      resourceVersion: before.resourceVersion,
    });
  expect(res.status).toBe(202);
  await rolloutStarted();
  await fault();
  const after = await settled(
    d => d.config.applied.max_connections === String(value),
  ).catch(async error => {
    throw new Error(
      `${error.message}\n${await describeSandbox(sandbox, NAMESPACE)}`,
    );
  });
  return {
    revisions: (await latestRevision()) - revision,
    restarts: after.history.filter(
      (h: any) =>
        h.kind === 'restart' &&
        h.message.startsWith(`restart to apply max_connections=${value}`),
    ).length,
  };
}

beforeAll(async () => {
  sandbox = await useIsolatedSandbox('backend-faults');
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
  await createTestInstance(sandbox.kc, {
    name: NAME,
    namespace: NAMESPACE,
    owner: 'group:default/team-a',
  });
  const knex = await databases.init('POSTGRES_15');
  backend = await startMysqlBackend({
    knex,
    kubeconfig: sandbox.backend!.kubeconfig,
    namespace: NAMESPACE,
    name: NAME,
  });
  await settled();
});

afterAll(async () => {
  await backend?.stop();
  await sandbox?.down();
});

describe('the MySQL backend through API server faults', () => {
  it('runs the new value with exactly one restart when the API server freezes mid-rollout', async () => {
    const took = await editThrough(150, async () => {
      await sandbox.freeze('kube-apiserver');
      await new Promise(r => setTimeout(r, 10_000));
      await sandbox.thaw('kube-apiserver');
    });
    expect(took).toEqual({ revisions: 1, restarts: 1 });
  });

  it('runs the new value with exactly one restart when the API server is killed and restarted mid-rollout', async () => {
    const took = await editThrough(151, async () => {
      await sandbox.kill('kube-apiserver');
      await new Promise(r => setTimeout(r, 5000));
      await sandbox.restart('kube-apiserver');
    });
    expect(took).toEqual({ revisions: 1, restarts: 1 });
  });
});
