import { mockCredentials } from '@backstage/backend-test-utils';
import {
  FakeS3,
  startFakeS3,
  TestSandbox,
  useSandbox,
  waitUntil,
} from '@mysql-portal/k8s-sandbox';
import * as k8s from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  NAMESPACE,
  startMysqlTestBackend,
} from './__testUtils__/mysqlTestBackend';

jest.setTimeout(600_000);

// Issue 14 end to end: backups to a PVC and to S3 (s3rver), restores into
// new instances, a schedule with retention, a failing target, and version
// upgrades, all through the REST API of a backend that runs with its
// least-privilege account against real MySQL in the sandbox.

const RUN = randomBytes(2).toString('hex');
const ORDERS = `it-bk-orders-${RUN}`;
const FROM_PVC = `it-bk-pvc-${RUN}`;
const FROM_S3 = `it-bk-s3-${RUN}`;
const MARIA = `it-bk-maria-${RUN}`;
const MARIA_COPY = `it-bk-maria2-${RUN}`;
const BUCKET = 'backups';
const S3_SECRET = 'backup-s3';
const ROWS = [
  { id: 1, name: 'plain' },
  { id: 2, name: 'quote \' and "double"' },
  { id: 3, name: 'ünïcödé 🐬' },
];

let sandbox: TestSandbox;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let s3: FakeS3;
let backend: Awaited<ReturnType<typeof startMysqlTestBackend>>;

const base = (name: string) =>
  `/api/mysql/instances/sandbox/${NAMESPACE}/${name}`;

function api(
  method: 'get' | 'post' | 'put' | 'delete',
  url: string,
  body?: object,
) {
  const req = request(backend.server)
    [method](url)
    .set('Authorization', mockCredentials.user.header());
  return body ? req.send(body) : req;
}

async function create(name: string, extra: object = {}) {
  const res = await api('post', '/api/mysql/instances', {
    name,
    owner: 'user:default/mock',
    version: 'mysql:9.7',
    size: 'small',
    storageSize: '1Gi',
    ...extra,
  });
  expect({ status: res.status, error: res.body.error?.message }).toEqual({
    status: 202,
    error: undefined,
  });
  await waitUntil(
    `${name} to run`,
    async () => {
      const detail = await api('get', base(name));
      return detail.body.status?.phase === 'Running' ? detail.body : undefined;
    },
    240_000,
  );
  // Owners' writes are decided on the entity, which follows within seconds.
  await waitUntil(`the entity of ${name}`, async () => {
    const entity = await api(
      'get',
      `/api/catalog/entities/by-name/resource/default/${name}`,
    );
    return entity.status === 200 ? entity.body : undefined;
  });
}

async function connect(name: string, user: 'app' | 'root' = 'app') {
  const secret = await core.readNamespacedSecret({
    name,
    namespace: NAMESPACE,
  });
  const value = (key: string) =>
    Buffer.from(secret.data![key], 'base64').toString('utf8');
  const pod = await core.readNamespacedPod({
    name: `${name}-0`,
    namespace: NAMESPACE,
  });
  return mysql.createConnection({
    host: pod.status!.podIP!,
    user: user === 'root' ? 'root' : value('username'),
    password: value(user === 'root' ? 'root-password' : 'password'),
    database: value('database'),
    charset: 'utf8mb4',
  });
}

async function readRows(name: string) {
  const db = await connect(name);
  const [rows] = await db.query('SELECT id, name FROM items ORDER BY id');
  await db.end();
  return rows;
}

/** Takes a backup through the API and waits for it to end. */
async function backUp(name: string) {
  const started = await api('post', `${base(name)}/backups`);
  expect({
    status: started.status,
    error: started.body.error?.message,
  }).toEqual({
    status: 202,
    error: undefined,
  });
  expect(started.body).toEqual({ id: expect.any(String), status: 'Running' });
  const ended = await waitUntil(
    `backup ${started.body.id} to end`,
    async () => {
      const list = await api('get', `${base(name)}/backups`);
      const backup = list.body.items.find((b: any) => b.id === started.body.id);
      return backup?.status === 'Running' ? undefined : backup;
    },
    180_000,
  );
  // The assertions on the state would not show why.
  if (ended.status === 'Failed') {
    console.log(`backup ${ended.id} of ${name} failed: ${ended.message}`);
  }
  return ended;
}

