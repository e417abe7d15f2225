import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import mysql from 'mysql2/promise';
import { TestSandbox, useSandbox, waitUntil } from './testing';

jest.setTimeout(300_000);

// Backup and restore Jobs as the backend makes them (issue 14): the dump
// tool of the instance's own image, run by the node agent against the
// instance's Service name, into a PVC, and back into another instance.

let sandbox: TestSandbox;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let batch: k8s.BatchV1Api;
const namespace = `jobs-${randomBytes(3).toString('hex')}`;
const LABELS = { 'app.kubernetes.io/managed-by': 'backstage-mysql' };
/** How a Job that did its work ends (a restore writes no termination message). */
const COMPLETED = {
  condition: 'Complete',
  phase: 'Succeeded',
  exitCode: 0,
  reason: 'Completed',
  message: undefined,
};
const ROWS = [
  { id: 1, name: 'plain' },
  { id: 2, name: 'quote \' and "double"' },
  { id: 3, name: 'ünïcödé 🐬' },
];

/** An instance as the backend makes one: Secret, Service, StatefulSet with a PVC. */
async function createInstance(name: string, image: string) {
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name, labels: LABELS },
      stringData: {
        username: 'app',
        password: `pw-${randomBytes(6).toString('hex')}`,
        database: 'app',
        'root-password': `root-${randomBytes(6).toString('hex')}`,
      },
    },
  });
  const labels = { ...LABELS, 'app.kubernetes.io/instance': name };
  await core.createNamespacedService({
    namespace,
    body: {
      metadata: { name, labels },
      spec: {
        selector: labels,
        ports: [{ name: 'mysql', port: 3306, targetPort: 'mysql' }],
      },
    },
  });
  const fromSecret = (env: string, key: string): k8s.V1EnvVar => ({
    name: env,
    valueFrom: { secretKeyRef: { name, key } },
  });
  await apps.createNamespacedStatefulSet({
    namespace,
    body: {
      metadata: { name, labels },
      spec: {
        replicas: 1,
        serviceName: name,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'mysql',
                image,
                env: [
                  fromSecret('MYSQL_ROOT_PASSWORD', 'root-password'),
                  fromSecret('MYSQL_DATABASE', 'database'),
                  fromSecret('MYSQL_USER', 'username'),
                  fromSecret('MYSQL_PASSWORD', 'password'),
                ],
                ports: [{ name: 'mysql', containerPort: 3306 }],
                readinessProbe: {
                  tcpSocket: { port: 'mysql' },
                  periodSeconds: 1,
                },
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '1Gi' } },
            },
          },
        ],
      },
    },
  });
}

function ready(instance: string) {
  return waitUntil(`${instance}-0 to be Ready`, async () => {
    const p = await core.readNamespacedPod({
      name: `${instance}-0`,
      namespace,
    });
    const isReady = p.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    );
    return isReady ? p : undefined;
  });
}

async function connect(instance: string) {
  const pod = await ready(instance);
  const secret = await core.readNamespacedSecret({ name: instance, namespace });
  const value = (key: string) =>
    Buffer.from(secret.data![key], 'base64').toString('utf8');
  return mysql.createConnection({
    host: pod.status!.podIP!,
    port: 3306,
    user: value('username'),
    password: value('password'),
    database: value('database'),
    charset: 'utf8mb4',
  });
}

/** The Job of issue 14's manifest: `script` in the instance's image, with its credentials. */
function job(
  name: string,
  instance: string,
  image: string,
  script: string,
  extra: Partial<k8s.V1Container> = {},
): k8s.V1Job {
  const fromSecret = (env: string, key: string): k8s.V1EnvVar => ({
    name: env,
    valueFrom: { secretKeyRef: { name: instance, key } },
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace,
      labels: { ...LABELS, 'app.kubernetes.io/instance': instance },
    },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'dump',
              image,
              command: ['sh', '-c'],
              args: [script],
              env: [
                {
                  name: 'MYSQL_HOST',
                  value: `${instance}.${namespace}.svc.cluster.local`,
                },
                fromSecret('MYSQL_USER', 'username'),
                fromSecret('MYSQL_PWD', 'password'),
                fromSecret('MYSQL_DATABASE', 'database'),
              ],
              volumeMounts: [{ name: 'backup', mountPath: '/backup' }],
              // Without it, as on a real kubelet, a failed container's
              // message is empty: the script writes the termination log
              // only on success.
              terminationMessagePolicy: 'FallbackToLogsOnError',
              ...extra,
            },
          ],
          volumes: [
            {
              name: 'backup',
              persistentVolumeClaim: { claimName: 'backups' },
            },
          ],
        },
      },
    },
  };
}

