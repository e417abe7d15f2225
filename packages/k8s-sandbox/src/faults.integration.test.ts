import * as k8s from '@kubernetes/client-node';
import https from 'node:https';
import { BACKEND_USER } from './users';
import { status } from './controlPlane';
import { KUBELET_USER } from './pki';
import { componentProcess, isAlive } from './processes';
import { readState } from './state';
import { IsolatedTestSandbox, useIsolatedSandbox, waitUntil } from './testing';

jest.setTimeout(120_000);

const MERGE_PATCH = k8s.setHeaderOptions(
  'Content-Type',
  k8s.PatchStrategy.MergePatch,
);
// deploy/rbac.yaml lets the backend read ConfigMaps here, and `up` applies it.
const NAMESPACE = 'databases';
/** deploy/rbac.yaml's namespace admits pods of the restricted Pod Security Standard only. */
const RESTRICTED = {
  pod: {
    runAsNonRoot: true,
    runAsUser: 100,
    seccompProfile: { type: 'RuntimeDefault' },
  },
  container: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  },
};

let sandbox: IsolatedTestSandbox;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

beforeAll(async () => {
  sandbox = await useIsolatedSandbox('faults', { auditLog: true });
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
});

afterAll(async () => {
  await sandbox?.down();
});

/** A GET as the admin that gives up after `timeoutMs`: the status code. */
async function get(uri: string, timeoutMs: number) {
  const options: https.RequestOptions = {};
  await sandbox.kc.applyToHTTPSOptions(options);
  const url = `${sandbox.kc.getCurrentCluster()!.server}${uri}`;
  return new Promise<number>((resolve, reject) => {
    const req = https.get(url, options, res => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
    );
  });
}

function pidOf(name: string) {
  return readState(sandbox.stateDir)!.processes.find(p => p.name === name)!.pid;
}

/** The StatefulSet's one pod once it runs the latest revision and is Ready. */
function rolledOut(name: string) {
  return waitUntil(`${name} rolled out and Ready`, async () => {
    const set = await apps.readNamespacedStatefulSet({
      name,
      namespace: NAMESPACE,
    });
    const s = set.status;
    if (
      s?.observedGeneration !== set.metadata!.generation ||
      s?.readyReplicas !== 1 ||
      s?.updatedReplicas !== 1 ||
      s?.currentRevision !== s?.updateRevision
    )
      return undefined;
    return core.readNamespacedPod({ name: `${name}-0`, namespace: NAMESPACE });
  });
}