async function restoreInto(
  name: string,
  source: string,
  backup: string,
  extra: object = {},
) {
  await create(name, {
    restoreFrom: { instance: `sandbox/${NAMESPACE}/${source}`, backup },
    ...extra,
  });
  return waitUntil(
    `the restore of ${name}`,
    async () => {
      const detail = await api('get', base(name));
      const status = detail.body.restore?.status;
      return status === 'Completed' || status === 'Failed'
        ? detail.body
        : undefined;
    },
    180_000,
  );
}

/** Waits for the upgrade of `name` to end and its server to run. */
async function upgradeEnded(name: string) {
  const done = await waitUntil(
    `the upgrade of ${name} to end`,
    async () => {
      const d = (await api('get', base(name))).body;
      return ['Completed', 'RolledBack', 'Failed'].includes(
        d.upgrade?.status,
      ) && d.status.phase === 'Running'
        ? d
        : undefined;
    },
    240_000,
  );
  // A failure's reason is in the message and the history, which the
  // assertions on the state would not show.
  if (done.upgrade.status !== 'Completed') {
    console.log(
      `the upgrade of ${name} ended ${JSON.stringify(
        done.upgrade,
      )}; history:\n${done.history
        .map((h: any) => `${h.at} ${h.kind}: ${h.message}`)
        .join('\n')}`,
    );
  }
  return done;
}

/** The host folder behind a backup claim (the sandbox's hostPath volume). */
async function claimDir(claim: string) {
  const pvc = await core.readNamespacedPersistentVolumeClaim({
    name: claim,
    namespace: NAMESPACE,
  });
  const pv = await core.readPersistentVolume({ name: pvc.spec!.volumeName! });
  return pv.spec!.hostPath!.path;
}

beforeAll(async () => {
  sandbox = await useSandbox();
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
  s3 = await startFakeS3(BUCKET);
  backend = await startMysqlTestBackend(sandbox, {
    cluster: {
      backups: {
        s3: {
          endpoint: s3.endpoint,
          bucket: BUCKET,
          prefix: 'it/',
          credentialsSecret: S3_SECRET,
        },
      },
    },
    mysql: { backups: { checkSeconds: 1, timeoutSeconds: 300 } },
  });
  await core
    .deleteNamespacedSecret({ name: S3_SECRET, namespace: NAMESPACE })
    .catch(() => undefined);
  await core.createNamespacedSecret({
    namespace: NAMESPACE,
    body: {
      metadata: { name: S3_SECRET },
      stringData: {
        'access-key-id': s3.accessKeyId,
        'secret-access-key': s3.secretAccessKey,
      },
    },
  });
  await create(ORDERS);
  const db = await connect(ORDERS);
  await db.query(
    'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50)) CHARACTER SET utf8mb4',
  );
  for (const row of ROWS) await db.query('INSERT INTO items SET ?', row);
  await db.end();
});

afterAll(async () => {
  await backend?.stop();
  await s3?.stop();
  for (const name of [ORDERS, FROM_PVC, FROM_S3, MARIA, MARIA_COPY]) {
    await apps
      .deleteNamespacedStatefulSet({ name, namespace: NAMESPACE })
      .catch(() => undefined);
    for (const claim of [`data-${name}-0`, `${name}-backups`]) {
      await core
        .deleteNamespacedPersistentVolumeClaim({
          name: claim,
          namespace: NAMESPACE,
        })
        .catch(() => undefined);
    }
  }
});

it('backs up into the instance backup volume and restores into a new instance with its own passwords', async () => {
  const backup = await backUp(ORDERS);
  expect(backup).toEqual({
    id: expect.any(String),
    status: 'Completed',
    trigger: 'manual',
    actor: 'user:default/mock',
    startedAt: expect.any(String),
    completedAt: expect.any(String),
    sizeBytes: expect.any(Number),
    location: `pvc://${ORDERS}-backups/${backup.id}.sql.gz`,
  });
  const file = path.join(
    await claimDir(`${ORDERS}-backups`),
    `${backup.id}.sql.gz`,
  );
  expect(fs.statSync(file).size).toBe(backup.sizeBytes);

  const restored = await restoreInto(FROM_PVC, ORDERS, backup.id);
  expect(restored.restore).toEqual({
    source: { instance: `sandbox/${NAMESPACE}/${ORDERS}`, backup: backup.id },
    status: 'Completed',
  });
  expect(await readRows(FROM_PVC)).toEqual(ROWS);
  const secrets = await Promise.all(
    [ORDERS, FROM_PVC].map(name =>
      core.readNamespacedSecret({ name, namespace: NAMESPACE }),
    ),
  );
  expect(secrets[1].data!.password).not.toEqual(secrets[0].data!.password);
  expect(secrets[1].data!['root-password']).not.toEqual(
    secrets[0].data!['root-password'],
  );
  expect(restored.history.map((h: any) => h.message)).toEqual(
    expect.arrayContaining([
      `Created from backup ${backup.id} of sandbox/${NAMESPACE}/${ORDERS}; its data is loaded once the server is up`,
      `Restored backup ${backup.id} of sandbox/${NAMESPACE}/${ORDERS}`,
    ]),
  );
});