// MySQL 9.7 runs with GTIDs on, and the instance's user has no RELOAD,
// FLUSH_TABLES or PROCESS: with `--set-gtid-purged=AUTO` (the default)
// mysqldump fails on `FLUSH TABLES`, and without `--no-tablespaces` it
// warns. A dump restored into another instance must not carry GTIDs anyway.
const MYSQL_DUMP = 'mysqldump --set-gtid-purged=OFF --no-tablespaces';

const dumpScript = (file: string, dump = MYSQL_DUMP) =>
  `set -o pipefail 2>/dev/null || true; ${dump} --host="$MYSQL_HOST" --user="$MYSQL_USER" ` +
  `--single-transaction --routines --events --databases "$MYSQL_DATABASE" ` +
  `| gzip > /backup/${file} && wc -c < /backup/${file} > /dev/termination-log`;

const restoreScript = (file: string, client = 'mysql') =>
  `set -o pipefail 2>/dev/null || true; gunzip -c /backup/${file} | ` +
  `${client} --host="$MYSQL_HOST" --user="$MYSQL_USER" "$MYSQL_DATABASE"`;

/** Runs a Job to its end; answers its final condition and how its pod's container ended. */
async function runJob(body: k8s.V1Job) {
  const name = body.metadata!.name!;
  await batch.createNamespacedJob({ namespace, body });
  const condition = await waitUntil(
    `Job ${name} to finish`,
    async () => {
      const j = await batch.readNamespacedJob({ name, namespace });
      return j.status?.conditions?.find(
        c =>
          (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
      );
    },
    120_000,
  );
  const pods = await core.listNamespacedPod({
    namespace,
    labelSelector: `job-name=${name}`,
  });
  expect(pods.items).toHaveLength(1);
  const pod = pods.items[0];
  const container = pod.status?.containerStatuses?.[0];
  const terminated = container?.state?.terminated;
  return {
    condition: condition.type,
    phase: pod.status?.phase,
    exitCode: terminated?.exitCode,
    reason: terminated?.reason,
    message: terminated?.message,
    imageID: container?.imageID,
  };
}

/** The host file behind `/backup/<file>` (the PVC's hostPath volume). */
async function backupFile(file: string) {
  const pvc = await core.readNamespacedPersistentVolumeClaim({
    name: 'backups',
    namespace,
  });
  const pv = await core.readPersistentVolume({ name: pvc.spec!.volumeName! });
  return path.join(pv.spec!.hostPath!.path, file);
}

async function writeRows(instance: string) {
  const db = await connect(instance);
  await db.query(
    'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50)) CHARACTER SET utf8mb4',
  );
  for (const row of ROWS) await db.query('INSERT INTO items SET ?', row);
  await db.end();
}

async function readRows(instance: string) {
  const db = await connect(instance);
  const [rows] = await db.query('SELECT id, name FROM items ORDER BY id');
  await db.end();
  return rows;
}

beforeAll(async () => {
  sandbox = await useSandbox();
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
  batch = sandbox.kc.makeApiClient(k8s.BatchV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitUntil('the default service account', async () => {
    const sa = await core.readNamespacedServiceAccount({
      name: 'default',
      namespace,
    });
    return sa.secrets?.length ? sa : undefined;
  });
  await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name: 'backups', labels: LABELS },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
      },
    },
  });
  // Every instance starts at once: the servers initialise side by side.
  await Promise.all([
    createInstance('orders', 'mysql:9.7'),
    createInstance('orders-copy', 'mysql:9.7'),
    createInstance('shop', 'mariadb:11.8'),
    createInstance('shop-copy', 'mariadb:10.11'),
  ]);
});

