import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  countAuditRequests,
  readAuditLog,
  SandboxAuditCounts,
  SandboxAuditEvent,
  SandboxAuditQuery,
} from './audit';
import { down, SandboxInfo, status as sandboxStatus, up } from './controlPlane';
import {
  freeze,
  kill,
  restart,
  RestartableComponent,
  SandboxComponent,
  SandboxRestart,
  thaw,
} from './faults';
import { nodeBinariesDir } from './node/binaries';
import { BuiltImage, SANDBOX_IMAGES } from './node/images';
import { sandboxPaths } from './paths';

/**
 * A user of the test sandbox, with a client config for it.
 *
 * @public
 */
export interface TestSandboxUser {
  /** The user name the API server authenticates (and audit events show). */
  name: string;
  kubeconfig: string;
  kc: k8s.KubeConfig;
}

/**
 * A sandbox for integration tests, with a client config for it.
 *
 * @public
 */
export interface TestSandbox {
  /** The admin kubeconfig. */
  kubeconfig: string;
  /** A client config for the admin. */
  kc: k8s.KubeConfig;
  /** The sandbox's state folder. */
  stateDir: string;
  /** The API server's audit log, when it writes one. */
  auditLog?: string;
  /**
   * The backend's service account from deploy/rbac.yaml
   * (`system:serviceaccount:backstage:backstage-mysql`), with the
   * least-privilege role the deployed backend has.
   */
  backend?: TestSandboxUser;
  /**
   * The Kubernetes plugin's read-only service account from
   * deploy/kubernetes-plugin-rbac.yaml
   * (`system:serviceaccount:backstage:backstage-kubernetes`).
   */
  kubernetesPlugin?: TestSandboxUser;
}

function loadKubeConfig(file: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

function testSandbox(info: SandboxInfo): TestSandbox {
  return {
    kubeconfig: info.kubeconfig,
    kc: loadKubeConfig(info.kubeconfig),
    stateDir: info.stateDir,
    auditLog: info.auditLog,
    backend: info.backend && {
      ...info.backend,
      kc: loadKubeConfig(info.backend.kubeconfig),
    },
    kubernetesPlugin: info.kubernetesPlugin && {
      ...info.kubernetesPlugin,
      kc: loadKubeConfig(info.kubernetesPlugin.kubeconfig),
    },
  };
}

let shared: Promise<TestSandbox> | undefined;

/**
 * Starts the sandbox once per test run and shares it between suites: the
 * first caller starts it (parallel Jest workers wait on a lock), later
 * callers get the running one. `npm test` runs integration suites through
 * `k8s-sandbox exec`, which stops it afterwards.
 *
 * @public
 */
export function useSandbox(): Promise<TestSandbox> {
  shared ??= up({
    log: line => process.stderr.write(`[sandbox] ${line}\n`),
  }).then(testSandbox);
  return shared;
}

/**
 * A sandbox that one suite has to itself, with the faults it may inject and
 * its audit log.
 *
 * @public
 */
export interface IsolatedTestSandbox extends TestSandbox {
  /** See `freeze`. */
  freeze(component: SandboxComponent): Promise<void>;
  /** See `thaw`. */
  thaw(component: SandboxComponent): Promise<void>;
  /** See `kill`. */
  kill(component: SandboxComponent): Promise<void>;
  /** See `restart`. */
  restart(component: RestartableComponent): Promise<SandboxRestart>;
  /** See `readAuditLog`; needs `auditLog: true`. */
  readAuditLog(
    query?: Omit<SandboxAuditQuery, 'stateDir'>,
  ): SandboxAuditEvent[];
  /** See `countAuditRequests`; needs `auditLog: true`. */
  countAuditRequests(
    query?: Omit<SandboxAuditQuery, 'stateDir'>,
  ): SandboxAuditCounts;
  /** Stops the sandbox and removes its state folder; call it in `afterAll`. */
  down(): Promise<void>;
}

/**
 * Options of {@link useIsolatedSandbox}.
 *
 * @public
 */
export interface IsolatedSandboxOptions {
  /** Whether the API server writes an audit log; defaults to `SANDBOX_AUDIT_LOG`. */
  auditLog?: boolean;
}

/**
 * Starts a sandbox of the calling suite's own, in a new state folder under
 * the system's temporary folder (named after `name`), so that a suite that
 * freezes or kills its control plane does not disturb the suites that share
 * {@link useSandbox}'s. Its node gets a slot of its own (addresses, network
 * namespace, cgroup), so its pods never meet the shared sandbox's. Takes as
 * long as `up`.
 *
 * ```ts
 * let sandbox: IsolatedTestSandbox;
 * beforeAll(async () => {
 *   sandbox = await useIsolatedSandbox('faults', { auditLog: true });
 * });
 * afterAll(() => sandbox?.down());
 * ```
 *
 * @public
 */
export async function useIsolatedSandbox(
  name: string,
  options: IsolatedSandboxOptions = {},
): Promise<IsolatedTestSandbox> {
  const stateDir = fs.mkdtempSync(
    path.join(os.tmpdir(), `k8s-sandbox-${name}-`),
  );
  const at = { stateDir };
  const info = await up({
    ...at,
    auditLog: options.auditLog,
    log: line => process.stderr.write(`[sandbox ${name}] ${line}\n`),
  });
  return {
    ...testSandbox(info),
    freeze: component => freeze(component, at),
    thaw: component => thaw(component, at),
    kill: component => kill(component, at),
    restart: component => restart(component, at),
    readAuditLog: query => readAuditLog({ ...query, ...at }),
    countAuditRequests: query => countAuditRequests({ ...query, ...at }),
    down: () => down({ ...at, log: () => {} }),
  };
}

/**
 * What the server of the sandbox's image `image` (for example `mysql:8.4`)
 * reports as its version (`mysqld --version`): `9.7.4-2` for every `mysql`
 * tag, since Debian has only that MySQL; `10.11.18-MariaDB-0+deb12u1` for
 * `mariadb:10.11`. Needs the images built (`up` builds them).
 *
 * @public
 */
export function sandboxServerVersion(image: string): string {
  const [repository, tag] = image.split(':');
  const spec = SANDBOX_IMAGES.find(candidate =>
    candidate.names.some(name => {
      const [r, t] = name.split(':');
      return r === repository && (t === tag || tag?.startsWith(`${t}.`));
    }),
  );
  if (!spec) throw new Error(`the sandbox has no image ${image}`);
  const built: BuiltImage = JSON.parse(
    fs.readFileSync(
      path.join(sandboxPaths().cache, 'images', spec.key, 'built.json'),
      'utf8',
    ),
  );
  if (!built.serverVersion) throw new Error(`${image} runs no server`);
  return built.serverVersion;
}

/**
 * Calls `read` every 200 ms until it returns something other than
 * `undefined`, and returns that; a throw counts as "not yet" and is named
 * in the error if time runs out. For integration tests that wait on a
 * cluster: their own clocks, not Jest's, say what they waited for.
 *
 * @public
 */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/**
 * The sandbox's own kubectl, of its Kubernetes release (Debian's is years
 * older). `k8s-sandbox exec` puts its folder first on PATH.
 *
 * @public
 */
export function sandboxKubectl(): string {
  return path.join(nodeBinariesDir(sandboxPaths().cache), 'bin', 'kubectl');
}

function findCgroup(dir: string, name: string): string | undefined {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const child = path.join(dir, entry.name);
    if (entry.name === name) return child;
    const found = findCgroup(child, name);
    if (found) return found;
  }
  return undefined;
}

