import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  isAlive,
  ManagedProcess,
  selfRef,
  sleep,
  startDetached,
  stopProcess,
  tail,
  waitFor,
} from '../processes';
import { NodeBinaries } from './binaries';
import {
  cniConflist,
  containerdConfig,
  kubeletConfig,
  kubeProxyConfig,
  NodeAddresses,
} from './config';
import { createNodeCgroup, nodeCgroupPids, removeNodeCgroup } from './cgroups';
import { holdSysctls, releaseSysctls } from './hostSysctls';
import { BuiltImage, normalizeImageName, PAUSE_IMAGE } from './images';
import { unmountUnder } from './mounts';
import { inNodeNetwork, removeNodeNetwork } from './network';
import { importImage } from './ociImage';

/** The name the kubelet registers, as the node agent did. */
export const NODE_NAME = 'sandbox';

/** Where a sandbox's node keeps its files, under its state folder. */
export function nodeDirs(stateDir: string) {
  const dir = path.join(stateDir, 'node');
  return {
    dir,
    containerdRoot: path.join(dir, 'containerd', 'root'),
    containerdState: path.join(dir, 'containerd', 'state'),
    containerdConfig: path.join(dir, 'containerd.toml'),
    cni: path.join(dir, 'cni'),
    ipam: path.join(dir, 'ipam'),
    kubelet: path.join(dir, 'kubelet'),
    podLogs: path.join(dir, 'pod-logs'),
    volumes: path.join(dir, 'volumes'),
  };
}

/** containerd's socket for the node in `slot`. */
export function containerdSocket(slot: number): string {
  return `/run/k8s-sandbox/${slot}/containerd.sock`;
}

/** The node's cgroup (the kubelet's `--cgroup-root`). */
export function nodeCgroup(slot: number): string {
  return `k8s-sandbox-${slot}`;
}

function ctr(socket: string, args: string[]) {
  return spawnSync(
    'ctr',
    ['--address', socket, '--namespace', 'k8s.io', ...args],
    { encoding: 'utf8' },
  );
}

/**
 * Starts containerd, loads the images, then the kubelet and kube-proxy,
 * all in the node's network namespace. `record` keeps each process in the
 * state file as soon as it runs, so `down` stops what a failed start left.
 */
export async function startNode(options: {
  stateDir: string;
  addresses: NodeAddresses;
  bins: NodeBinaries;
  images: BuiltImage[];
  kubeletKubeconfig: string;
  proxyKubeconfig: string;
  clientCaFile: string;
  logDir: string;
  log: (line: string) => void;
  record: (p: ManagedProcess) => ManagedProcess;
}): Promise<void> {
  const { addresses: a, log, record } = options;
  const dirs = nodeDirs(options.stateDir);
  for (const [name, dir] of Object.entries(dirs)) {
    if (name !== 'containerdConfig') fs.mkdirSync(dir, { recursive: true });
  }
  const socket = containerdSocket(a.slot);
  fs.mkdirSync(path.dirname(socket), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.cni, '10-sandbox.conflist'),
    cniConflist(a, dirs.ipam),
  );
  fs.writeFileSync(
    dirs.containerdConfig,
    containerdConfig({
      root: dirs.containerdRoot,
      state: dirs.containerdState,
      socket,
      cniConfDir: dirs.cni,
      cniBinDir: '/usr/lib/cni',
      pauseImage: PAUSE_IMAGE,
    }),
  );
  const node = (name: string, command: string, args: string[]) => {
    const wrapped = inNodeNetwork(a, command, args);
    return record(
      startDetached(name, wrapped.command, wrapped.args, options.logDir),
    );
  };

  log('starting containerd');
  const containerd = node('containerd', 'containerd', [
    '--config',
    dirs.containerdConfig,
  ]);
  await waitFor(
    'containerd',
    async () => ctr(socket, ['version']).status === 0,
    30_000,
    () => tail(containerd.log, 20),
  );

  const t0 = Date.now();
  for (const image of options.images) {
    importImage(socket, image.archive);
    for (const name of image.names.slice(1)) {
      ctr(socket, [
        'images',
        'tag',
        '--force',
        normalizeImageName(image.names[0]),
        normalizeImageName(name),
      ]);
    }
  }
  log(
    `loaded ${options.images.length} images in ${(
      (Date.now() - t0) /
      1000
    ).toFixed(1)}s`,
  );

  createNodeCgroup(nodeCgroup(a.slot));
  holdSysctls(options.stateDir, selfRef());
  const kubeletConfigFile = path.join(dirs.dir, 'kubelet.json');
  fs.writeFileSync(
    kubeletConfigFile,
    kubeletConfig({
      addresses: a,
      clientCaFile: options.clientCaFile,
      cgroupRoot: `/${nodeCgroup(a.slot)}`,
      maxPods: 110,
      podLogsDir: dirs.podLogs,
    }),
  );
  log('starting the kubelet');
  const kubelet = node('kubelet', options.bins.kubelet, [
    `--config=${kubeletConfigFile}`,
    `--kubeconfig=${options.kubeletKubeconfig}`,
    `--container-runtime-endpoint=unix://${socket}`,
    `--root-dir=${dirs.kubelet}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${a.nodeIp}`,
    '--v=1',
  ]);
  // The kubelet, not this short-lived `up`, holds the machine's settings.
  holdSysctls(options.stateDir, kubelet);

  const proxyConfigFile = path.join(dirs.dir, 'kube-proxy.json');
  fs.writeFileSync(
    proxyConfigFile,
    kubeProxyConfig({
      addresses: a,
      kubeconfig: options.proxyKubeconfig,
      hostnameOverride: NODE_NAME,
    }),
  );
  log('starting kube-proxy');
  node('kube-proxy', options.bins['kube-proxy'], [
    `--config=${proxyConfigFile}`,
    '--v=1',
  ]);
  if (!isAlive(kubelet)) {
    throw new Error(`the kubelet stopped:\n${tail(kubelet.log, 20)}`);
  }
}

