import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import {
  killContainer,
  TestSandbox,
  sandboxServerVersion,
  useSandbox,
  waitUntil,
} from '@mysql-portal/k8s-sandbox';
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import net from 'node:net';
import request from 'supertest';
import { configHash, MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { ConfigReader } from '@backstage/config';
import { InstanceCache } from './service/InstanceCache';
import { MysqlStore } from './service/MysqlStore';
import { Poller } from './service/Poller';
import { createTestInstance } from './__testUtils__/createTestInstance';
import {
  readDetail,
  startMysqlBackend,
  waitForRollout,
  waitSettled,
} from './__testUtils__/startMysqlBackend';

jest.setTimeout(300_000);

const NAMESPACE = `mysql-it-${randomBytes(3).toString('hex')}`;
const NAME = 'it-db';
const BASE = `/api/mysql/instances/sandbox/${NAMESPACE}/${NAME}`;
const POLL_SECONDS = 2;

let sandbox: TestSandbox;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let backend: Awaited<ReturnType<typeof startTestBackend>>;

/** Runs `work` and counts the pods the instance gets meanwhile: its restarts. */
async function countRestarts(work: () => Promise<void>) {
  const seen = new Set<string>();
  const before = await core.listNamespacedPod({ namespace: NAMESPACE });
  const known = new Set(before.items.map(p => p.metadata!.uid!));
  const watch = new k8s.Watch(sandbox.kc);
  const req = await watch.watch(
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    { resourceVersion: before.metadata!.resourceVersion },
    (_type, pod: k8s.V1Pod) => {
      if (!known.has(pod.metadata!.uid!)) seen.add(pod.metadata!.uid!);
    },
    () => undefined,
  );
  try {
    await work();
  } finally {
    req.abort();
  }
  return seen.size;
}

// The project's PostgreSQL (scripts/lib/postgres.js, which `npm test` starts). The backend keeps
// its records there, so they outlive a restart of the backend as they would
// in production.
process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:55432';
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
let knex: Knex;

function startBackend(mode: 'restart' | 'online' = 'restart') {
  return startMysqlBackend({
    knex,
    kubeconfig: sandbox.kubeconfig,
    namespace: NAMESPACE,
    name: NAME,
    mode,
    pollSeconds: POLL_SECONDS,
  });
}

const api = {
  get: (url = BASE) =>
    request(backend.server)
      .get(url)
      .set('Authorization', mockCredentials.user.header()),
  put: (config: object, resourceVersion: string) =>
    request(backend.server)
      .put(`${BASE}/config`)
      .set('Authorization', mockCredentials.user.header())
      .send({ config, resourceVersion }),
};

function detail() {
  return readDetail(backend.server, BASE);
}

/** Waits until the instance runs the desired configuration and says so. */
function settled(check: (d: any) => boolean = () => true) {
  return waitSettled(detail, check);
}

function clusters() {
  return MysqlClusters.fromConfig(
    new ConfigReader({
      mysql: {
        clusters: [
          {
            name: 'sandbox',
            kubeconfig: sandbox.kubeconfig,
            defaultNamespace: NAMESPACE,
          },
        ],
      },
    }),
  );
}

async function configMapVersion() {
  const cm = await core.readNamespacedConfigMap({
    name: NAME,
    namespace: NAMESPACE,
  });
  return cm.metadata!.resourceVersion;
}

function serverVersion() {
  return sandboxServerVersion('mysql:8.4');
}

beforeAll(async () => {
  sandbox = await useSandbox();
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
  // Only pods that meet the restricted Pod Security Standard are admitted,
  // as in deploy/rbac.yaml's namespace.
  await core.createNamespace({
    body: {
      metadata: {
        name: NAMESPACE,
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
  });
  await waitUntil('the default service account', async () => {
    const sa = await core.readNamespacedServiceAccount({
      name: 'default',
      namespace: NAMESPACE,
    });
    return sa;
  });
  // Made as an earlier version of the plugin did, before the backend
  // recorded instances: the first start adopts it.
  await createTestInstance(sandbox.kc, {
    name: NAME,
    namespace: NAMESPACE,
    owner: 'group:default/team-a',
  });
  knex = await databases.init('POSTGRES_15');
  backend = await startBackend();
  await settled();
});

afterAll(async () => {
  await backend?.stop();
  await core?.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
});

describe('the MySQL backend against the sandbox', () => {
  it('lists the instance and reads the real server version', async () => {
    const list = await api.get('/api/mysql/instances');
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(
      expect.objectContaining({
        cluster: 'sandbox',
        namespace: NAMESPACE,
        name: NAME,
        entityRef: `resource:default/${NAME}`,
        owner: 'group:default/team-a',
      }),
    );
    const d = await detail();
    expect(d.version).toMatchObject({
      image: 'mysql:8.4',
      server: serverVersion(),
    });
    expect(d.config.applied.max_connections).toBe('100');
    expect(d.history).toContainEqual(
      expect.objectContaining({
        kind: 'provision',
        message: expect.stringContaining('adopted from an earlier version'),
      }),
    );
  });

  it('adopts the instance as a MysqlInstance whose status says what runs', async () => {
    const custom = sandbox.kc.makeApiClient(k8s.CustomObjectsApi);
    const args = {
      group: 'mysql.backstage.io',
      version: 'v1alpha1',
      plural: 'mysqlinstances',
      namespace: NAMESPACE,
      name: NAME,
    };
    const read = async (): Promise<any> =>
      custom.getNamespacedCustomObject(args).catch(error => {
        if (error.code === 404) return undefined;
        throw error;
      });
    const adopted = await waitUntil('the MysqlInstance', async () => {
      const resource = await read();
      return resource?.status?.phase === 'Running' ? resource : undefined;
    });
    expect(adopted.spec).toEqual({
      owner: 'group:default/team-a',
      image: 'mysql:8.4',
      config: { max_connections: '100' },
      storage: { size: '1Gi', storageClassName: 'microk8s-hostpath' },
    });
    expect(adopted.status.version).toEqual({
      image: 'mysql:8.4',
      server: serverVersion(),
    });
    const conditions = adopted.status.conditions.map((c: any) => [
      c.type,
      c.status,
      c.reason,
    ]);
    expect(conditions).toEqual([
      ['Ready', 'True', 'Running'],
      ['ConfigApplied', 'True', 'Applied'],
      ['Progressing', 'False', 'Idle'],
      ['Degraded', 'False', 'AsExpected'],
    ]);

    // Idle, its status is not written again.
    await new Promise(resolve => setTimeout(resolve, 3 * POLL_SECONDS * 1000));
    expect((await read()).metadata.resourceVersion).toBe(
      adopted.metadata.resourceVersion,
    );

    // While the instance is recorded, a resource deleted by hand is made
    // again from its objects.
    await custom.deleteNamespacedCustomObject(args);
    const again = await waitUntil('the MysqlInstance again', async () => {
      const resource = await read();
      return resource?.status?.phase === 'Running' ? resource : undefined;
    });
    expect(again.metadata.uid).not.toBe(adopted.metadata.uid);
    expect(again.spec).toEqual(adopted.spec);
  });

  it('applies max_connections=123 with exactly one restart, and a repeat with none', async () => {
    const before = await detail();
    let after: any;
    const restarts = await countRestarts(async () => {
      const res = await api.put(
        { max_connections: 123 },
        before.resourceVersion,
      );
      expect(res.status).toBe(202);
      expect(res.body.config.desired.max_connections).toBe('123');
      after = await settled(d => d.config.applied.max_connections === '123');
    });
    expect(restarts).toBe(1);
    expect(after.version.server).toBe(serverVersion());
    expect(after.history.map((h: any) => h.kind)).toEqual(
      expect.arrayContaining(['edit', 'restart']),
    );

    const none = await countRestarts(async () => {
      const again = await api.put(
        { max_connections: 123 },
        after.resourceVersion,
      );
      expect(again.status).toBe(202);
      await new Promise(r => setTimeout(r, (POLL_SECONDS + 3) * 1000));
    });
    expect(none).toBe(0);
    expect((await detail()).status.phase).toBe('Running');
  });

  it.each([
    ['a value out of range', { max_connections: 0 }, 'config.max_connections'],
    [
      'an unknown key',
      { max_connections: 123, no_such_variable: 1 },
      'config.no_such_variable',
    ],
    [
      'a value with a newline',
      { max_connections: 123, sql_mode: 'ANSI\n[client]' },
      'config.sql_mode',
    ],
    [
      'an init-only variable',
      { max_connections: 123, lower_case_table_names: '1' },
      'config.lower_case_table_names',
    ],
  ])(
    'refuses %s with a 400 naming the field and changes nothing',
    async (_, config, field) => {
      const version = await configMapVersion();
      const res = await api.put(config, version!);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(field);
      expect(await configMapVersion()).toBe(version);
    },
  );

  it('refuses a stale resourceVersion with a 409 and changes nothing', async () => {
    const version = await configMapVersion();
    const { resourceVersion } = await detail();
    const res = await api.put(
      { max_connections: 150 },
      String(Number(resourceVersion) - 1),
    );
    expect(res.status).toBe(409);
    expect(res.body.error.name).toBe('ConflictError');
    expect(await configMapVersion()).toBe(version);
    expect((await detail()).resourceVersion).toBe(resourceVersion);
  });

  it('reports a configuration the server refuses as Degraded and rolls it back', async () => {
    const before = await detail();
    // An unknown option can only come in by hand: the API refuses it.
    const cnf = (
      await core.readNamespacedConfigMap({ name: NAME, namespace: NAMESPACE })
    ).data!['my.cnf'];
    await core.patchNamespacedConfigMap(
      {
        name: NAME,
        namespace: NAMESPACE,
        body: {
          data: {
            'my.cnf': `${cnf.replace(
              /max_connections\s*=\s*\d+/,
              'max_connections = 131',
            )}no_such_option = 1\n`,
          },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(before.config.applied.max_connections).not.toBe('131');
    const degraded = await waitUntil('Degraded', async () => {
      const d = await detail();
      return d.status.phase === 'Degraded' ? d : undefined;
    });
    expect(degraded.status.message).toMatch(
      /unknown variable 'no_such_option=1'/,
    );
    const back = await settled(d => d.config.desired.max_connections !== '131');
    expect(back.config.applied.max_connections).toBe(
      before.config.applied.max_connections,
    );
    expect(back.history.map((h: any) => h.kind)).toContain('rollback');
  });

  it.each([
    [
      'marked but did not write back',
      // What a replica leaves when it stops (or loses the API server's
      // answer) right after marking a rollback: the mark on the
      // StatefulSet (as an earlier version wrote it, without the changes),
      // and the ConfigMap still holding the my.cnf that did not run.
      { restored: false },
    ],
    [
      'wrote back but never heard the answer',
      // The replica's write of the last good my.cnf reached the API server,
      // but its answer did not reach the replica (or the replica stopped
      // before it said so): the mark, and the ConfigMap restored.
      { restored: true },
    ],
  ])(
    'finishes a rollback that a stopped backend %s, and says so once',
    async (_, { restored }) => {
      const readObjects = async () => {
        const [sts, cm] = await Promise.all([
          apps.readNamespacedStatefulSet({ name: NAME, namespace: NAMESPACE }),
          core.readNamespacedConfigMap({ name: NAME, namespace: NAMESPACE }),
        ]);
        return { sts, cnf: cm.data!['my.cnf'] };
      };
      const good = await waitUntil(
        'the running my.cnf to be the rollback target',
        async () => {
          const { sts, cnf } = await readObjects();
          return sts.metadata?.annotations?.[
            'mysql.backstage.io/last-good-config'
          ] === cnf &&
            !sts.metadata?.annotations?.['mysql.backstage.io/rollout']
            ? cnf
            : undefined;
        },
      );
      await backend.stop();
      const failed = `${good}no_such_option = 2\n`;
      const cause = `stopped after marking, ${randomBytes(3).toString('hex')}`;
      const mergePatch = k8s.setHeaderOptions(
        'Content-Type',
        k8s.PatchStrategy.MergePatch,
      );
      if (!restored) {
        await core.patchNamespacedConfigMap(
          {
            name: NAME,
            namespace: NAMESPACE,
            body: { data: { 'my.cnf': failed } },
          },
          mergePatch,
        );
      }
      await apps.patchNamespacedStatefulSet(
        {
          name: NAME,
          namespace: NAMESPACE,
          body: {
            metadata: {
              annotations: {
                'mysql.backstage.io/rollout': JSON.stringify({
                  hash: configHash(good),
                  startedAt: new Date().toISOString(),
                  reason: 'rollback',
                  cause,
                  from: configHash(failed),
                  ...(restored ? { changes: ['no_such_option=2'] } : {}),
                }),
              },
            },
          },
        },
        mergePatch,
      );

      backend = await startBackend();
      await waitUntil('the last good my.cnf back', async () =>
        (await readObjects()).cnf === good ? true : undefined,
      );
      const told = await waitUntil('the rollback in the history', async () => {
        const entries = ((await detail()).history as any[]).filter(h =>
          h.message.includes(cause),
        );
        return entries.length > 0 ? entries : undefined;
      });
      expect(told).toEqual([
        expect.objectContaining({
          kind: 'rollback',
          message: `no_such_option=2 did not run (${cause}); restoring the last configuration that ran`,
        }),
      ]);
      await settled(d => d.config.desired.no_such_option === undefined);
      await waitUntil('the rollback to end', async () =>
        (
          await readObjects()
        ).sts.metadata?.annotations?.['mysql.backstage.io/rollout']
          ? undefined
          : true,
      );
      expect(
        ((await detail()).history as any[]).filter(h =>
          h.message.includes(cause),
        ),
      ).toHaveLength(1);
    },
  );

  it('completes a rollout that a backend restart interrupted, with one restart in all', async () => {
    const before = await detail();
    const restarts = await countRestarts(async () => {
      const res = await api.put(
        { max_connections: 140 },
        before.resourceVersion,
      );
      expect(res.status).toBe(202);
      await waitForRollout(apps, NAMESPACE, NAME);
      await backend.stop();
      backend = await startBackend();
      await settled(d => d.config.applied.max_connections === '140');
    });
    const sts = await apps.readNamespacedStatefulSet({
      name: NAME,
      namespace: NAMESPACE,
    });
    expect(
      sts.metadata?.annotations?.['mysql.backstage.io/rollout'],
    ).toBeUndefined();
    expect(restarts).toBe(1);
  });

  it('refuses a restart while a rollout is under way with a 409, and restarts once it is done', async () => {
    const restart = () =>
      request(backend.server)
        .post(`${BASE}/restart`)
        .set('Authorization', mockCredentials.user.header());
    const before = await detail();
    const restarts = await countRestarts(async () => {
      const res = await api.put(
        { max_connections: 142 },
        before.resourceVersion,
      );
      expect(res.status).toBe(202);
      const sts = await waitForRollout(apps, NAMESPACE, NAME);
      const refused = await restart();
      expect(refused.status).toBe(409);
      expect(refused.body.error.name).toBe('ConflictError');
      expect(refused.body.error.message).toMatch(
        /is already restarting \(a config since .*\); restart it once that is done/,
      );
      // The reconciler's record of its rollout is still there, untouched.
      const after = await apps.readNamespacedStatefulSet({
        name: NAME,
        namespace: NAMESPACE,
      });
      const rollout =
        after.metadata?.annotations?.['mysql.backstage.io/rollout'];
      expect(
        rollout === undefined ||
          rollout === sts.metadata?.annotations?.['mysql.backstage.io/rollout'],
      ).toBe(true);
      await settled(d => d.config.applied.max_connections === '142');
    });
    expect(restarts).toBe(1);

    const asked = new Date().toISOString();
    const res = await restart();
    expect(res.status).toBe(202);
    const history = await waitUntil('the restart to be done', async () => {
      const d = await detail();
      return d.history.some(
        (h: any) => h.at >= asked && /the server restarted/.test(h.message),
      )
        ? d.history
        : undefined;
    });
    expect(history.map((h: any) => h.message)).toContain('restart requested');
  });

  it('shows Unreachable within one poll interval when the server dies, and Running once it is back', async () => {
    const serverPod = async () =>
      (
        await core.listNamespacedPod({
          namespace: NAMESPACE,
          labelSelector: `app.kubernetes.io/instance=${NAME}`,
        })
      ).items[0];
    // The kubelet restarts a container that dies the first time at once,
    // and the next time after a 10 s back-off: the second death leaves the
    // server down long enough for any poll to see it.
    const first = await serverPod();
    const restarts = first.status!.containerStatuses![0].restartCount;
    expect(killContainer(first, 'mysql').length).toBeGreaterThan(0);
    const restarted = await waitUntil(
      'the kubelet to restart the server',
      async () => {
        const pod = await serverPod();
        const status = pod.status?.containerStatuses?.[0];
        return status && status.restartCount > restarts && status.state?.running
          ? pod
          : undefined;
      },
    );
    const killedAt = Date.now();
    expect(killContainer(restarted, 'mysql').length).toBeGreaterThan(0);
    await waitUntil('Unreachable', async () =>
      (await detail()).status.phase === 'Unreachable' ? true : undefined,
    );
    const seconds = (Date.now() - killedAt) / 1000;
    expect(seconds).toBeLessThan(POLL_SECONDS + 2.5);
    await settled();
    const back = await serverPod();
    expect(back.status!.containerStatuses![0].restartCount).toBe(restarts + 2);
    expect((await detail()).history).toContainEqual(
      expect.objectContaining({
        kind: 'restart',
        message: `the server exited with code 137 (Error), and the kubelet restarted its container (restart ${
          restarts + 2
        } of this pod)`,
      }),
    );
  });

  it('in online mode applies a dynamic change without a restart, and restarts for the others', async () => {
    await backend.stop();
    backend = await startBackend('online');
    // SET GLOBAL needs a Ready pod whose running my.cnf the reconciler has
    // recorded; otherwise it restarts, as in restart mode.
    await waitUntil('the running my.cnf to be recorded', async () => {
      const cm = await core.readNamespacedConfigMap({
        name: NAME,
        namespace: NAMESPACE,
      });
      // Kept on the StatefulSet: the ConfigMap holds only what users write.
      const sts = await apps.readNamespacedStatefulSet({
        name: NAME,
        namespace: NAMESPACE,
      });
      const good =
        sts.metadata?.annotations?.['mysql.backstage.io/last-good-config'];
      return good === cm.data?.['my.cnf'] ? cm : undefined;
    });
    await waitUntil('the pod to be Ready', async () => {
      const pod = await core.readNamespacedPod({
        name: `${NAME}-0`,
        namespace: NAMESPACE,
      });
      return pod.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      )
        ? pod
        : undefined;
    });
    const before = await settled();
    let after: any;
    const none = await countRestarts(async () => {
      const res = await api.put(
        { ...before.config.desired, max_connections: 155 },
        before.resourceVersion,
      );
      expect(res.status).toBe(202);
      after = await settled(d => d.config.applied.max_connections === '155');
    });
    expect(none).toBe(0);
    expect(after.history[0]).toMatchObject({ kind: 'edit' });
    expect(
      after.history.some((h: any) => /without a restart/.test(h.message)),
    ).toBe(true);

    // Two quick edits, the second undoing the first, end in the second.
    const first = await api.put(
      { ...after.config.desired, max_connections: 160 },
      after.resourceVersion,
    );
    expect(first.status).toBe(202);
    const second = await api.put(
      { ...after.config.desired, max_connections: 155 },
      first.body.resourceVersion,
    );
    expect(second.status).toBe(202);
    await new Promise(r => setTimeout(r, 1000));
    after = await settled(d => d.config.applied.max_connections === '155');
    expect(after.config.desired.max_connections).toBe('155');

    const one = await countRestarts(async () => {
      const res = await api.put(
        { ...after.config.desired, skip_name_resolve: 'ON' },
        after.resourceVersion,
      );
      expect(res.status).toBe(202);
      await settled(
        d =>
          d.config.applied.skip_name_resolve === 'ON' &&
          d.config.applied.max_connections === '155',
      );
    });
    expect(one).toBe(1);
  });

  it("keeps a client's resourceVersion valid when only annotations of the ConfigMap change", async () => {
    const before = await settled();
    // What the backend's own bookkeeping does after a rollout.
    await core.patchNamespacedConfigMap(
      {
        name: NAME,
        namespace: NAMESPACE,
        body: { metadata: { annotations: { 'example.com/touched': 'yes' } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await waitUntil('the watch to see the annotation', async () =>
      (await detail()).resourceVersion === before.resourceVersion
        ? true
        : undefined,
    );
    const res = await api.put(
      { ...before.config.desired, max_connections: 124 },
      before.resourceVersion,
    );
    expect(res.status).toBe(202);
    expect(res.body.resourceVersion).not.toBe(before.resourceVersion);
    await settled(d => d.config.applied.max_connections === '124');
  });

  it('takes an edit made right after a rollout, with the token just read', async () => {
    for (const value of [125, 126]) {
      const before = await settled();
      const res = await api.put(
        { ...before.config.desired, max_connections: value },
        before.resourceVersion,
      );
      expect(res.status).toBe(202);
      const after = await settled(
        d => d.config.applied.max_connections === String(value),
      );
      // The backend records the good my.cnf once the server stayed Ready
      // (2 s here): an edit made meanwhile must still be taken.
      await new Promise(r => setTimeout(r, 2500));
      const next = await api.put(
        { ...after.config.desired, wait_timeout: 600 + value },
        after.resourceVersion,
      );
      expect(next.status).toBe(202);
    }
    await settled(d => d.config.applied.wait_timeout === '726');
  });

  it('runs an edit of spec.config made with the Kubernetes API like a portal edit, and refuses an invalid one with a condition naming the field', async () => {
    const custom = sandbox.kc.makeApiClient(k8s.CustomObjectsApi);
    const args = {
      group: 'mysql.backstage.io',
      version: 'v1alpha1',
      plural: 'mysqlinstances',
      namespace: NAMESPACE,
      name: NAME,
    };
    const patchConfig = (config: Record<string, string>) =>
      custom.patchNamespacedCustomObject(
        { ...args, body: { spec: { config } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    const read = async (): Promise<any> =>
      custom.getNamespacedCustomObject(args);
    const before = await settled();

    // What `kubectl edit mysqlinstance` does: one restart (skip_name_resolve
    // is static, so in either mode), and the history says how.
    let after: any;
    const restarts = await countRestarts(async () => {
      await patchConfig({ max_connections: '143', skip_name_resolve: 'OFF' });
      after = await settled(
        d =>
          d.config.applied.max_connections === '143' &&
          d.config.applied.skip_name_resolve === 'OFF',
      );
    });
    expect(restarts).toBe(1);
    expect(after.resourceVersion).not.toBe(before.resourceVersion);
    expect(after.history.map((h: any) => h.message)).toContainEqual(
      expect.stringContaining(
        'max_connections=143, skip_name_resolve=OFF (set on the MysqlInstance, not through the portal)',
      ),
    );
    const observed = await waitUntil('observedGeneration', async () => {
      const resource = await read();
      return resource.status?.observedGeneration ===
        resource.metadata.generation
        ? resource
        : undefined;
    });
    expect(String(observed.metadata.generation)).toBe(after.resourceVersion);

    // A portal edit that started before it is stale.
    const stale = await api.put(
      { ...before.config.desired, max_connections: 142 },
      before.resourceVersion,
    );
    expect(stale.status).toBe(409);

    // One the server cannot run changes nothing and says which field.
    const cm = await configMapVersion();
    await patchConfig({ max_connections: '0' });
    const refused = await waitUntil('the InvalidSpec condition', async () => {
      const resource = await read();
      const applied = resource.status?.conditions?.find(
        (c: any) => c.type === 'ConfigApplied',
      );
      return applied?.reason === 'InvalidSpec' &&
        resource.status.observedGeneration === resource.metadata.generation
        ? applied
        : undefined;
    });
    expect(refused.status).toBe('False');
    expect(refused.message).toContain('spec.config.max_connections');
    await new Promise(resolve => setTimeout(resolve, 2 * POLL_SECONDS * 1000));
    expect(await configMapVersion()).toBe(cm);
    const kept = await detail();
    expect(kept.status.phase).toBe('Running');
    expect(kept.config.applied.max_connections).toBe('143');

    // Put back, it is applied again without a restart.
    const none = await countRestarts(async () => {
      await patchConfig({ max_connections: '143' });
      await waitUntil('ConfigApplied again', async () => {
        const resource = await read();
        return resource.status?.conditions?.find(
          (c: any) => c.type === 'ConfigApplied',
        )?.status === 'True' &&
          resource.status.observedGeneration === resource.metadata.generation
          ? true
          : undefined;
      });
    });
    expect(none).toBe(0);
  });

  it('picks up a rotated monitor password', async () => {
    const secret = await core.readNamespacedSecret({
      name: NAME,
      namespace: NAMESPACE,
    });
    const decode = (key: string) =>
      Buffer.from(secret.data![key], 'base64').toString('utf8');
    const pod = await core.readNamespacedPod({
      name: `${NAME}-0`,
      namespace: NAMESPACE,
    });
    const rotated = randomBytes(12).toString('hex');
    const root = await mysql.createConnection({
      host: pod.status!.podIP!,
      user: 'root',
      password: decode('root-password'),
    });
    try {
      await root.query("ALTER USER ?@'%' IDENTIFIED BY ?", [
        decode('monitor-username'),
        rotated,
      ]);
    } finally {
      await root.end();
    }
    await core.patchNamespacedSecret(
      {
        name: NAME,
        namespace: NAMESPACE,
        body: { stringData: { 'monitor-password': rotated } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const rotatedAt = Date.now();
    const polled = await waitUntil('a poll with the new password', async () => {
      const d = await detail();
      return d.status.phase === 'Running' &&
        new Date(d.version.lastPolledAt).getTime() > rotatedAt
        ? d
        : undefined;
    });
    expect(polled.version.server).toBe(serverVersion());
  });

  it('leaves no socket open to a server that never answers, and polls the others on time', async () => {
    const real = await waitUntil('the instance in a cache', async () => {
      const cache = new InstanceCache(clusters(), mockServices.logger.mock());
      cache.start();
      try {
        return await waitUntil('the watches', async () =>
          cache.list()[0]?.pods[0]?.status?.podIP ? cache.list()[0] : undefined,
        );
      } finally {
        await cache.stop();
      }
    });
    const open = new Set<net.Socket>();
    const silent = net.createServer(socket => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    const silentIp = '127.250.3.3';
    await new Promise<void>(r => silent.listen(3306, silentIp, r));
    const targets = [
      real,
      {
        ...real,
        ref: `sandbox/${NAMESPACE}/silent`,
        statefulSet: {
          ...real.statefulSet,
          metadata: { ...real.statefulSet.metadata, uid: 'silent' },
        },
        pods: [{ ...real.pods[0], status: { podIP: silentIp } }],
      },
    ];
    // A store of its own: the backend under test polls the same instance.
    const own = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    const store = await MysqlStore.create({
      getClient: async () => own,
    } as any);
    const poller = new Poller(
      clusters(),
      { list: () => targets, listAll: () => targets } as any,
      store,
      mockServices.logger.mock(),
      { frequencySeconds: 1, timeoutSeconds: 1, concurrency: 2 },
    );
    try {
      for (let cycle = 0; cycle < 10; cycle++) {
        const started = Date.now();
        // With frequencySeconds 1 every instance is due at every call.
        await poller.pollDue();
        expect(Date.now() - started).toBeLessThan(2 * 1000 + 500);
        const polled = await store.getObservation(real.ref);
        expect(polled?.reachable).toBe(true);
        expect(new Date(polled!.polledAt).getTime()).toBeGreaterThanOrEqual(
          started,
        );
      }
      const lost = await store.getObservation(`sandbox/${NAMESPACE}/silent`);
      expect(lost?.error).toMatch(/did not answer within 1s/);
      await waitUntil('every socket to close', async () =>
        open.size === 0 ? true : undefined,
      );
    } finally {
      silent.close();
      await own.destroy();
    }
  });

  it('with two replicas on one database, makes one restart for one edit and polls each instance once per interval', async () => {
    // Both in restart mode (an earlier test left the first one online).
    await backend.stop();
    backend = await startBackend();
    const second = await startBackend();
    try {
      const before = await settled();
      const restarts = await countRestarts(async () => {
        const res = await request(second.server)
          .put(`${BASE}/config`)
          .set('Authorization', mockCredentials.user.header())
          .send({
            config: { ...before.config.desired, max_connections: 141 },
            resourceVersion: before.resourceVersion,
          });
        expect(res.status).toBe(202);
        await settled(d => d.config.applied.max_connections === '141');
      });
      expect(restarts).toBe(1);

      // Every poll writes the instance's observation with its time: count
      // the distinct times seen while both replicas run.
      const polledAt = new Set<string>();
      const windowSeconds = 12;
      const end = Date.now() + windowSeconds * 1000;
      while (Date.now() < end) {
        const row = await knex('mysql_observations')
          .where({ instance_ref: `sandbox/${NAMESPACE}/${NAME}` })
          .first();
        polledAt.add(new Date(row.polled_at).toISOString());
        await new Promise(r => setTimeout(r, 100));
      }
      // One global task: one poll per interval in all, where two replicas
      // polling on their own would make twice as many.
      expect(polledAt.size).toBeGreaterThanOrEqual(
        windowSeconds / POLL_SECONDS - 2,
      );
      expect(polledAt.size).toBeLessThanOrEqual(
        windowSeconds / POLL_SECONDS + 1,
      );
    } finally {
      await second.stop();
    }
  });
});
