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
import mysql from 'mysql2/promise';
import request from 'supertest';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { createTestInstance } from './__testUtils__/createTestInstance';
import {
  readDetail,
  startMysqlBackend,
  waitForRollout,
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
let core: k8s.CoreV1Api;
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
  await waitForRollout(apps, NAMESPACE, NAME);
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
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  await createTestInstance(sandbox.kc, {
    name: NAME,
    namespace: NAMESPACE,
    owner: 'group:default/team-a',
    memoryLimit: '1Gi',
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

async function serverPod() {
  return core.readNamespacedPod({ name: `${NAME}-0`, namespace: NAMESPACE });
}

function restartsIn(history: { kind: string }[]) {
  return history.filter(h => h.kind === 'restart').length;
}

describe('the MySQL backend through API server faults', () => {
  it('runs the new value with exactly one restart when the API server freezes mid-rollout', async () => {
    const took = await editThrough(150, async () => {
      await sandbox.freeze('kube-apiserver');
      await new Promise(r => setTimeout(r, 10_000));
      await sandbox.thaw('kube-apiserver');
    });
    expect(took).toEqual({ revisions: 1, restarts: 1 });
  });

  it('fails an API call after requestTimeoutSeconds while the API server is frozen, instead of waiting for it', async () => {
    const { core: timed } = new MysqlClusters([
      {
        name: 'sandbox',
        kubeconfig: sandbox.backend!.kubeconfig,
        defaultNamespace: NAMESPACE,
        allowedNamespaces: [NAMESPACE],
        podAccess: 'podIP',
        requestTimeoutSeconds: 2,
      },
    ]).client();
    await timed.readNamespacedConfigMap({ name: NAME, namespace: NAMESPACE });
    await sandbox.freeze('kube-apiserver');
    const started = Date.now();
    try {
      const failed = await timed
        .readNamespacedConfigMap({ name: NAME, namespace: NAMESPACE })
        .then(
          () => undefined,
          (error: Error) => error,
        );
      const waited = Date.now() - started;
      expect(failed?.name).toBe('TimeoutError');
      expect(waited).toBeGreaterThanOrEqual(1900);
      expect(waited).toBeLessThan(10_000);
    } finally {
      await sandbox.thaw('kube-apiserver');
    }
    await timed.readNamespacedConfigMap({ name: NAME, namespace: NAMESPACE });
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

describe('the MySQL backend through node faults', () => {
  it('says the node is not ready while its kubelet is stopped, and counts no restart when it is back', async () => {
    const before = await settled();
    const container = (await serverPod()).status!.containerStatuses![0];
    await sandbox.kill('kubelet');
    try {
      // The node lifecycle controller waits 50 s for a silent kubelet.
      const degraded = await waitUntil(
        'the card to say the node is not ready',
        async () => {
          const d = await detail();
          return d.status.phase === 'Degraded' ? d : undefined;
        },
        150_000,
      );
      expect(degraded.status.message).toMatch(
        /^the server answers, but node sandbox is not ready since \S+Z: its kubelet stopped reporting/,
      );
    } finally {
      await sandbox.restart('kubelet');
    }
    const after = await settled();
    expect(restartsIn(after.history)).toBe(restartsIn(before.history));
    expect((await serverPod()).status!.containerStatuses![0]).toMatchObject({
      containerID: container.containerID,
      restartCount: container.restartCount,
    });
  });

  it('says the kernel killed the server for exceeding its memory limit, and that the kubelet restarted it', async () => {
    await settled();
    const pod = await serverPod();
    const restarts = pod.status!.containerStatuses![0].restartCount;
    const secret = await core.readNamespacedSecret({
      name: NAME,
      namespace: NAMESPACE,
    });
    const connect = () =>
      mysql.createConnection({
        host: pod.status!.podIP!,
        user: 'root',
        password: Buffer.from(
          secret.data!['root-password'],
          'base64',
        ).toString(),
      });
    const admin = await connect();
    await admin.query('SET GLOBAL max_allowed_packet = 1073741824');
    await admin.end();
    // A string of 1,000,000,000 bytes, on top of the server's own few
    // hundred MiB, outgrows the 1Gi limit.
    const root = await connect();
    const ended = await root
      .query("SELECT LENGTH(REPEAT('x', 1000000000)) AS n")
      .then(
        ([rows]) => `finished: ${JSON.stringify(rows)}`,
        (error: Error) => error.message,
      );
    root.destroy();
    expect(ended).not.toMatch(/^finished/);
    const after = await settled(d =>
      d.history.some((h: any) => /OOMKilled/.test(h.message)),
    );
    expect(after.history).toContainEqual(
      expect.objectContaining({
        kind: 'restart',
        message: `the server was killed for exceeding its memory limit of 1Gi (OOMKilled), and the kubelet restarted its container (restart ${
          restarts + 1
        } of this pod)`,
      }),
    );
  });
});
