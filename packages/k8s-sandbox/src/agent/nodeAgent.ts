import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { NODE_NAME, PROVISIONER, STORAGE_CLASS } from '../clusterObjects';
import { isTransient, retryDelayMs, statusOf } from './apiErrors';
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
  private readonly objects: k8s.KubernetesObjectApi;
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
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
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
      // The informer gives up on an error; while the API server is away
      // (killed, restarting) this lists and watches again every second, and
      // a watch that the API server ended resumes where it stopped (or lists
      // again when that is too old), so no change is missed.
      let loggedAt = 0;
      const restart = (error: unknown) => {
        if (this.stopping) return;
        if (Date.now() - loggedAt > 10_000) {
          loggedAt = Date.now();
          this.log(
            `watch failed, retrying every second: ${
              (error as Error)?.message ?? error
            }`,
          );
        }
        setTimeout(() => {
          if (!this.stopping) informer.start().catch(restart);
        }, 1000);
      };
      informer.on('error', restart);
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
          objects: this.objects,
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

  /**
   * Runs `work` unless it runs already; repeats it while the API server does
   * not answer (no watch event would bring it back: a pod left unbound stays
   * Pending for good).
   */
  private async once(key: string, work: () => Promise<void>, attempt = 0) {
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    let retry = false;
    try {
      await work();
    } catch (error) {
      retry = isTransient(error) && !this.stopping;
      if (statusOf(error) !== 409 && (!retry || attempt === 0)) {
        this.log(
          `${key}: ${(error as Error).message}${retry ? ' (retrying)' : ''}`,
        );
      }
    } finally {
      this.inFlight.delete(key);
    }
    if (retry) {
      setTimeout(() => {
        if (!this.stopping) this.once(key, work, attempt + 1);
      }, retryDelayMs(attempt));
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
        if (statusOf(error) !== 404) throw error;
      }
      fs.rmSync(this.volumeDir(pvc), { recursive: true, force: true });
    });
  }
}
