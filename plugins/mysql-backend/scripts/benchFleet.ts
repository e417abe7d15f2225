/*
 * The benchmark's fleet in its own sandbox: instances made as an earlier
 * version of the plugin made them (labelled, with an owner annotation, no
 * record), so the backend adopts them when it starts. Real servers run on
 * the sandbox's real node; the rest on nodes that kwok simulates.
 */
import { SIMULATED_NODE_SCHEDULING } from '@mysql-portal/k8s-sandbox';
import * as k8s from '@kubernetes/client-node';
import { createTestInstance } from '../src/__testUtils__/createTestInstance';
import { spawn } from 'node:child_process';
import net from 'node:net';

/** The namespace deploy/rbac.yaml grants the backend's account. */
export const NAMESPACE = 'databases';
export const OWNER = 'group:default/bench';

/**
 * The image of the instances on simulated nodes, which run nothing: kwok
 * reports their pods Running and Ready at a loopback address where nothing
 * listens.
 */
export const IDLE_IMAGE = 'registry.example/bench/no-server:1';
/**
 * Simulated pods mount nothing, and a provisioner cannot make a volume on
 * a node that does not exist: their claims bind to volumes made beforehand.
 */
export const SIMULATED_STORAGE_CLASS = 'bench-simulated';
/** A kwok node holds as many pods as a kubelet does by default. */
export const PODS_PER_SIMULATED_NODE = 110;
/** Runs real MySQL 9.7 in the sandbox, as in the integration tests. */
export const REAL_IMAGE = 'mysql:8.4';

export type Role = 'real' | 'silent' | 'idle';

/** Progress lines on stderr, with the seconds since `start`. */
export function progressSince(start: number) {
  return (line: string) =>
    process.stderr.write(
      `[bench ${((Date.now() - start) / 1000)
        .toFixed(0)
        .padStart(5)}s] ${line}\n`,
    );
}

export interface FleetMember {
  name: string;
  role: Role;
}

/**
 * `real` real MySQL servers, a tenth silent targets, the rest pods that run
 * no server (their port refuses connections at once).
 */
export function planFleet(instances: number, real = 3): FleetMember[] {
  const reals = Math.min(real, instances);
  const silent = Math.min(Math.round(instances / 10), instances - reals);
  const members: FleetMember[] = [];
  for (let i = 0; i < reals; i++)
    members.push({ name: `bench-real-${i}`, role: 'real' });
  for (let i = 0; i < silent; i++)
    members.push({ name: `bench-silent-${i}`, role: 'silent' });
  for (let i = 0; i < instances - reals - silent; i++)
    members.push({ name: `bench-idle-${i}`, role: 'idle' });
  return members;
}

/** The storage class of the simulated instances' volumes. */
export async function createSimulatedStorageClass(kc: k8s.KubeConfig) {
  await kc.makeApiClient(k8s.StorageV1Api).createStorageClass({
    body: {
      metadata: { name: SIMULATED_STORAGE_CLASS },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'Immediate',
    },
  });
}

/**
 * Creates one instance's objects as an earlier plugin version did, with the
 * member's image. Only real servers get the ClusterIP Service: a Service
 * range of 254 addresses (as microk8s' /24) cannot hold a thousand. The
 * others run on simulated nodes, each with a volume bound to its claim.
 */
export async function createInstance(
  kc: k8s.KubeConfig,
  member: FleetMember,
): Promise<void> {
  const real = member.role === 'real';
  if (!real) {
    await kc.makeApiClient(k8s.CoreV1Api).createPersistentVolume({
      body: {
        metadata: { name: `${NAMESPACE}-${member.name}` },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: SIMULATED_STORAGE_CLASS,
          hostPath: { path: `/nonexistent/${member.name}` },
          claimRef: { namespace: NAMESPACE, name: `data-${member.name}-0` },
        },
      },
    });
  }
  await createTestInstance(kc, {
    name: member.name,
    namespace: NAMESPACE,
    owner: OWNER,
    image: real ? REAL_IMAGE : IDLE_IMAGE,
    clusterIpService: real,
    ...(real
      ? {}
      : {
          storageClass: SIMULATED_STORAGE_CLASS,
          scheduling: SIMULATED_NODE_SCHEDULING,
        }),
  });
}

