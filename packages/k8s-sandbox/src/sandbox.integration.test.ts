import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import {
  sandboxServerVersion,
  TestSandbox,
  useSandbox,
  waitUntil,
} from './testing';
import { KUBERNETES_PLUGIN_USER } from './users';
import { KUBERNETES_VERSION } from './node/binaries';

jest.setTimeout(240_000);

const MERGE_PATCH = k8s.setHeaderOptions(
  'Content-Type',
  k8s.PatchStrategy.MergePatch,
);
const PASSWORD = `pw-${randomBytes(6).toString('hex')}'"\\`;

let sandbox: TestSandbox;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
const namespace = `it-${randomBytes(3).toString('hex')}`;

function statefulSet(name: string): k8s.V1StatefulSet {
  return {
    metadata: { name },
    spec: {
      replicas: 1,
      serviceName: name,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          annotations: { 'example.com/config-hash': '1' },
        },
        spec: {
          containers: [
            {
              name: 'mysql',
              image: 'mysql:8.4',
              // As a real kubelet: the log's last lines become the message
              // of a failed container only with this policy.
              terminationMessagePolicy: 'FallbackToLogsOnError',
              env: [
                {
                  name: 'MYSQL_ROOT_PASSWORD',
                  valueFrom: { secretKeyRef: { name, key: 'root-password' } },
                },
              ],
              ports: [{ name: 'mysql', containerPort: 3306 }],
              readinessProbe: {
                exec: {
                  command: [
                    'sh',
                    '-c',
                    'mysqladmin ping -h 127.0.0.1 -uroot -p"$MYSQL_ROOT_PASSWORD"',
                  ],
                },
                periodSeconds: 1,
              },
              livenessProbe: {
                tcpSocket: { port: 'mysql' },
                initialDelaySeconds: 10,
                periodSeconds: 5,
              },
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/mysql' },
                { name: 'config', mountPath: '/etc/mysql/conf.d' },
              ],
            },
          ],
          volumes: [{ name: 'config', configMap: { name } }],
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
  };
}

async function readyPod(name: string, notUid?: string) {
  return waitUntil(`pod ${name} to be Ready`, async () => {
    const pod = await core.readNamespacedPod({ name, namespace });
    const ready =
      pod.status?.conditions?.find(c => c.type === 'Ready')?.status === 'True';
    return ready && pod.metadata?.uid !== notUid ? pod : undefined;
  });
}

async function setConfig(name: string, cnf: string, hash: string) {
  await core.patchNamespacedConfigMap(
    { name, namespace, body: { data: { 'my.cnf': cnf } } },
    MERGE_PATCH,
  );
  await apps.patchNamespacedStatefulSet(
    {
      name,
      namespace,
      body: {
        spec: {
          template: {
            metadata: { annotations: { 'example.com/config-hash': hash } },
          },
        },
      },
    },
    MERGE_PATCH,
  );
}

async function connect(pod: k8s.V1Pod) {
  return mysql.createConnection({
    host: pod.status!.podIP!,
    port: 3306,
    user: 'root',
    password: PASSWORD,
  });
}

function serverVersion() {
  return sandboxServerVersion('mysql:8.4');
}

beforeAll(async () => {
  sandbox = await useSandbox();
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitUntil('the default service account', async () => {
    const sa = await core.readNamespacedServiceAccount({
      name: 'default',
      namespace,
    });
    return sa;
  });
});

