import fs from 'node:fs';
import path from 'node:path';
import { isAlive, ManagedProcess, processStartTime, sleep } from './processes';

/**
 * A user of the sandbox's API server other than the admin.
 *
 * @public
 */
export interface SandboxUser {
  /** The user name the API server authenticates (and audit events show). */
  name: string;
  /** A kubeconfig that authenticates as this user. */
  kubeconfig: string;
}

/** Every process of a running sandbox, in the order `up` starts them. */
export const SANDBOX_PROCESSES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'containerd',
  'kubelet',
  'kube-proxy',
] as const;

/** What `up` records in `.sandbox/state.json` for `status` and `down`. */
export interface SandboxState {
  server: string;
  kubeconfig: string;
  processes: ManagedProcess[];
  startedAt: string;
  /** The audit log, when the API server writes one. */
  auditLog?: string;
  /** The backend's service account from deploy/rbac.yaml. */
  backend?: SandboxUser;
  /** The Kubernetes plugin's read-only account from deploy/kubernetes-plugin-rbac.yaml. */
  kubernetesPlugin?: SandboxUser;
  /** The node's slot: its addresses, network namespace and cgroup. */
  slot?: number;
}

export function readState(stateDir: string): SandboxState | undefined {
  try {
    return JSON.parse(
      fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'),
    );
  } catch {
    return undefined;
  }
}

export function writeState(stateDir: string, state: SandboxState) {
  // Written whole and renamed, so a reader never sees half a file.
  const file = path.join(stateDir, 'state.json');
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Serialises what changes a sandbox (`up`, `restart`): test suites in
 * parallel Jest workers all call `up`, one starts the sandbox and the others
 * wait for it. A lock left by a dead process is taken over.
 */
export async function lockState(stateDir: string) {
  const lockDir = `${stateDir}.lock`;
  const owner = path.join(lockDir, 'pid');
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(
        owner,
        `${process.pid} ${processStartTime(process.pid) ?? ''}`,
      );
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pid, startTime] = (
        fs.existsSync(owner) ? fs.readFileSync(owner, 'utf8') : ''
      )
        .split(' ')
        .map(Number);
      if (pid && !isAlive({ pid, startTime: startTime || undefined }))
        fs.rmSync(lockDir, { recursive: true, force: true });
      await sleep(200);
    }
  }
}