/**
 * Kills a running container's processes with SIGKILL from the machine, as
 * a crash or the OOM killer would end them (from inside, PID 1 of a
 * container ignores SIGKILL). The kubelet then restarts the container as
 * the pod's `restartPolicy` says. Returns the pids it killed (a probe's
 * process that ended meanwhile is not one).
 *
 * @public
 */
export function killContainer(
  pod: k8s.V1Pod,
  container?: string,
  options: { stateDir?: string } = {},
): number[] {
  const status = pod.status?.containerStatuses?.find(
    c => container === undefined || c.name === container,
  );
  const id = status?.containerID?.replace(/^[a-z]+:\/\//, '');
  if (!id)
    throw new Error(`pod ${pod.metadata?.name} has no running container`);
  const state = JSON.parse(
    fs.readFileSync(
      path.join(sandboxPaths(options.stateDir).state, 'state.json'),
      'utf8',
    ),
  );
  const cgroup = findCgroup(
    `/sys/fs/cgroup/pids/k8s-sandbox-${state.slot}`,
    id,
  );
  if (!cgroup) throw new Error(`no cgroup for container ${id}`);
  const pids = fs
    .readFileSync(path.join(cgroup, 'cgroup.procs'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number);
  // The kubelet's exec probes run in the container's cgroup too, and one may
  // end between the read and the kill.
  return pids.filter(pid => {
    try {
      process.kill(pid, 'SIGKILL');
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  });
}

/**
 * What a test that timed out on a cluster should print: whether each
 * component of the sandbox still runs, the pods of `namespace` with their
 * node and state, the namespace's latest events, and the warnings the
 * scheduler and the controller manager logged last.
 *
 * @public
 */
export async function describeSandbox(
  sandbox: TestSandbox,
  namespace: string,
): Promise<string> {
  const core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  const lines = [...sandboxStatus({ stateDir: sandbox.stateDir }).lines];
  try {
    const pods = await core.listNamespacedPod({ namespace });
    for (const p of pods.items) {
      const c = p.status?.containerStatuses?.[0];
      const waiting = c?.state?.waiting?.reason;
      lines.push(
        `pod ${p.metadata?.name} uid ${p.metadata?.uid} ${
          p.status?.phase
        } node=${p.spec?.nodeName ?? '-'} ready=${c?.ready ?? '-'}${
          waiting ? ` ${waiting}` : ''
        }${p.metadata?.deletionTimestamp ? ' deleting' : ''}`,
      );
    }
    const events = await core.listNamespacedEvent({ namespace });
    for (const e of events.items.slice(-15)) {
      lines.push(
        `event ${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message}`,
      );
    }
  } catch (error) {
    lines.push(`the API server did not answer: ${(error as Error).message}`);
  }
  for (const component of ['kube-scheduler', 'kube-controller-manager']) {
    const log = path.join(sandbox.stateDir, 'logs', `${component}.log`);
    const warnings = fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter(l => /^[EW]\d/.test(l))
          .slice(-8)
      : [];
    lines.push(...warnings.map(l => `${component}: ${l}`));
  }
  return lines.join('\n');
}