it('refuses a restore from a backup or an instance that is not there, before creating anything', async () => {
  const missing = await api('post', '/api/mysql/instances', {
    name: `it-bk-none-${RUN}`,
    owner: 'user:default/mock',
    restoreFrom: { instance: `sandbox/${NAMESPACE}/${ORDERS}`, backup: 'nope' },
  });
  expect(missing.status).toBe(400);
  expect(missing.body.error.message).toContain(
    `restoreFrom.backup: sandbox/${NAMESPACE}/${ORDERS} has no backup "nope"`,
  );
  const unknown = await api('post', '/api/mysql/instances', {
    name: `it-bk-none-${RUN}`,
    owner: 'user:default/mock',
    restoreFrom: { instance: 'sandbox/databases/no-such-db', backup: 'x' },
  });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.message).toContain('restoreFrom.instance');
  await expect(
    apps.readNamespacedStatefulSet({
      name: `it-bk-none-${RUN}`,
      namespace: NAMESPACE,
    }),
  ).rejects.toThrow();
});

it('backs up to S3 and restores from there', async () => {
  const policy = await api('put', `${base(ORDERS)}/backups/policy`, {
    target: 's3',
  });
  expect(policy.status).toBe(200);
  expect(policy.body).toEqual({
    target: 's3',
    schedule: '0 3 * * *',
    retention: 7,
  });
  const backup = await backUp(ORDERS);
  const key = `it/sandbox/${NAMESPACE}/${ORDERS}/${backup.id}.sql.gz`;
  expect(backup).toMatchObject({
    status: 'Completed',
    location: `s3://${BUCKET}/${key}`,
  });
  const object = await fetch(`${s3.endpoint}/${BUCKET}/${key}`);
  expect(object.status).toBe(200);
  expect((await object.arrayBuffer()).byteLength).toBe(backup.sizeBytes);

  await restoreInto(FROM_S3, ORDERS, backup.id);
  expect(await readRows(FROM_S3)).toEqual(ROWS);
});

it('runs a scheduled backup on its own and keeps only the newest N', async () => {
  await api('put', `${base(ORDERS)}/backups/policy`, { target: 'pvc' });
  // One more on the volume: with the first test's, two before the schedule.
  await backUp(ORDERS);
  const before = (
    await api('get', `${base(ORDERS)}/backups`)
  ).body.items.filter(
    (b: any) => b.location.startsWith('pvc://') && b.status === 'Completed',
  );
  expect(before).toHaveLength(2);
  const policy = await api('put', `${base(ORDERS)}/backups/policy`, {
    schedule: '* * * * *',
    retention: 2,
  });
  expect(policy.body).toEqual({
    target: 'pvc',
    schedule: '* * * * *',
    retention: 2,
  });
  const scheduled = await waitUntil(
    'a scheduled backup to complete',
    async () => {
      const list = await api('get', `${base(ORDERS)}/backups`);
      return list.body.items.find(
        (b: any) => b.trigger === 'schedule' && b.status === 'Completed',
      );
    },
    150_000,
  );
  await api('put', `${base(ORDERS)}/backups/policy`, { schedule: '0 3 * * *' });
  // The next minute's run may have started before the schedule changed.
  const items = await waitUntil(
    'no backup to run',
    async () => {
      const list = (await api('get', `${base(ORDERS)}/backups`)).body.items;
      return list.some((b: any) => b.status === 'Running') ? undefined : list;
    },
    150_000,
  );
  const kept = items
    .filter(
      (b: any) => b.location.startsWith('pvc://') && b.status === 'Completed',
    )
    .map((b: any) => b.id);
  // The newest two: the scheduled one and either the one before it or a
  // second scheduled one; the older ones are pruned.
  expect(kept).toHaveLength(2);
  expect(kept).toContain(scheduled.id);
  const dir = await claimDir(`${ORDERS}-backups`);
  expect(fs.readdirSync(dir).sort()).toEqual(
    kept.map((id: string) => `${id}.sql.gz`).sort(),
  );
});