/** Creates the fleet, a few instances at a time, reporting progress. */
export async function createFleet(
  kc: k8s.KubeConfig,
  members: FleetMember[],
  progress: (line: string) => void,
  parallel = 8,
): Promise<void> {
  let next = 0;
  let created = 0;
  let reported = Date.now();
  const lane = async () => {
    while (next < members.length) {
      const member = members[next++];
      await createInstance(kc, member);
      created++;
      if (Date.now() - reported > 10_000 || created === members.length) {
        reported = Date.now();
        progress(`created ${created}/${members.length} instances`);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

/** Waits until every StatefulSet of the namespace has its pod Ready. */
export async function waitReady(
  kc: k8s.KubeConfig,
  expected: number,
  progress: (line: string) => void,
  timeoutMs = 60 * 60_000,
): Promise<void> {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const list = await apps.listNamespacedStatefulSet({ namespace: NAMESPACE });
    const ready = list.items.filter(s => s.status?.readyReplicas === 1).length;
    const line = `${ready}/${expected} instances Ready`;
    if (line !== last) progress(line);
    last = line;
    if (ready >= expected) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${line}`);
    await new Promise(r => setTimeout(r, 5000));
  }
}

/**
 * For each real server: from its StatefulSet's creation to its pod's Ready
 * condition, in seconds, by the API server's own timestamps (whole seconds).
 */
export async function templateToReadySeconds(
  kc: k8s.KubeConfig,
  members: FleetMember[],
): Promise<number[]> {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const result: number[] = [];
  for (const m of members.filter(f => f.role === 'real')) {
    const set = await apps.readNamespacedStatefulSet({
      name: m.name,
      namespace: NAMESPACE,
    });
    const pod = await core.readNamespacedPod({
      name: `${m.name}-0`,
      namespace: NAMESPACE,
    });
    const ready = pod.status?.conditions?.find(c => c.type === 'Ready');
    if (ready?.status !== 'True' || !ready.lastTransitionTime) continue;
    result.push(
      (new Date(ready.lastTransitionTime).getTime() -
        new Date(set.metadata!.creationTimestamp!).getTime()) /
        1000,
    );
  }
  return result;
}

/**
 * Silent targets: on each silent pod's address, port 3306, a server that
 * accepts connections and never answers, as a hung server would.
 */
export async function startSilentServers(
  kc: k8s.KubeConfig,
  members: FleetMember[],
): Promise<{ count: number; close: () => void }> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const silent = new Set(
    members.filter(m => m.role === 'silent').map(m => m.name),
  );
  const pods = await core.listNamespacedPod({ namespace: NAMESPACE });
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  for (const pod of pods.items) {
    const instance = pod.metadata?.labels?.['app.kubernetes.io/instance'];
    const ip = pod.status?.podIP;
    if (!instance || !silent.has(instance) || !ip) continue;
    const server = net.createServer(socket => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(3306, ip, resolve);
    });
    servers.push(server);
  }
  if (servers.length !== silent.size) {
    throw new Error(
      `found addresses for ${servers.length} of ${silent.size} silent pods`,
    );
  }
  return {
    count: servers.length,
    close: () => {
      for (const socket of sockets) socket.destroy();
      for (const server of servers) server.close();
    },
  };
}

/**
 * Creates the fleet and waits until it is Ready, in a child process: the
 * thousands of requests and lists it takes leave their garbage there, not
 * in the process whose RSS is measured.
 */
export async function setUpFleet(
  kubeconfig: string,
  instances: number,
  start: number,
): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      __filename,
      kubeconfig,
      String(instances),
      String(start),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`setting up the fleet failed (${code})`);
}

if (require.main === module) {
  const [kubeconfig, instances, start] = process.argv.slice(2);
  const progress = progressSince(Number(start));
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const members = planFleet(Number(instances));
  createFleet(kc, members, progress)
    .then(() => waitReady(kc, members.length, progress))
    .then(
      () => process.exit(0),
      error => {
        progress(`${error}`);
        process.exit(1);
      },
    );
}