/**
 * Stops the node and removes every trace of it from the machine: the
 * containers (every process in the node's cgroup), containerd's shims,
 * the mounts, the cgroup, the network namespace with its iptables chains,
 * the logs' symlinks in /var/log/containers, and, when no other sandbox
 * holds them, the machine's settings the kubelet changed. Safe to call
 * after a SIGKILL, and when nothing of the node is left.
 */
export async function stopNode(options: {
  stateDir: string;
  addresses: NodeAddresses;
  processes: ManagedProcess[];
  log: (line: string) => void;
}): Promise<void> {
  const { addresses: a, log } = options;
  const byName = (name: string) =>
    options.processes.filter(p => p.name === name);
  for (const p of [...byName('kubelet'), ...byName('kube-proxy')]) {
    if (isAlive(p)) log(`stopping ${p.name} (pid ${p.pid})`);
    await stopProcess(p, 10_000);
  }
  // The containers first: a shim that loses its containerd keeps them.
  const cgroup = nodeCgroup(a.slot);
  for (let round = 0; round < 20; round++) {
    const pids = nodeCgroupPids(cgroup);
    if (pids.length === 0) break;
    if (round === 0) log(`stopping ${pids.length} container processes`);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(100);
  }
  const socket = containerdSocket(a.slot);
  for (const pid of shimPids(socket)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const p of byName('containerd')) {
    if (isAlive(p)) log(`stopping containerd (pid ${p.pid})`);
    await stopProcess(p, 10_000);
  }
  const dirs = nodeDirs(options.stateDir);
  unmountUnder(dirs.dir);
  removeNodeCgroup(cgroup);
  removeNodeNetwork(a);
  removeContainerLogLinks(dirs.podLogs);
  fs.rmSync(path.dirname(socket), { recursive: true, force: true });
  const restored = releaseSysctls(options.stateDir);
  if (restored) {
    log(
      `restored ${Object.entries(restored)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  }
}

/** containerd's shims serving the containerd at `socket`. */
function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs
        .readFileSync(`/proc/${entry}/cmdline`, 'utf8')
        .split('\0');
      if (cmdline[0]?.includes('containerd-shim') && cmdline.includes(socket)) {
        pids.push(Number(entry));
      }
    } catch {
      // gone
    }
  }
  return pids;
}

/** The kubelet links each container's log from /var/log/containers, a fixed path. */
function removeContainerLogLinks(podLogsDir: string) {
  const links = '/var/log/containers';
  if (!fs.existsSync(links)) return;
  for (const entry of fs.readdirSync(links)) {
    const link = path.join(links, entry);
    try {
      if (fs.readlinkSync(link).startsWith(`${podLogsDir}/`)) fs.rmSync(link);
    } catch {
      // not a link
    }
  }
}
