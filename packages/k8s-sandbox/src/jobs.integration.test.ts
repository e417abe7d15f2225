import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import mysql from 'mysql2/promise';
import { closedPort, FakeS3, sandboxHostAddress, startFakeS3 } from './fakeS3';
import {
  sandboxServerVersion,
  TestSandbox,
  useSandbox,
  waitUntil,
} from './testing';

jest.setTimeout(300_000);

// Backup and restore Jobs as the backend makes them (issue 14): the dump
// tool of the instance's own image, run by the kubelet against the
// instance's Service name (through cluster DNS), into a PVC, and back into
// another instance.

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

/** The instance's address and credentials, as a Job's env. */
function dbEnv(instance: string): k8s.V1EnvVar[] {
  const fromSecret = (env: string, key: string): k8s.V1EnvVar => ({
    name: env,
    valueFrom: { secretKeyRef: { name: instance, key } },
  });
  return [
    {
      name: 'MYSQL_HOST',
      value: `${instance}.${namespace}.svc.cluster.local`,
    },
    fromSecret('MYSQL_USER', 'username'),
    fromSecret('MYSQL_PWD', 'password'),
    fromSecret('MYSQL_DATABASE', 'database'),
  ];
}

/** The Job of issue 14's manifest: `script` in the instance's image, with its credentials. */
function job(
  name: string,
  instance: string,
  image: string,
  script: string,
  extra: Partial<k8s.V1Container> = {},
): k8s.V1Job {
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
              env: dbEnv(instance),
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
  const ended = (status?: k8s.V1ContainerStatus) => {
    const terminated = status?.state?.terminated;
    return {
      exitCode: terminated?.exitCode,
      reason: terminated?.reason,
      message: terminated?.message,
      // The image that ran, as containerd names it.
      image: status?.image,
    };
  };
  return {
    condition: condition.type,
    phase: pod.status?.phase,
    ...ended(pod.status?.containerStatuses?.[0]),
    init: pod.status?.initContainerStatuses?.map(ended),
    containerState: pod.status?.containerStatuses?.[0].state,
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
  // Idempotent, so that every test can run on its own.
  await db.query(
    'CREATE TABLE IF NOT EXISTS items (id INT PRIMARY KEY, name VARCHAR(50)) CHARACTER SET utf8mb4',
  );
  for (const row of ROWS) await db.query('INSERT IGNORE INTO items SET ?', row);
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
    return sa;
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
    createInstance('orders-s3', 'mysql:9.7'),
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
  expect(dump).toMatchObject({
    condition: 'Complete',
    phase: 'Succeeded',
    exitCode: 0,
    reason: 'Completed',
    message: `${fs.statSync(file).size}\n`,
    // containerd names one of the tags the image has (mysql:8.4, mysql:9.7…).
    image: expect.stringMatching(/^docker\.io\/library\/mysql:/),
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
  expect(dump).toMatchObject({
    ...COMPLETED,
    message: expect.stringMatching(/^[1-9]\d{2,}\n$/),
    image: expect.stringMatching(/^docker\.io\/library\/mariadb:11\.8/),
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

  // MariaDB's official images are Ubuntu's, whose dash has no pipefail;
  // so is bookworm's (trixie's dash has it): the product's Jobs use bash.
  const withDash = await runJob(
    job(
      'shop-backup-dash',
      'shop',
      'mariadb:10.11',
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
      // kube-proxy rejects a Service without endpoints with ICMP:
      // unreachable (101) here, refused (111) where its reject differs.
      `mysqldump: Got error: 2003: Can't connect to MySQL server on 'stopped\\.${namespace}\\.svc\\.cluster\\.local:3306' \\((101|111)\\)`,
    ),
  );
});

// The backend's S3 Jobs (plugins/mysql-backend/src/backups/backupJob.ts):
// one container of the instance's image and one of curl's, in either
// order, sharing an emptyDir; curl signs its requests with --aws-sigv4.
const CURL_IMAGE = 'curlimages/curl:8.11.1';
const S3_CURL =
  'curl --fail-with-body --silent --show-error --aws-sigv4 "aws:amz:$S3_REGION:s3" ' +
  '--user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY"';

function s3Env(url: string): k8s.V1EnvVar[] {
  const fromSecret = (env: string, key: string): k8s.V1EnvVar => ({
    name: env,
    valueFrom: { secretKeyRef: { name: 's3-credentials', key } },
  });
  return [
    { name: 'S3_URL', value: url },
    { name: 'S3_REGION', value: 'us-east-1' },
    fromSecret('S3_ACCESS_KEY_ID', 'access-key-id'),
    fromSecret('S3_SECRET_ACCESS_KEY', 'secret-access-key'),
  ];
}

function step(
  name: string,
  image: string,
  shell: 'sh' | 'bash',
  script: string,
  env: k8s.V1EnvVar[],
): k8s.V1Container {
  return {
    name,
    image,
    command: [shell, '-c', script],
    env,
    volumeMounts: [{ name: 'work', mountPath: '/work' }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

function twoStepJob(
  name: string,
  instance: string,
  first: k8s.V1Container,
  then: k8s.V1Container,
): k8s.V1Job {
  const body = job(name, instance, CURL_IMAGE, '');
  body.spec!.template.spec = {
    restartPolicy: 'Never',
    initContainers: [first],
    containers: [then],
    volumes: [{ name: 'work', emptyDir: {} }],
  };
  return body;
}

function s3BackupJob(name: string, url: string, file: string, prune = '') {
  const dump =
    `set -eo pipefail\n${MYSQL_DUMP} --host="$MYSQL_HOST" --user="$MYSQL_USER" ` +
    `--single-transaction --databases "$MYSQL_DATABASE" | gzip > /work/${file}`;
  const upload = [
    'set -e',
    `${S3_CURL} -T /work/${file} "$S3_URL/${file}"`,
    `for old in $PRUNE; do ${S3_CURL} -X DELETE "$S3_URL/$old.sql.gz"; done`,
    `wc -c < /work/${file} > /dev/termination-log`,
  ].join('\n');
  return twoStepJob(
    name,
    'orders',
    step('dump', 'mysql:9.7', 'bash', dump, dbEnv('orders')),
    step('upload', CURL_IMAGE, 'sh', upload, [
      ...s3Env(url),
      { name: 'PRUNE', value: prune },
    ]),
  );
}

describe('S3', () => {
  let s3: FakeS3;
  /** The sandbox's MySQL version, e.g. 9.7.4. */
  let mysqlVersion: string;

  beforeAll(async () => {
    s3 = await startFakeS3('backups');
    mysqlVersion = /^\d+\.\d+\.\d+/.exec(sandboxServerVersion('mysql:9.7'))![0];
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 's3-credentials', labels: LABELS },
        stringData: {
          'access-key-id': s3.accessKeyId,
          'secret-access-key': s3.secretAccessKey,
        },
      },
    });
  });
  afterAll(() => s3?.stop());

  it('backs up a mysql instance to S3 with curl and restores it from there into another', async () => {
    await writeRows('orders');
    const url = `${s3.endpoint}/backups/orders`;
    // An older dump that the Job prunes.
    await fetch(`${url}/0000.sql.gz`, { method: 'PUT', body: 'old' });
    const backup = await runJob(
      s3BackupJob('orders-s3-backup-7a8b', url, '7a8b.sql.gz', '0000'),
    );
    const object = await fetch(`${url}/7a8b.sql.gz`);
    expect(object.status).toBe(200);
    const dump = Buffer.from(await object.arrayBuffer());
    expect(backup).toMatchObject({
      condition: 'Complete',
      phase: 'Succeeded',
      exitCode: 0,
      reason: 'Completed',
      message: `${dump.length}\n`,
      image: 'docker.io/curlimages/curl:8.11.1',
      init: [
        {
          exitCode: 0,
          reason: 'Completed',
          image: expect.stringMatching(/^docker\.io\/library\/mysql:/),
        },
      ],
    });
    expect(zlib.gunzipSync(dump).toString('utf8')).toContain(
      'CREATE TABLE `items`',
    );
    expect((await fetch(`${url}/0000.sql.gz`)).status).toBe(404);

    await ready('orders-s3');
    const restore = await runJob(
      twoStepJob(
        'orders-s3-restore-7a8b',
        'orders-s3',
        step(
          'fetch',
          CURL_IMAGE,
          'sh',
          `set -e\n${S3_CURL} -o /work/7a8b.sql.gz "$S3_URL/7a8b.sql.gz"`,
          s3Env(url),
        ),
        // The full version tag the sandbox has runs as the short one does.
        step(
          'restore',
          `mysql:${mysqlVersion}`,
          'bash',
          'set -eo pipefail\ngunzip -c /work/7a8b.sql.gz | ' +
            'mysql --host="$MYSQL_HOST" --user="$MYSQL_USER" "$MYSQL_DATABASE"',
          dbEnv('orders-s3'),
        ),
      ),
    );
    expect(restore).toMatchObject({
      ...COMPLETED,
      init: [
        {
          exitCode: 0,
          reason: 'Completed',
          image: 'docker.io/curlimages/curl:8.11.1',
        },
      ],
    });
    expect(await readRows('orders-s3')).toEqual(ROWS);
  });

  it('fails the Job with curl’s error when S3 does not answer', async () => {
    await ready('orders');
    const port = await closedPort();
    const host = sandboxHostAddress();
    const url = `http://${host}:${port}/backups/orders`;
    const failed = await runJob(
      s3BackupJob('orders-s3-backup-9c0d', url, '9c0d.sql.gz'),
    );
    expect(failed).toMatchObject({
      condition: 'Failed',
      phase: 'Failed',
      exitCode: 7,
      reason: 'Error',
      init: [{ exitCode: 0, reason: 'Completed' }],
    });
    // curl 8.11 says `<host> port <port>`, later ones `<host>:<port>`.
    expect(failed.message).toMatch(
      new RegExp(
        `^curl: \\(7\\) Failed to connect to ${host.replace(
          /\./g,
          '\\.',
        )}(:| port )${port} `,
      ),
    );
  });

  it('never starts a server image of a version the sandbox does not have: the kubelet cannot pull it', async () => {
    const [major, minor, patch] = mysqlVersion.split('.').map(Number);
    const image = `mysql:${major}.${minor}.${patch + 1}`;
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'unpullable', labels: LABELS },
        spec: {
          containers: [
            {
              name: 'mysql',
              image,
              env: [{ name: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: '1' }],
            },
          ],
        },
      },
    });
    const phases = new Set<string>();
    const waiting = (reason: string) =>
      waitUntil(
        `the container to wait with ${reason}`,
        async () => {
          const pod = await core.readNamespacedPod({
            name: 'unpullable',
            namespace,
          });
          phases.add(pod.status?.phase ?? '');
          const state = pod.status?.containerStatuses?.[0].state?.waiting;
          return state?.reason === reason ? state : undefined;
        },
        30_000,
      );
    // containerd tries the registry, which nothing here can reach.
    const pullFailed = await waiting('ErrImagePull');
    expect(pullFailed.message).toMatch(
      new RegExp(
        `failed to pull and unpack image "docker\\.io/library/${image.replace(
          /\./g,
          '\\.',
        )}"`,
      ),
    );
    const backOff = await waiting('ImagePullBackOff');
    expect(backOff.message).toMatch(
      new RegExp(`^Back-off pulling image "${image}"`),
    );
    expect([...phases]).toEqual(['Pending']);
  });
});