afterAll(async () => {
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

it('backs up a mysql instance with its own mysqldump into a PVC and restores it into another', async () => {
  await writeRows('orders');
  const dump = await runJob(
    job('orders-backup-1a2b', 'orders', 'mysql:9.7', dumpScript('1a2b.sql.gz')),
  );
  const file = await backupFile('1a2b.sql.gz');
  expect(dump).toEqual({
    condition: 'Complete',
    phase: 'Succeeded',
    exitCode: 0,
    reason: 'Completed',
    message: `${fs.statSync(file).size}\n`,
    imageID: expect.stringMatching(
      /^sandbox:\/\/debian-sid\/mysql-client-core@9\./,
    ),
  });
  const sql = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
  expect(sql).toMatch(/^-- MySQL dump .* Distrib 9\./m);
  expect(sql).toContain('CREATE TABLE `items`');

  // A restore needs the instance up, as on a real cluster.
  await ready('orders-copy');
  const restore = await runJob(
    job(
      'orders-copy-restore-1a2b',
      'orders-copy',
      'mysql:9.7',
      restoreScript('1a2b.sql.gz'),
    ),
  );
  expect(restore).toMatchObject(COMPLETED);
  expect(await readRows('orders-copy')).toEqual(ROWS);
});

it('does the same for mariadb images with mariadb-dump and mariadb', async () => {
  await writeRows('shop');
  // Their /bin/sh is dash (Ubuntu), which has no pipefail: `set -o
  // pipefail` ends the script there with exit code 2, even behind `|| true`.
  const bash = { command: ['bash', '-c'] };
  const dump = await runJob(
    job(
      'shop-backup-3c4d',
      'shop',
      'mariadb:11.8',
      dumpScript('3c4d.sql.gz', 'mariadb-dump'),
      bash,
    ),
  );
  expect(dump).toEqual({
    ...COMPLETED,
    message: expect.stringMatching(/^[1-9]\d{2,}\n$/),
    imageID: 'sandbox://debian-bookworm/mariadb-client',
  });
  await ready('shop-copy');
  const restore = await runJob(
    job(
      'shop-copy-restore-3c4d',
      'shop-copy',
      'mariadb:10.11',
      restoreScript('3c4d.sql.gz', 'mariadb'),
      bash,
    ),
  );
  expect(restore).toMatchObject(COMPLETED);
  expect(await readRows('shop-copy')).toEqual(ROWS);

  const withDash = await runJob(
    job(
      'shop-backup-dash',
      'shop',
      'mariadb:11.8',
      dumpScript('x.sql.gz', 'mariadb-dump'),
    ),
  );
  expect(withDash).toMatchObject({
    condition: 'Failed',
    exitCode: 2,
    message: undefined,
  });
});

it('fails the Job with the client’s error when the instance does not answer', async () => {
  // A Service with no ready pod, as an instance that is down: a real
  // cluster refuses the connection, and so does the sandbox.
  await core.createNamespacedService({
    namespace,
    body: {
      metadata: { name: 'stopped', labels: LABELS },
      spec: {
        selector: { 'app.kubernetes.io/instance': 'stopped' },
        ports: [{ name: 'mysql', port: 3306 }],
      },
    },
  });
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: 'stopped', labels: LABELS },
      stringData: { username: 'app', password: 'x', database: 'app' },
    },
  });
  const failed = await runJob(
    job(
      'stopped-backup-5e6f',
      'stopped',
      'mysql:9.7',
      dumpScript('5e6f.sql.gz'),
    ),
  );
  expect(failed).toMatchObject({
    condition: 'Failed',
    phase: 'Failed',
    exitCode: 2,
    reason: 'Error',
  });
  expect(failed.message).toMatch(
    new RegExp(
      `mysqldump: Got error: 2003: Can't connect to MySQL server on 'stopped\\.${namespace}\\.svc\\.cluster\\.local:3306' \\(111\\)`,
    ),
  );
});