it('upgrades along a supported path keeping the data, refuses others, and rolls back an image that cannot start', async () => {
  const detail = (await api('get', base(ORDERS))).body;
  const refused = await api('put', `${base(ORDERS)}/version`, {
    image: 'mysql:8.4',
    resourceVersion: detail.resourceVersion,
  });
  expect(refused.status).toBe(400);
  expect(refused.body.error.message).toMatch(/^image: .*older than/);

  // A backup that runs when the upgrade starts is waited for, and the
  // upgrade's own backup taken after it.
  const running = await api('post', `${base(ORDERS)}/backups`);
  expect(running.body).toMatchObject({ status: 'Running' });
  const upgrade = await api('put', `${base(ORDERS)}/version`, {
    image: 'mysql:9.7.4',
    resourceVersion: detail.resourceVersion,
  });
  expect({
    status: upgrade.status,
    error: upgrade.body.error?.message,
  }).toEqual({
    status: 202,
    error: undefined,
  });
  const done = await upgradeEnded(ORDERS);
  expect(done.upgrade).toMatchObject({
    from: 'mysql:9.7',
    to: 'mysql:9.7.4',
    status: 'Completed',
    backup: expect.any(String),
  });
  expect(done.upgrade.backup).not.toBe(running.body.id);
  expect(done.version.image).toBe('mysql:9.7.4');
  expect(await readRows(ORDERS)).toEqual(ROWS);

  // The sandbox has no 9.7.5: as on a real kubelet, the image is never pulled.
  const broken = await api('put', `${base(ORDERS)}/version`, {
    image: 'mysql:9.7.5',
    resourceVersion: done.resourceVersion,
  });
  expect(broken.status).toBe(202);
  const rolledBack = await waitUntil(
    'the rollback',
    async () => {
      const d = (await api('get', base(ORDERS))).body;
      // The history line follows the state by a moment.
      return d.upgrade?.status === 'RolledBack' &&
        d.status.phase === 'Running' &&
        d.history.some((h: any) => h.message.startsWith('rolled back to'))
        ? d
        : undefined;
    },
    240_000,
  );
  expect(rolledBack.upgrade.message).toContain('mysql:9.7.5 cannot start');
  expect(rolledBack.history.map((h: any) => h.message)).toEqual(
    expect.arrayContaining(['rolled back to mysql:9.7.4, which runs again']),
  );
  expect(rolledBack.version.image).toBe('mysql:9.7.4');
  expect(await readRows(ORDERS)).toEqual(ROWS);
  const sts = await apps.readNamespacedStatefulSet({
    name: ORDERS,
    namespace: NAMESPACE,
  });
  expect(sts.spec!.template.spec!.containers[0].image).toBe('mysql:9.7.4');
});

