import { mockCredentials } from '@backstage/backend-test-utils';
import {
  sandboxKubectl,
  TestSandbox,
  useSandbox,
  waitUntil,
} from '@mysql-portal/k8s-sandbox';
import * as k8s from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  NAMESPACE,
  startMysqlTestBackend,
} from './__testUtils__/mysqlTestBackend';

jest.setTimeout(300_000);

// Volumes outlive their instances, so every run of this file uses new names.
const RUN = randomBytes(2).toString('hex');
const ORDERS = `it-orders-${RUN}`;
const COLLIDE = `it-collide-${RUN}`;
const HANDMADE = `it-handmade-${RUN}`;
const AFTER = `it-after-${RUN}`;
const SYSTEM = `it-system-${RUN}`;

let sandbox: TestSandbox;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let custom: k8s.CustomObjectsApi;
let backend: Awaited<ReturnType<typeof startMysqlTestBackend>>;

async function runTemplate(values: Record<string, unknown>) {
  const created = await request(backend.server)
    .post('/api/scaffolder/v2/tasks')
    .set('Authorization', mockCredentials.user.header())
    .send({ templateRef: 'template:default/mysql-database', values });
  expect(created.status).toBe(201);
  return waitUntil(
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

function api(method: 'get' | 'post' | 'delete', url: string, body?: object) {
  const req = request(backend.server)
    [method](url)
    .set('Authorization', mockCredentials.user.header());
  return body ? req.send(body) : req;
}

async function taskLog(taskId: string) {
  const events = await request(backend.server)
    .get(`/api/scaffolder/v2/tasks/${taskId}/events`)
    .set('Authorization', mockCredentials.user.header());
  return events.body.map((e: any) => e.body.message).join('\n');
}

const INSTANCES = {
  group: 'mysql.backstage.io',
  version: 'v1alpha1',
  plural: 'mysqlinstances',
  namespace: NAMESPACE,
};

async function readResource(name: string): Promise<any> {
  return custom
    .getNamespacedCustomObject({ ...INSTANCES, name })
    .catch(error => {
      if (error.code === 404) return undefined;
      throw error;
    });
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
  custom = sandbox.kc.makeApiClient(k8s.CustomObjectsApi);
  backend = await startMysqlTestBackend(sandbox);
});

afterAll(async () => {
  await backend?.stop();
  for (const name of [ORDERS, COLLIDE, HANDMADE, AFTER]) {
    await custom
      .deleteNamespacedCustomObject({ ...INSTANCES, name })
      .catch(() => undefined);
    await apps
      .deleteNamespacedStatefulSet({ name, namespace: NAMESPACE })
      .catch(() => undefined);
    await core
      .deleteNamespacedPersistentVolumeClaim({
        name: `data-${name}-0`,
        namespace: NAMESPACE,
      })
      .catch(() => undefined);
  }
});

describe('template:default/mysql-database through the scaffolder API', () => {
  it('creates a ready MySQL that every generated user can use, and its catalog entity', async () => {
    const entityFound = waitUntil(
      'the entity in the catalog',
      async () => {
        const res = await request(backend.server)
          .get(`/api/catalog/entities/by-name/resource/default/${ORDERS}`)
          .set('Authorization', mockCredentials.user.header());
        return res.status === 200
          ? { entity: res.body, at: Date.now() }
          : undefined;
      },
      120_000,
    );
    const task = await runTemplate({
      name: ORDERS,
      owner: 'group:default/team-a',
    });
    expect({
      status: task.status,
      log: task.status === 'failed' ? await taskLog(task.id) : '',
    }).toEqual({
      status: 'completed',
      log: '',
    });

    // The StatefulSet controller counts the ready pod moments after the
    // server answered the backend's first poll.
    const sts = await waitUntil(
      'the StatefulSet to count its pod ready',
      async () => {
        const read = await apps.readNamespacedStatefulSet({
          name: ORDERS,
          namespace: NAMESPACE,
        });
        return read.status?.readyReplicas === 1 ? read : undefined;
      },
    );

    const secret = await core.readNamespacedSecret({
      name: ORDERS,
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
      labelSelector: `app.kubernetes.io/instance=${ORDERS}`,
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
      'mysql.backstage.io/instance': `sandbox/${NAMESPACE}/${ORDERS}`,
      'backstage.io/kubernetes-id': ORDERS,
      'backstage.io/kubernetes-namespace': NAMESPACE,
    });

    // A rerun with the same input is a no-op.
    const before = await objectVersions(ORDERS);
    const rerun = await runTemplate({
      name: ORDERS,
      owner: 'group:default/team-a',
    });
    expect(rerun.status).toBe('completed');
    expect(await objectVersions(ORDERS)).toEqual(before);

    // The backend recorded it, with the run's user and a history entry.
    const detail = await api(
      'get',
      `/api/mysql/instances/sandbox/${NAMESPACE}/${ORDERS}`,
    );
    expect(detail.body.owner).toBe('group:default/team-a');
    expect(detail.body.history).toContainEqual(
      expect.objectContaining({
        kind: 'provision',
        actor: mockCredentials.user().principal.userEntityRef,
      }),
    );

    // Its MysqlInstance holds what was asked for, and its status what runs.
    const resource = await waitUntil(
      'the MysqlInstance to say Running',
      async () => {
        const read = await readResource(ORDERS);
        return read?.status?.phase === 'Running' && read.status.version?.server
          ? read
          : undefined;
      },
    );
    expect(resource.spec).toMatchObject({
      owner: 'group:default/team-a',
      image: detail.body.version.image,
      config: expect.any(Object),
      storage: {
        size: sts.spec!.volumeClaimTemplates![0].spec!.resources!.requests!
          .storage,
        storageClassName:
          sts.spec!.volumeClaimTemplates![0].spec!.storageClassName,
      },
      database: { name: data.database, user: data.username },
    });
    // Its children are owned by it.
    const owner = {
      apiVersion: 'mysql.backstage.io/v1alpha1',
      kind: 'MysqlInstance',
      name: ORDERS,
      uid: resource.metadata.uid,
      controller: true,
    };
    const where = { name: ORDERS, namespace: NAMESPACE };
    for (const child of [
      sts,
      await core.readNamespacedConfigMap(where),
      await core.readNamespacedSecret(where),
      await core.readNamespacedService(where),
      await core.readNamespacedService({
        ...where,
        name: `${ORDERS}-headless`,
      }),
    ]) {
      expect(child.metadata!.ownerReferences).toEqual([owner]);
    }
    expect(resource.status).toMatchObject({
      version: {
        image: detail.body.version.image,
        server: detail.body.version.server,
      },
      configHash:
        sts.spec!.template.metadata!.annotations![
          'mysql.backstage.io/config-hash'
        ],
    });
    expect(
      Object.fromEntries(
        resource.status.conditions.map((c: any) => [c.type, c.status]),
      ),
    ).toEqual({
      Ready: 'True',
      ConfigApplied: 'True',
      Progressing: 'False',
      Degraded: 'False',
    });
    const listed = spawnSync(
      sandboxKubectl(),
      ['get', 'mysqlinstances', '--all-namespaces'],
      {
        encoding: 'utf8',
        env: { ...process.env, KUBECONFIG: sandbox.kubeconfig },
      },
    );
    expect(listed.stdout).toMatch(
      /NAMESPACE\s+NAME\s+PHASE\s+VERSION\s+READY\s+AGE/,
    );
    expect(listed.stdout).toMatch(
      new RegExp(
        `${NAMESPACE}\\s+${ORDERS}\\s+Running\\s+${detail.body.version.server.replace(
          /\./g,
          '\\.',
        )}\\s+True`,
      ),
    );
  });

  it('runs in a namespace that admits only restricted pods', async () => {
    // deploy/rbac.yaml's namespace: the instance above ran there, and a pod
    // that may run as root is refused.
    const refused = await core
      .createNamespacedPod({
        namespace: NAMESPACE,
        body: {
          metadata: { name: 'root-pod' },
          spec: { containers: [{ name: 'c', image: 'mysql:9.7' }] },
        },
      })
      .then(
        () => undefined,
        error => JSON.parse(error.body).message as string,
      );
    expect(refused).toMatch(/violates PodSecurity "restricted:latest"/);
  });

  it('never deletes a data volume that existed before a run, and adopts it only when asked', async () => {
    const args = { name: ORDERS, namespace: NAMESPACE };
    const claimArgs = { name: `data-${ORDERS}-0`, namespace: NAMESPACE };
    const secret = await core.readNamespacedSecret(args);
    const password = (key: string) =>
      Buffer.from(secret.data![key], 'base64').toString('utf8');
    const connect = async () => {
      const pods = await core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: `app.kubernetes.io/instance=${ORDERS}`,
      });
      return mysql.createConnection({
        host: pods.items[0].status!.podIP!,
        user: password('username'),
        password: password('password'),
        database: password('database'),
      });
    };
    const db = await connect();
    await db.query('CREATE TABLE orders (id INT PRIMARY KEY, item TEXT)');
    await db.query("INSERT INTO orders VALUES (1, 'tea'), (2, 'cake')");
    await db.end();

    // The StatefulSet and ConfigMap are deleted by hand; the volume and the
    // Secret stay, as Retain promises.
    await apps.deleteNamespacedStatefulSet(args);
    await core.deleteNamespacedConfigMap(args);
    await waitUntil('the pod to go', async () => {
      const pods = await core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: `app.kubernetes.io/instance=${ORDERS}`,
      });
      return pods.items.length === 0 ? true : undefined;
    });
    const claim = await core.readNamespacedPersistentVolumeClaim(claimArgs);

    // Without adoptExistingData the run refuses and names the claim.
    const refused = await runTemplate({
      name: ORDERS,
      owner: 'group:default/team-a',
    });
    expect(refused.status).toBe('failed');
    expect(await taskLog(refused.id)).toContain(
      `PersistentVolumeClaim databases/data-${ORDERS}-0 already exists`,
    );

    // With it, but a configuration the server cannot start with on that
    // data: the run fails and removes what it created, and only that.
    const crashed = await runTemplate({
      name: ORDERS,
      owner: 'group:default/team-a',
      adoptExistingData: true,
      // MySQL refuses to start on data made with another setting.
      config: { lower_case_table_names: 1 },
    });
    expect(crashed.status).toBe('failed');
    expect(await taskLog(crashed.id)).toContain(
      'removed what this run created',
    );
    await expect(apps.readNamespacedStatefulSet(args)).rejects.toMatchObject({
      code: 404,
    });
    await expect(core.readNamespacedConfigMap(args)).rejects.toMatchObject({
      code: 404,
    });
    const after = await core.readNamespacedPersistentVolumeClaim(claimArgs);
    expect(after.metadata!.uid).toBe(claim.metadata!.uid);
    expect((await core.readNamespacedSecret(args)).metadata!.uid).toBe(
      secret.metadata!.uid,
    );

    // The same volume, adopted with a good configuration, has its rows.
    const repaired = await runTemplate({
      name: ORDERS,
      owner: 'group:default/team-a',
      adoptExistingData: true,
    });
    expect({
      status: repaired.status,
      log: repaired.status === 'failed' ? await taskLog(repaired.id) : '',
    }).toEqual({ status: 'completed', log: '' });
    expect(
      (await core.readNamespacedPersistentVolumeClaim(claimArgs)).metadata!.uid,
    ).toBe(claim.metadata!.uid);
    const again = await connect();
    const [rows] = await again.query('SELECT item FROM orders ORDER BY id');
    expect((rows as any[]).map(r => r.item)).toEqual(['tea', 'cake']);
    await again.end();
  });

  it('refuses a namespace outside allowedNamespaces with a 400 and creates nothing', async () => {
    const res = await api('post', '/api/mysql/instances', {
      name: SYSTEM,
      owner: 'group:default/team-a',
      namespace: 'kube-system',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'namespace: "kube-system" is not allowed',
    );
    await expect(
      core.readNamespacedSecret({
        name: SYSTEM,
        namespace: 'kube-system',
      }),
    ).rejects.toMatchObject({ code: 404 });
    const list = await api('get', '/api/mysql/instances');
    expect(list.body.items.map((i: any) => i.name)).not.toContain(SYSTEM);
  });

  it('makes no entity of a StatefulSet with our labels that was created by hand', async () => {
    const labels = {
      'app.kubernetes.io/name': 'mysql',
      'app.kubernetes.io/instance': HANDMADE,
      'app.kubernetes.io/managed-by': 'backstage-mysql',
      'backstage.io/kubernetes-id': HANDMADE,
    };
    await apps.createNamespacedStatefulSet({
      namespace: NAMESPACE,
      body: {
        metadata: {
          name: HANDMADE,
          labels,
          annotations: { 'mysql.backstage.io/owner': 'group:default/team-a' },
        },
        spec: {
          replicas: 0,
          serviceName: HANDMADE,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
          },
        },
      },
    });
    // A recorded instance created after it does get its entity, so the
    // provider has had its chance when that one shows.
    const task = await runTemplate({
      name: AFTER,
      owner: 'group:default/team-a',
    });
    expect(task.status).toBe('completed');
    await waitUntil('the later entity', async () => {
      const res = await api(
        'get',
        `/api/catalog/entities/by-name/resource/default/${AFTER}`,
      );
      return res.status === 200 ? true : undefined;
    });
    const handmade = await api(
      'get',
      `/api/catalog/entities/by-name/resource/default/${HANDMADE}`,
    );
    expect(handmade.status).toBe(404);
    const detail = await api(
      'get',
      `/api/mysql/instances/sandbox/${NAMESPACE}/it-handmade`,
    );
    expect(detail.status).toBe(404);
  });

  it('fails on a name taken by an unmanaged StatefulSet and leaves it untouched', async () => {
    const theirs = await apps.createNamespacedStatefulSet({
      namespace: NAMESPACE,
      body: {
        metadata: { name: COLLIDE, labels: { app: 'theirs' } },
        spec: {
          replicas: 0,
          serviceName: COLLIDE,
          selector: { matchLabels: { app: 'theirs' } },
          template: {
            metadata: { labels: { app: 'theirs' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
    });
    const task = await runTemplate({
      name: COLLIDE,
      owner: 'group:default/team-a',
    });
    expect(task.status).toBe('failed');
    expect(await taskLog(task.id)).toContain(
      'already exists and is not managed by Backstage',
    );
    const after = await apps.readNamespacedStatefulSet({
      name: COLLIDE,
      namespace: NAMESPACE,
    });
    // The controller updates its status; its spec, labels and annotations stay theirs.
    expect(after.metadata!.generation).toBe(theirs.metadata!.generation);
    expect(after.metadata!.labels).toEqual({ app: 'theirs' });
    expect(after.metadata!.annotations).toEqual(theirs.metadata!.annotations);
    await expect(
      core.readNamespacedSecret({ name: COLLIDE, namespace: NAMESPACE }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('deletes an instance only when its name is typed, keeping its data when asked', async () => {
    const url = `/api/mysql/instances/sandbox/${NAMESPACE}/${ORDERS}`;
    const args = { name: ORDERS, namespace: NAMESPACE };
    const claimArgs = { name: `data-${ORDERS}-0`, namespace: NAMESPACE };
    const secret = await core.readNamespacedSecret(args);
    const value = (key: string) =>
      Buffer.from(secret.data![key], 'base64').toString('utf8');

    // How an application connects, without a password anywhere.
    const detail = await api('get', url);
    expect(detail.body.connection).toMatchObject({
      host: `${ORDERS}.${NAMESPACE}.svc.cluster.local`,
      port: 3306,
      database: value('database'),
      user: value('username'),
      secretName: ORDERS,
      passwordKey: 'password',
    });
    expect(detail.body.connection.env).toContain('secretKeyRef');
    for (const key of ['password', 'root-password', 'monitor-password']) {
      expect(JSON.stringify(detail.body)).not.toContain(value(key));
    }

    const before = await objectVersions(ORDERS);
    for (const body of [
      undefined,
      { keepData: true },
      { confirm: ORDERS.toUpperCase(), keepData: true },
      { confirm: ORDERS },
    ]) {
      const refused = await api('delete', url, body);
      expect(refused.status).toBe(400);
    }
    expect(await objectVersions(ORDERS)).toEqual(before);

    const claim = await core.readNamespacedPersistentVolumeClaim(claimArgs);
    const kept = await api('delete', url, { confirm: ORDERS, keepData: true });
    expect(kept.status).toBe(200);
    expect(kept.body).toEqual({
      deleted: [
        `StatefulSet ${NAMESPACE}/${ORDERS}`,
        `Service ${NAMESPACE}/${ORDERS}`,
        `Service ${NAMESPACE}/${ORDERS}-headless`,
        `ConfigMap ${NAMESPACE}/${ORDERS}`,
        `MysqlInstance ${NAMESPACE}/${ORDERS}`,
      ],
      kept: [
        `Secret ${NAMESPACE}/${ORDERS}`,
        `PersistentVolumeClaim ${NAMESPACE}/data-${ORDERS}-0`,
      ],
    });
    await expect(apps.readNamespacedStatefulSet(args)).rejects.toMatchObject({
      code: 404,
    });
    await expect(core.readNamespacedService(args)).rejects.toMatchObject({
      code: 404,
    });
    expect(
      (await core.readNamespacedPersistentVolumeClaim(claimArgs)).metadata!.uid,
    ).toBe(claim.metadata!.uid);
    expect((await core.readNamespacedSecret(args)).metadata!.uid).toBe(
      secret.metadata!.uid,
    );
    await waitUntil('the entity to go', async () => {
      const res = await api(
        'get',
        `/api/catalog/entities/by-name/resource/default/${ORDERS}`,
      );
      return res.status === 404 ? true : undefined;
    });
    const gone = await api('get', url);
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toContain(
      `${mockCredentials.user().principal.userEntityRef} deleted it at`,
    );
    expect(gone.body.error.message).toContain('keeping its data volume');
    // No longer owned by the deleted MysqlInstance, the garbage collector
    // leaves the kept Secret alone.
    const keptSecret = await core.readNamespacedSecret(args);
    expect(keptSecret.metadata!.uid).toBe(secret.metadata!.uid);
    expect(keptSecret.metadata!.ownerReferences).toBeUndefined();

    // A new instance of the name adopts the kept data; its history is its own.
    const again = await api('post', '/api/mysql/instances', {
      name: ORDERS,
      owner: 'group:default/team-a',
      adoptExistingData: true,
    });
    expect(again.status).toBe(202);
    expect(again.body.history.map((h: any) => h.kind)).toEqual(['provision']);
    // Writes are decided on the entity, so the next delete waits for it.
    await waitUntil('the new entity', async () => {
      const res = await api(
        'get',
        `/api/catalog/entities/by-name/resource/default/${ORDERS}`,
      );
      return res.status === 200 ? true : undefined;
    });

    const all = await api('delete', url, { confirm: ORDERS, keepData: false });
    expect(all.status).toBe(200);
    expect(all.body.deleted).toEqual(
      expect.arrayContaining([
        `Secret ${NAMESPACE}/${ORDERS}`,
        `PersistentVolumeClaim ${NAMESPACE}/data-${ORDERS}-0`,
      ]),
    );
    expect(all.body.kept).toEqual([]);
    await waitUntil('the data volume to go', async () => {
      const left = await core
        .readNamespacedPersistentVolumeClaim(claimArgs)
        .catch(() => undefined);
      return left ? undefined : true;
    });
    await expect(core.readNamespacedSecret(args)).rejects.toMatchObject({
      code: 404,
    });
  });
});