describe('faults injected into an isolated sandbox', () => {
  const configMap = 'survivor';
  const statefulSet = 'web';
  let configMapUid: string;

  beforeAll(async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: { metadata: { name: configMap }, data: { answer: '42' } },
    });
    configMapUid = created.metadata!.uid!;
    await apps.createNamespacedStatefulSet({
      namespace: NAMESPACE,
      body: {
        metadata: { name: statefulSet },
        spec: {
          replicas: 1,
          serviceName: statefulSet,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: { app: statefulSet } },
          template: {
            metadata: {
              labels: { app: statefulSet },
              annotations: { 'example.com/round': '0' },
            },
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'curlimages/curl:8.11.1',
                  command: ['sleep', 'infinity'],
                  securityContext: RESTRICTED.container,
                },
              ],
              securityContext: RESTRICTED.pod,
            },
          },
        },
      },
    });
    await rolledOut(statefulSet);
  });

  it('a frozen API server answers nothing until it is thawed', async () => {
    const uri = `/api/v1/namespaces/${NAMESPACE}/configmaps/${configMap}`;
    expect(await get(uri, 5_000)).toBe(200);

    await sandbox.freeze('kube-apiserver');
    expect(status({ stateDir: sandbox.stateDir }).lines.join('\n')).toMatch(
      /kube-apiserver +pid \d+ +FROZEN/,
    );
    await expect(get(uri, 2_000)).rejects.toThrow('no answer within 2000 ms');

    await sandbox.thaw('kube-apiserver');
    expect(await get(uri, 5_000)).toBe(200);
  });

  it('objects survive killing and restarting the API server and etcd; the controller manager and the kubelet carry on', async () => {
    const survivors = {
      controllerManager: pidOf('kube-controller-manager'),
      kubelet: pidOf('kubelet'),
    };
    const before = {
      apiserver: pidOf('kube-apiserver'),
      etcd: pidOf('etcd'),
      pod: (await rolledOut(statefulSet)).metadata!.uid,
    };

    // A new revision, with the kubelet held back: the controller manager
    // marks the old pod deleted, and the kubelet, thawed while the API
    // server is gone, cannot confirm it; it must retry until it is back.
    await sandbox.freeze('kubelet');
    await apps.patchNamespacedStatefulSet(
      {
        name: statefulSet,
        namespace: NAMESPACE,
        body: {
          spec: {
            template: {
              metadata: { annotations: { 'example.com/round': '1' } },
            },
          },
        },
      },
      MERGE_PATCH,
    );
    await waitUntil('the old pod marked deleted', async () => {
      const pod = await core.readNamespacedPod({
        name: `${statefulSet}-0`,
        namespace: NAMESPACE,
      });
      return pod.metadata?.deletionTimestamp ? pod : undefined;
    });

    await sandbox.kill('kube-apiserver');
    expect(isAlive(before.apiserver)).toBe(false);
    const partly = status({ stateDir: sandbox.stateDir });
    expect(partly.running).toBe(false);
    expect(partly.lines.join('\n')).toMatch(/kube-apiserver +pid \d+ +STOPPED/);
    await sandbox.thaw('kubelet');

    const apiserver = await sandbox.restart('kube-apiserver');
    expect(apiserver.pid).not.toBe(before.apiserver);
    expect(pidOf('kube-apiserver')).toBe(apiserver.pid);

    await sandbox.kill('etcd');
    expect(isAlive(before.etcd)).toBe(false);
    const etcd = await sandbox.restart('etcd');
    expect(pidOf('etcd')).toBe(etcd.pid);
    process.stderr.write(
      `[faults] restart took ${apiserver.tookMs} ms (kube-apiserver), ${etcd.tookMs} ms (etcd)\n`,
    );

    const kept = await core.readNamespacedConfigMap({
      name: configMap,
      namespace: NAMESPACE,
    });
    expect(kept.metadata!.uid).toBe(configMapUid);
    expect(kept.data).toEqual({ answer: '42' });

    const pod = await rolledOut(statefulSet);
    expect(pod.metadata!.uid).not.toBe(before.pod);
    expect(pod.metadata!.annotations!['example.com/round']).toBe('1');

    expect(isAlive(survivors.controllerManager)).toBe(true);
    expect(isAlive(survivors.kubelet)).toBe(true);
    expect(pidOf('kube-controller-manager')).toBe(survivors.controllerManager);
    expect(pidOf('kubelet')).toBe(survivors.kubelet);
    expect(status({ stateDir: sandbox.stateDir }).running).toBe(true);
  });

  it('containers outlive containerd restarted under them, and the kubelet finds them again', async () => {
    const before = await rolledOut(statefulSet);
    const container = before.status!.containerStatuses![0];
    await sandbox.kill('containerd');
    await sandbox.restart('containerd');
    const after = await waitUntil(
      'the pod Ready after containerd restarted',
      async () => {
        const pod = await core.readNamespacedPod({
          name: `${statefulSet}-0`,
          namespace: NAMESPACE,
        });
        return pod.status?.conditions?.some(
          c => c.type === 'Ready' && c.status === 'True',
        )
          ? pod
          : undefined;
      },
    );
    expect(after.metadata!.uid).toBe(before.metadata!.uid);
    expect(after.status!.containerStatuses![0]).toMatchObject({
      containerID: container.containerID,
      restartCount: container.restartCount,
    });
  });

  it('a scheduler that exits by itself is started again, as systemd does, and schedules the next pod', async () => {
    // kube-scheduler exits when it finds its cache corrupted (as after an
    // API server restart under load) and counts on being started again.
    const supervisor = pidOf('kube-scheduler');
    const recorded = readState(sandbox.stateDir)!.processes.find(
      p => p.name === 'kube-scheduler',
    )!;
    const component = () => componentProcess(recorded)!;
    const first = component();
    expect(isAlive(first)).toBe(true);
    process.kill(first.pid, 'SIGKILL');
    const second = await waitUntil('the scheduler started again', async () => {
      const latest = component();
      return latest.pid !== first.pid && isAlive(latest) ? latest : undefined;
    });
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'after-scheduler-exit' },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'curlimages/curl:8.11.1',
              command: ['true'],
              securityContext: RESTRICTED.container,
            },
          ],
          restartPolicy: 'Never',
          securityContext: RESTRICTED.pod,
        },
      },
    });
    const pod = await waitUntil('the pod scheduled', async () => {
      const p = await core.readNamespacedPod({
        name: 'after-scheduler-exit',
        namespace: NAMESPACE,
      });
      return p.spec?.nodeName ? p : undefined;
    });
    expect(pod.spec!.nodeName).toBe('sandbox');
    expect(pidOf('kube-scheduler')).toBe(supervisor);
    expect(isAlive(second)).toBe(true);
    await core.deleteNamespacedPod({
      name: 'after-scheduler-exit',
      namespace: NAMESPACE,
    });
  });

  it('a kubelet stopped past the grace period makes its node NotReady; its containers run on, and nothing restarts when it is back', async () => {
    const before = await rolledOut(statefulSet);
    const container = before.status!.containerStatuses![0];
    const nodeReady = async () => {
      const node = await core.readNode({ name: 'sandbox' });
      return node.status?.conditions?.find(c => c.type === 'Ready')?.status;
    };
    await sandbox.kill('kubelet');
    // The node lifecycle controller's grace period is 50 s by default.
    await waitUntil(
      'the node to be NotReady',
      async () => ((await nodeReady()) !== 'True' ? true : undefined),
      120_000,
    );
    // The controller marks the node first and its pods after it. It leaves
    // ContainersReady alone, which tells its mark from the kubelet's.
    const marked = await waitUntil('the pod marked not Ready', async () => {
      const pod = await core.readNamespacedPod({
        name: `${statefulSet}-0`,
        namespace: NAMESPACE,
      });
      const ready = pod.status?.conditions?.find(c => c.type === 'Ready');
      return ready?.status === 'False' ? pod : undefined;
    });
    expect(
      marked.status!.conditions!.find(c => c.type === 'ContainersReady')!
        .status,
    ).toBe('True');
    await sandbox.restart('kubelet');
    await waitUntil('the node Ready again', async () =>
      (await nodeReady()) === 'True' ? true : undefined,
    );
    const back = await rolledOut(statefulSet);
    expect(back.metadata!.uid).toBe(before.metadata!.uid);
    expect(back.status!.containerStatuses![0]).toMatchObject({
      containerID: container.containerID,
      restartCount: container.restartCount,
    });
  });

  it('the audit log tells the backend’s requests from the admin’s', async () => {
    const since = new Date();
    const backend = sandbox.backend!.kc.makeApiClient(k8s.CoreV1Api);
    for (let i = 0; i < 3; i++) {
      await backend.readNamespacedConfigMap({
        name: configMap,
        namespace: NAMESPACE,
      });
    }
    await core.listNamespacedConfigMap({ namespace: NAMESPACE });
    // The API server writes an event as it finishes the response.
    const counts = await waitUntil('the audit events', async () => {
      const c = sandbox.countAuditRequests({ since, resource: 'configmaps' });
      return c[BACKEND_USER]?.get === 3 && c.admin?.list === 1 ? c : undefined;
    });
    expect(counts[BACKEND_USER]).toEqual({ get: 3 });
    expect(counts.admin).toEqual({ list: 1 });
    expect(sandbox.backend!.name).toBe(BACKEND_USER);

    // The kubelet has a user of its own; it wrote pod statuses above.
    const kubelet = sandbox.readAuditLog({ user: KUBELET_USER });
    expect(kubelet.some(e => e.subresource === 'status')).toBe(true);
  });
});