it('sets MARIADB_AUTO_UPGRADE with a new MariaDB image, also on an instance made without it, and a restore keeps the upgraded image', async () => {
  await create(MARIA, { version: 'mariadb:10.11' });
  const envOf = async () => {
    const sts = await apps.readNamespacedStatefulSet({
      name: MARIA,
      namespace: NAMESPACE,
    });
    return sts.spec!.template.spec!.containers[0].env ?? [];
  };
  const made = await envOf();
  expect(made).toContainEqual({ name: 'MARIADB_AUTO_UPGRADE', value: '1' });

  // As if it had been made before the portal set it: the pod rolls.
  await apps.patchNamespacedStatefulSet(
    {
      name: MARIA,
      namespace: NAMESPACE,
      body: [
        {
          op: 'remove',
          path: `/spec/template/spec/containers/0/env/${made.findIndex(
            e => e.name === 'MARIADB_AUTO_UPGRADE',
          )}`,
        },
      ],
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
  );
  const rolled = await waitUntil(
    `${MARIA} to run without the setting`,
    async () => {
      const sts = await apps.readNamespacedStatefulSet({
        name: MARIA,
        namespace: NAMESPACE,
      });
      const st = sts.status!;
      if (
        st.observedGeneration !== sts.metadata!.generation ||
        st.currentRevision !== st.updateRevision ||
        st.readyReplicas !== 1
      ) {
        return undefined;
      }
      const d = (await api('get', base(MARIA))).body;
      return d.status.phase === 'Running' ? d : undefined;
    },
    240_000,
  );
  expect(await envOf()).not.toContainEqual(
    expect.objectContaining({ name: 'MARIADB_AUTO_UPGRADE' }),
  );

  // The patch release the sandbox runs, as a three-part tag.
  const patch = /^\d+\.\d+\.\d+/.exec(rolled.version.server)![0];
  const upgrade = await api('put', `${base(MARIA)}/version`, {
    image: `mariadb:${patch}`,
    resourceVersion: rolled.resourceVersion,
  });
  expect({
    status: upgrade.status,
    error: upgrade.body.error?.message,
  }).toEqual({ status: 202, error: undefined });
  const done = await upgradeEnded(MARIA);
  expect(done.upgrade).toMatchObject({
    to: `mariadb:${patch}`,
    status: 'Completed',
  });
  const env = await envOf();
  expect(env).toContainEqual({ name: 'MARIADB_AUTO_UPGRADE', value: '1' });
  // Merged by name: the passwords' references stay.
  expect(env.map(e => e.name)).toEqual(
    expect.arrayContaining(['MYSQL_ROOT_PASSWORD', 'MYSQL_MONITOR_PASSWORD']),
  );

  // mysql.images lists no three-part tag; a restore keeps its source's.
  const copy = await restoreInto(MARIA_COPY, MARIA, done.upgrade.backup, {
    version: undefined,
  });
  expect(copy.restore).toMatchObject({ status: 'Completed' });
  expect(copy.version.image).toBe(`mariadb:${patch}`);
});

it('answers a delete with a final backup at once, shows Deleting, and deletes once the backup completed', async () => {
  const url = base(FROM_PVC);
  const asked = await api('delete', url, {
    confirm: FROM_PVC,
    keepData: false,
    finalBackup: true,
  });
  expect(asked.status).toBe(202);
  expect(asked.body).toEqual({
    deleted: [],
    kept: [],
    pending: { backup: expect.any(String), message: expect.any(String) },
  });
  const finalBackup = asked.body.pending.backup;

  // The backup takes seconds (a Job, a dump, a copy): long enough to see
  // the instance Deleting, and changes to it refused.
  const deleting = await waitUntil(`${FROM_PVC} to show Deleting`, async () => {
    const d = await api('get', url);
    return d.body.status?.phase === 'Deleting' ? d.body : undefined;
  });
  expect(deleting.status.message).toBe(
    `deleting once the final backup ${finalBackup} has completed`,
  );
  const restart = await api('post', `${url}/restart`);
  expect(restart.status).toBe(409);
  expect(restart.body.error.message).toContain('is being deleted');
  // Its MysqlInstance says so too, without waiting for a poll.
  const custom = sandbox.kc.makeApiClient(k8s.CustomObjectsApi);
  const operation = await waitUntil('the Delete operation', async () => {
    const resource: any = await custom.getNamespacedCustomObject({
      group: 'mysql.backstage.io',
      version: 'v1alpha1',
      plural: 'mysqlinstances',
      namespace: NAMESPACE,
      name: FROM_PVC,
    });
    return resource.status?.operation?.state === 'BackingUp'
      ? { phase: resource.status.phase, operation: resource.status.operation }
      : undefined;
  });
  expect(operation).toEqual({
    phase: 'Deleting',
    operation: {
      type: 'Delete',
      state: 'BackingUp',
      startedAt: expect.any(String),
    },
  });

  const gone = await waitUntil(
    `${FROM_PVC} to be deleted`,
    async () => {
      const d = await api('get', url);
      return d.status === 404 ? d.body : undefined;
    },
    180_000,
  );
  expect(gone.error.message).toContain('deleted it at');
  // The final backup is on the backup volume, which outlives the instance.
  const file = path.join(
    await claimDir(`${FROM_PVC}-backups`),
    `${finalBackup}.sql.gz`,
  );
  expect(fs.statSync(file).size).toBeGreaterThan(0);
  await expect(
    apps.readNamespacedStatefulSet({ name: FROM_PVC, namespace: NAMESPACE }),
  ).rejects.toMatchObject({ code: 404 });
});

it('records a backup to an unreachable target as Failed with the reason', async () => {
  await api('put', `${base(ORDERS)}/backups/policy`, { target: 's3' });
  await s3.stop();
  const backup = await backUp(ORDERS);
  expect(backup).toMatchObject({ status: 'Failed' });
  expect(backup.message).toMatch(
    /upload exited with \d+: .*(connect|Connection refused)/i,
  );
  expect(backup.sizeBytes).toBeUndefined();
});
