import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_DIR } from '../packageDir';
import { runWithProgress } from '../processes';

/**
 * The Kubernetes release the sandbox runs: the newest whose kubelet runs on
 * these machines (cgroup v1 with `failCgroupV1: false`; 1.37 still falls
 * back to the kubelet's cgroup driver with containerd 1.6, which 1.38 will
 * no longer do). The cache folder is keyed by it and the versions below.
 */
export const KUBERNETES_VERSION = '1.37.2';
/** CoreDNS, for the cluster DNS pod. */
export const COREDNS_VERSION = '1.14.7';
/** Rancher's local-path provisioner, which serves the `microk8s-hostpath` class. */
export const LOCAL_PATH_VERSION = '0.0.30';

/** The binaries `build-kubernetes.sh` leaves. */
export const NODE_BINARIES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'kubectl',
  'etcd',
  'coredns',
  'local-path-provisioner',
] as const;

/** Paths of the built binaries, by name. */
export type NodeBinaries = Record<(typeof NODE_BINARIES)[number], string>;

/** Where the binaries of this release are cached. */
export function nodeBinariesDir(cacheRoot: string): string {
  return path.join(
    cacheRoot,
    `kubernetes-${KUBERNETES_VERSION}-coredns-${COREDNS_VERSION}-lpp-${LOCAL_PATH_VERSION}`,
  );
}

/**
 * Returns the cached binaries, building them first from the Go module proxy
 * when any is missing (about 12 minutes on 2 cores with a cold Go cache,
 * with progress on the log).
 */
export async function ensureNodeBinaries(
  cacheRoot: string,
  log: (line: string) => void,
): Promise<NodeBinaries> {
  const dir = nodeBinariesDir(cacheRoot);
  const bins = Object.fromEntries(
    NODE_BINARIES.map(name => [name, path.join(dir, 'bin', name)]),
  ) as NodeBinaries;
  if (Object.values(bins).every(file => fs.existsSync(file))) return bins;
  if (spawnSync('go', ['version']).status !== 0) {
    throw new Error(
      'building the sandbox needs Go 1.26 or later on PATH (https://go.dev/dl/), ' +
        'and the Go module proxy',
    );
  }
  log(
    `building Kubernetes ${KUBERNETES_VERSION}, etcd, CoreDNS ${COREDNS_VERSION} and ` +
      `local-path-provisioner ${LOCAL_PATH_VERSION} from the Go module proxy into ${dir}: ` +
      'first run only, about 12 minutes on 2 cores',
  );
  const started = Date.now();
  try {
    await runWithProgress(
      path.join(PACKAGE_DIR, 'scripts', 'build-kubernetes.sh'),
      [KUBERNETES_VERSION, COREDNS_VERSION, LOCAL_PATH_VERSION, dir],
      log,
      line => (line.startsWith('[k8s-build] ') ? line.slice(12) : undefined),
      { stillRunning: 'still building' },
    );
  } catch (error) {
    throw new Error(`building Kubernetes failed: ${(error as Error).message}`);
  }
  log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
  return bins;
}
