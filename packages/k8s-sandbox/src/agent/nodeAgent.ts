import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { NODE_NAME, PROVISIONER, STORAGE_CLASS } from '../clusterObjects';
import { EventRecorder } from './events';
import { IpAllocator } from './ipAllocator';
import { PodWorker } from './podWorker';

const MERGE_PATCH = k8s.setHeaderOptions(
  'Content-Type',
  k8s.PatchStrategy.MergePatch,
);

/**
 * Stands in for the kubelet, the scheduler and microk8s' hostpath
 * provisioner on the sandbox's one node. Everything is driven by watches.
 */
export class NodeAgent {
  private readonly core: k8s.CoreV1Api;
  private readonly events: EventRecorder;
  private readonly ips: IpAllocator;
  private readonly workers = new Map<string, PodWorker>();
  private readonly inFlight = new Set<string>();
  private informers: k8s.Informer<k8s.KubernetesObject>[] = [];
  private stopping = false;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly stateDir: string,
    private readonly log: (line: string) => void,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.events = new EventRecorder(this.core, log);
    this.ips = new IpAllocator(stateDir);
  }

  async start() {
    await this.markNodeReady();
    const pods = k8s.makeInformer(this.kc, '/api/v1/pods', () =>
      this.core.listPodForAllNamespaces(),
    );
    pods.on('add', pod => this.onPod(pod));
    pods.on('update', pod => this.onPod(pod));
    pods.on('delete', pod => this.onPodGone(pod));
    const claims = k8s.makeInformer(
      this.kc,
      '/api/v1/persistentvolumeclaims',
      () => this.core.listPersistentVolumeClaimForAllNamespaces(),
    );
    claims.on('add', pvc => this.onClaim(pvc));
    claims.on('update', pvc => this.onClaim(pvc));
    claims.on('delete', pvc => this.onClaimGone(pvc));
    this.informers = [pods, claims] as k8s.Informer<k8s.KubernetesObject>[];
    for (const informer of this.informers) {
      informer.on('error', (error: unknown) => {
        if (this.stopping) return;
        this.log(
          `watch failed, restarting: ${(error as Error)?.message ?? error}`,
        );
        setTimeout(() => !this.stopping && informer.start(), 1000);
      });
      await informer.start();
    }
  }

  async stop() {
    this.stopping = true;
    for (const informer of this.informers) await informer.stop();
    await Promise.all([...this.workers.values()].map(w => w.shutdown()));
  }

  private async markNodeReady() {
    const now = new Date().toISOString();
    const condition = (
      type: string,
      status: string,
      reason: string,
      message: string,
    ) => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    });
    const resources = {
      cpu: '2',
      memory: '24Gi',
      pods: '110',
      'ephemeral-storage': '50Gi',
    };
    await this.core.patchNodeStatus(
      {
        name: NODE_NAME,
        body: {
          status: {
            capacity: resources,
            allocatable: resources,
            addresses: [
              { type: 'InternalIP', address: '127.0.0.1' },
              { type: 'Hostname', address: NODE_NAME },
            ],
            conditions: [
              condition(
                'MemoryPressure',
                'False',
                'KubeletHasSufficientMemory',
                'sandbox',
              ),
              condition(
                'DiskPressure',
                'False',
                'KubeletHasNoDiskPressure',
                'sandbox',
              ),
              condition(
                'PIDPressure',
                'False',
                'KubeletHasSufficientPID',
                'sandbox',
              ),
              condition(
                'Ready',
                'True',
                'KubeletReady',
                'sandbox node agent is posting ready status',
              ),
            ],
            nodeInfo: {
              kubeletVersion: 'v1.20.2',
              kubeProxyVersion: 'v1.20.2',
              containerRuntimeVersion: 'sandbox://mariadbd',
              operatingSystem: 'linux',
              architecture: 'amd64',
              osImage: 'k8s-sandbox',
              kernelVersion: '',
              machineID: '',
              systemUUID: '',
              bootID: '',
            },
          },
        },
      },
      MERGE_PATCH,
    );
  }

  private onPod(pod: k8s.V1Pod) {
    if (this.stopping) return;
    const uid = pod.metadata!.uid!;
    if (!pod.spec?.nodeName) {
      if (!pod.metadata?.deletionTimestamp) this.bind(pod);
      return;
    }
    if (pod.spec.nodeName !== NODE_NAME) return;
    if (this.ips.owns(pod.status?.podIP)) this.ips.reserve(pod.status!.podIP!);
    let worker = this.workers.get(uid);
    if (!worker) {
      worker = new PodWorker(
        {
          core: this.core,
          events: this.events,
          ips: this.ips,
          stateDir: this.stateDir,
          log: this.log,
        },
        pod,
      );
      this.workers.set(uid, worker);
    }
    worker.update(pod);
  }

  private onPodGone(pod: k8s.V1Pod) {
    const uid = pod.metadata!.uid!;
    this.workers.get(uid)?.dispose();
    this.workers.delete(uid);
  }

  private async once(key: string, work: () => Promise<void>) {
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    try {
      await work();
    } catch (error) {
      if ((error as { code?: number }).code !== 409) {
        this.log(`${key}: ${(error as Error).message}`);
      }
    } finally {
      this.inFlight.delete(key);
    }
  }

  private bind(pod: k8s.V1Pod) {
    const { name, namespace } = pod.metadata!;
    return this.once(`bind/${pod.metadata!.uid}`, async () => {
      await this.core.createNamespacedPodBinding({
        name: name!,
        namespace: namespace!,
        body: {
          metadata: { name, namespace },
          target: { apiVersion: 'v1', kind: 'Node', name: NODE_NAME },
        },
      });
      await this.events.record(
        { kind: 'Pod', apiVersion: 'v1', metadata: pod.metadata },
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespace}/${name} to ${NODE_NAME}`,
        'default-scheduler',
      );
    });
  }

  private ours(pvc: k8s.V1PersistentVolumeClaim) {
    const annotations = pvc.metadata?.annotations ?? {};
    return (
      pvc.spec?.storageClassName === STORAGE_CLASS ||
      annotations['volume.beta.kubernetes.io/storage-provisioner'] ===
        PROVISIONER
    );
  }

  private volumeDir(pvc: k8s.V1PersistentVolumeClaim) {
    return path.join(this.stateDir, 'volumes', `pvc-${pvc.metadata!.uid}`);
  }

  private onClaim(pvc: k8s.V1PersistentVolumeClaim) {
    if (
      this.stopping ||
      pvc.spec?.volumeName ||
      pvc.status?.phase !== 'Pending'
    )
      return;
    if (!this.ours(pvc) || pvc.metadata?.deletionTimestamp) return;
    const { name, namespace, uid } = pvc.metadata!;
    this.once(`provision/${uid}`, async () => {
      const dir = this.volumeDir(pvc);
      fs.mkdirSync(dir, { recursive: true });
      await this.core.createPersistentVolume({
        body: {
          metadata: {
            name: `pvc-${uid}`,
            annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER },
          },
          spec: {
            capacity: {
              storage: pvc.spec?.resources?.requests?.storage ?? '1Gi',
            },
            accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Delete',
            storageClassName: pvc.spec?.storageClassName ?? STORAGE_CLASS,
            hostPath: { path: dir, type: 'DirectoryOrCreate' },
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              name,
              namespace,
              uid,
            },
          },
        },
      });
      await this.events.record(
        {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          metadata: pvc.metadata,
        },
        'Normal',
        'ProvisioningSucceeded',
        `Successfully provisioned volume pvc-${uid} at ${dir}`,
        PROVISIONER,
      );
    });
  }

  private onClaimGone(pvc: k8s.V1PersistentVolumeClaim) {
    if (!this.ours(pvc)) return;
    const uid = pvc.metadata!.uid;
    this.once(`release/${uid}`, async () => {
      try {
        await this.core.deletePersistentVolume({ name: `pvc-${uid}` });
      } catch (error) {
        if ((error as { code?: number }).code !== 404) throw error;
      }
      fs.rmSync(this.volumeDir(pvc), { recursive: true, force: true });
    });
  }
}