afterAll(async () => {
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe('the sandbox cluster', () => {
  it('answers kubectl version', () => {
    const result = spawnSync('kubectl', ['version', '-o', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfig },
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).serverVersion.gitVersion).toBe(
      `v${KUBERNETES_VERSION}`,
    );
  });

  it('runs a mysql StatefulSet as a real server, restarts it and reports crashes', async () => {
    const name = 'db';
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name }, stringData: { 'root-password': PASSWORD } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name },
        data: { 'my.cnf': '[mysqld]\nmax_connections = 77\n' },
      },
    });
    await apps.createNamespacedStatefulSet({
      namespace,
      body: statefulSet(name),
    });

    const first = await readyPod(`${name}-0`);
    expect(first.spec?.nodeName).toBe('sandbox');
    const pvc = await core.readNamespacedPersistentVolumeClaim({
      name: `data-${name}-0`,
      namespace,
    });
    expect(pvc.status?.phase).toBe('Bound');
    expect(pvc.spec?.storageClassName).toBe('microk8s-hostpath');

    const db = await connect(first);
    const [rows] = await db.query(
      'SELECT @@max_connections AS max, VERSION() AS version',
    );
    expect(rows).toEqual([{ max: 77, version: serverVersion() }]);
    await db.query('CREATE DATABASE app');
    await db.query('CREATE TABLE app.t (v VARCHAR(20))');
    await db.query("INSERT INTO app.t VALUES ('before restart')");
    await db.end();

    // A pod-template change rolls the pod: new uid, new server, same data.
    await setConfig(name, '[mysqld]\nmax_connections = 78\n', '2');
    const second = await readyPod(`${name}-0`, first.metadata!.uid);
    expect(second.status!.containerStatuses![0].containerID).not.toBe(
      first.status!.containerStatuses![0].containerID,
    );
    const db2 = await connect(second);
    const [kept] = await db2.query('SELECT v FROM app.t');
    expect(kept).toEqual([{ v: 'before restart' }]);
    const [max] = await db2.query('SELECT @@max_connections AS max');
    expect(max).toEqual([{ max: 78 }]);
    await db2.end();

    // An option the server refuses: never Ready, CrashLoopBackOff with the error.
    await setConfig(
      name,
      '[mysqld]\nmax_connections = 79\nno_such_option = 1\n',
      '3',
    );
    const crashing = await waitUntil('CrashLoopBackOff', async () => {
      const pod = await core.readNamespacedPod({
        name: `${name}-0`,
        namespace,
      });
      const status = pod.status?.containerStatuses?.[0];
      return pod.metadata?.uid !== second.metadata?.uid &&
        status?.state?.waiting?.reason === 'CrashLoopBackOff'
        ? pod
        : undefined;
    });
    const status = crashing.status!.containerStatuses![0];
    expect(status.ready).toBe(false);
    expect(status.lastState!.terminated!.message).toContain(
      "unknown variable 'no_such_option=1'",
    );
    expect(status.lastState!.terminated!.reason).toBe('Error');
    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.uid=${crashing.metadata!.uid}`,
    });
    expect(events.items.map(e => e.reason)).toEqual(
      expect.arrayContaining(['Scheduled', 'BackOff']),
    );

    // Fixing the ConfigMap and changing the template brings it back.
    await setConfig(name, '[mysqld]\nmax_connections = 80\n', '4');
    const fixed = await readyPod(`${name}-0`, crashing.metadata!.uid);
    const db3 = await connect(fixed);
    const [after] = await db3.query(
      'SELECT @@max_connections AS max, (SELECT COUNT(*) FROM app.t) AS n',
    );
    expect(after).toEqual([{ max: 80, n: 1 }]);
    await db3.end();
  });
});

describe('what current Kubernetes keeps and honours', () => {
  it('keeps the claim of a StatefulSet deleted with whenDeleted: Retain, and deletes it with Delete', async () => {
    const withPolicy = (
      name: string,
      whenDeleted: 'Retain' | 'Delete',
    ): k8s.V1StatefulSet => {
      const sts = statefulSet(name);
      sts.spec!.persistentVolumeClaimRetentionPolicy = {
        whenDeleted,
        whenScaled: 'Retain',
      };
      const container = sts.spec!.template.spec!.containers[0];
      Object.assign(container, {
        image: 'curlimages/curl:8.11.1',
        command: ['sleep', 'infinity'],
        env: [],
        readinessProbe: undefined,
        livenessProbe: undefined,
      });
      sts.spec!.template.spec!.volumes = [];
      container.volumeMounts = [{ name: 'data', mountPath: '/data' }];
      return sts;
    };
    for (const [name, policy] of [
      ['keeps', 'Retain'],
      ['drops', 'Delete'],
    ] as const) {
      await apps.createNamespacedStatefulSet({
        namespace,
        body: withPolicy(name, policy),
      });
      const kept = await apps.readNamespacedStatefulSet({ name, namespace });
      // Kubernetes 1.20 dropped this field without a word.
      expect(kept.spec!.persistentVolumeClaimRetentionPolicy).toEqual({
        whenDeleted: policy,
        whenScaled: 'Retain',
      });
      await readyPod(`${name}-0`);
    }
    for (const name of ['keeps', 'drops']) {
      // As `kubectl delete statefulset` does: the pods go with it.
      await apps.deleteNamespacedStatefulSet({
        name,
        namespace,
        propagationPolicy: 'Background',
      });
    }
    const claim = (name: string) =>
      core
        .readNamespacedPersistentVolumeClaim({
          name: `data-${name}-0`,
          namespace,
        })
        .then(
          c => (c.metadata?.deletionTimestamp ? 'deleting' : 'kept'),
          () => 'gone',
        );
    await waitUntil('the Delete policy to remove its claim', async () =>
      (await claim('drops')) !== 'kept' ? true : undefined,
    );
    expect(await claim('keeps')).toBe('kept');
  });
});

describe("the Kubernetes plugin's account", () => {
  // What @backstage/plugin-kubernetes-backend lists by default (its
  // DEFAULT_OBJECTS), and the pod metrics it asks for.
  const listed = [
    ['', 'pods'],
    ['', 'services'],
    ['', 'configmaps'],
    ['', 'limitranges'],
    ['', 'resourcequotas'],
    ['apps', 'deployments'],
    ['apps', 'replicasets'],
    ['apps', 'statefulsets'],
    ['apps', 'daemonsets'],
    ['autoscaling', 'horizontalpodautoscalers'],
    ['batch', 'jobs'],
    ['batch', 'cronjobs'],
    ['networking.k8s.io', 'ingresses'],
    ['metrics.k8s.io', 'pods'],
  ];

  async function allowed(attributes: k8s.V1ResourceAttributes) {
    const review = await sandbox
      .kubernetesPlugin!.kc.makeApiClient(k8s.AuthorizationV1Api)
      .createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace, ...attributes } } },
      });
    return review.status?.allowed ?? false;
  }

  it('lists what the plugin fetches, in any namespace, and reads pod logs', async () => {
    expect(sandbox.kubernetesPlugin?.name).toBe(KUBERNETES_PLUGIN_USER);
    for (const [group, resource] of listed) {
      await expect(allowed({ group, resource, verb: 'list' })).resolves.toBe(
        true,
      );
    }
    await expect(
      allowed({ resource: 'pods', subresource: 'log', verb: 'get' }),
    ).resolves.toBe(true);
    await expect(
      allowed({ resource: 'pods', verb: 'list', namespace: 'kube-system' }),
    ).resolves.toBe(true);

    const pods = await sandbox
      .kubernetesPlugin!.kc.makeApiClient(k8s.CoreV1Api)
      .listNamespacedPod({
        namespace,
        labelSelector: 'backstage.io/kubernetes-id=db',
      });
    expect(pods.items).toEqual([]);
  });

  it('writes nothing and never reads Secrets', async () => {
    for (const verb of ['create', 'update', 'patch', 'delete']) {
      await expect(allowed({ resource: 'pods', verb })).resolves.toBe(false);
      await expect(
        allowed({ group: 'apps', resource: 'statefulsets', verb }),
      ).resolves.toBe(false);
    }
    for (const verb of ['get', 'list', 'watch']) {
      await expect(allowed({ resource: 'secrets', verb })).resolves.toBe(false);
    }
    await expect(
      allowed({ resource: 'pods', subresource: 'exec', verb: 'create' }),
    ).resolves.toBe(false);
  });
});
