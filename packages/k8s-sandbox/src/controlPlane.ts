import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { auditFlags } from './audit';
import { ensureBinaries } from './binaries';
import { ensureMysqlRootfs, MysqlRootfs } from './mysqlRootfs';
import {
  applyClusterObjects,
  defaultServiceAccountReady,
  NODE_NAME,
} from './clusterObjects';
import { ensureDebianPackages } from './debian';
import { PACKAGE_DIR } from './packageDir';
import { sandboxPaths } from './paths';
import { apiServerHealthy, etcdHealthy } from './health';
import { kubeconfigYaml, writeCredentials } from './pki';
import {
  freePort,
  isAlive,
  isStopped,
  ManagedProcess,
  startDetached,
  stopProcess,
  tail,
  waitFor,
} from './processes';
import {
  lockState,
  readState,
  SandboxState,
  SandboxUser,
  writeState,
} from './state';
import { createServiceAccountUsers } from './users';

/**
 * A running sandbox cluster.
 *
 * @public
 */
export interface SandboxInfo {
  /** The API server URL (https on a loopback port). */
  server: string;
  /** Path of the admin kubeconfig. */
  kubeconfig: string;
  /** Whether this call started it (false when it was already running). */
  started: boolean;
  /** The sandbox's state folder. */
  stateDir: string;
  /** The API server's audit log, when it writes one (see `auditLog` of {@link SandboxUpOptions}). */
  auditLog?: string;
  /**
   * The backend's service account `backstage/backstage-mysql` from the
   * repository's deploy/rbac.yaml (applied by `up`), with its least-privilege
   * role, and a kubeconfig with its token; absent without that file.
   */
  backend?: SandboxUser;
  /**
   * The Kubernetes plugin's read-only service account
   * `backstage/backstage-kubernetes` from the repository's
   * deploy/kubernetes-plugin-rbac.yaml (applied by `up`), and a kubeconfig
   * with its token (`<state>/kubernetes-plugin.kubeconfig`); absent without
   * that file.
   */
  kubernetesPlugin?: SandboxUser;
}

/** @public */
export interface SandboxLogOptions {
  /** Receives progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

/**
 * Which sandbox a call is about.
 *
 * @public
 */
export interface SandboxOptions extends SandboxLogOptions {
  /**
   * The sandbox's state folder, for a sandbox of its own; defaults to
   * `SANDBOX_STATE_DIR`, then `<repo>/.sandbox`. Pod addresses and ports
   * derive from it, so sandboxes in different folders run side by side.
   */
  stateDir?: string;
}

/**
 * How `up` starts a sandbox.
 *
 * @public
 */
export interface SandboxUpOptions extends SandboxOptions {
  /**
   * Start kube-apiserver with an audit policy (level Metadata for every
   * request) and `--audit-log-path=<state>/logs/audit.log`; read it with
   * `readAuditLog` and `countAuditRequests`. Defaults to whether
   * `SANDBOX_AUDIT_LOG` is `1` or `true`. Has no effect on a sandbox that is
   * already running.
   */
  auditLog?: boolean;
}

const defaultLog = (line: string) =>
  process.stderr.write(`[sandbox] ${line}\n`);

async function alreadyRunning(state: SandboxState | undefined) {
  if (!state || !state.processes.every(p => isAlive(p.pid))) return false;
  const names = state.processes.map(p => p.name);
  return [
    'etcd',
    'kube-apiserver',
    'kube-controller-manager',
    'node-agent',
  ].every(n => names.includes(n));
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager and the node agent,
 * or returns the running sandbox. Builds the control-plane binaries on the
 * first run. Test suites in parallel Jest workers may all call it: one
 * starts the sandbox, the others wait for it.
 *
 * @public
 */
export async function up(options: SandboxUpOptions = {}): Promise<SandboxInfo> {
  const paths = sandboxPaths(options.stateDir);
  const release = await lockState(paths.state);
  try {
    return await upLocked(
      paths,
      options.log ?? defaultLog,
      options.auditLog ??
        ['1', 'true'].includes(process.env.SANDBOX_AUDIT_LOG ?? ''),
    );
  } finally {
    release();
  }
}

function infoOf(state: SandboxState, stateDir: string, started: boolean) {
  return {
    server: state.server,
    kubeconfig: state.kubeconfig,
    started,
    stateDir,
    auditLog: state.auditLog,
    backend: state.backend,
    kubernetesPlugin: state.kubernetesPlugin,
  };
}

async function upLocked(
  paths: ReturnType<typeof sandboxPaths>,
  log: (line: string) => void,
  auditLog: boolean,
): Promise<SandboxInfo> {
  const previous = readState(paths.state);
  if (await alreadyRunning(previous)) {
    if (auditLog && !previous!.auditLog) {
      log('warning: the running sandbox writes no audit log (down, then up)');
    }
    return infoOf(previous!, paths.state, false);
  }
  if (previous) {
    log('cleaning up a sandbox that is partly running');
    await down({ log, stateDir: paths.state });
  }

  const t0 = Date.now();
  // Sandboxes of other state dirs share the cache: one builds, the others
  // wait for it instead of building the same binaries beside it.
  const cacheLock = path.join(paths.cache, 'build');
  if (fs.existsSync(`${cacheLock}.lock`)) {
    log('waiting for another sandbox that is preparing the shared cache');
  }
  const releaseCache = await lockState(cacheLock);
  let bins: Awaited<ReturnType<typeof ensureBinaries>>;
  let mysql: MysqlRootfs;
  try {
    ensureDebianPackages(false, log);
    bins = await ensureBinaries(paths.cache, log);
    mysql = await ensureMysqlRootfs(paths.cache, log).catch(
      (error): MysqlRootfs => ({
        unavailable: `building the MySQL root filesystem failed: ${error.message}`,
      }),
    );
  } finally {
    releaseCache();
  }
  if ('unavailable' in mysql) log(`warning: ${mysql.unavailable}`);

  const dirs = {
    logs: path.join(paths.state, 'logs'),
    pki: path.join(paths.state, 'pki'),
    etcd: path.join(paths.state, 'etcd'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  const creds = writeCredentials(dirs.pki);
  const [etcdPort, peerPort, apiPort, cmPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const server = `https://127.0.0.1:${apiPort}`;
  const audit = auditLog ? auditFlags(paths.state, dirs.logs) : undefined;
  const state: SandboxState = {
    server,
    kubeconfig: paths.kubeconfig,
    processes: [],
    startedAt: new Date().toISOString(),
    auditLog: audit?.log,
  };
  const record = (p: ManagedProcess) => {
    state.processes.push(p);
    writeState(paths.state, state);
    return p;
  };

  try {
    log('starting etcd');
    const etcd = record(
      startDetached(
        'etcd',
        'etcd',
        [
          '--name=sandbox',
          `--data-dir=${dirs.etcd}`,
          `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
          `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
          `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-cluster=sandbox=http://127.0.0.1:${peerPort}`,
          '--log-level=warn',
        ],
        dirs.logs,
      ),
    );
    await waitFor(
      'etcd',
      () => etcdHealthy(`http://127.0.0.1:${etcdPort}`),
      20_000,
      () => tail(etcd.log, 20),
    );

    log('starting kube-apiserver');
    const caFile = path.join(dirs.pki, 'apiserver.crt');
    const apiserver = record(
      startDetached(
        'kube-apiserver',
        bins.apiserver,
        [
          `--etcd-servers=http://127.0.0.1:${etcdPort}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${apiPort}`,
          '--insecure-port=0',
          `--cert-dir=${dirs.pki}`,
          `--token-auth-file=${creds.tokenFile}`,
          '--authorization-mode=RBAC',
          `--service-account-key-file=${creds.serviceAccountPub}`,
          `--service-account-signing-key-file=${creds.serviceAccountKey}`,
          '--service-account-issuer=https://kubernetes.default.svc',
          '--service-cluster-ip-range=10.152.183.0/24',
          '--allow-privileged=true',
          '--enable-priority-and-fairness=false',
          '--profiling=false',
          ...(audit?.flags ?? []),
          '--v=1',
        ],
        dirs.logs,
      ),
    );
    await waitFor(
      'kube-apiserver',
      () => apiServerHealthy(server, caFile, creds.adminToken),
      60_000,
      () => tail(apiserver.log, 20),
    );
    fs.writeFileSync(
      paths.kubeconfig,
      kubeconfigYaml(server, caFile, creds.adminToken),
      { mode: 0o600 },
    );
    // The controller manager and the agent have users of their own, so the
    // audit log tells their requests from those of tests.
    const componentKubeconfig = (name: string, token: string) => {
      const file = path.join(paths.state, `${name}.kubeconfig`);
      fs.writeFileSync(file, kubeconfigYaml(server, caFile, token, name), {
        mode: 0o600,
      });
      return file;
    };

    log('starting kube-controller-manager');
    const controllerManager = record(
      startDetached(
        'kube-controller-manager',
        bins.controllerManager,
        [
          `--kubeconfig=${componentKubeconfig(
            'controller-manager',
            creds.controllerManagerToken,
          )}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${cmPort}`,
          '--port=0',
          '--controllers=statefulset,replicaset,deployment,job,garbagecollector,' +
            'persistentvolume-binder,pvc-protection,pv-protection,serviceaccount,' +
            'serviceaccount-token,namespace,endpoint,endpointslice',
          `--service-account-private-key-file=${creds.serviceAccountKey}`,
          `--root-ca-file=${caFile}`,
          '--use-service-account-credentials=false',
          '--concurrent-statefulset-syncs=5',
          '--v=1',
        ],
        dirs.logs,
      ),
    );
    await applyClusterObjects(paths.kubeconfig);
    await waitFor(
      'kube-controller-manager (default service account)',
      () => defaultServiceAccountReady(paths.kubeconfig),
      30_000,
      () => tail(controllerManager.log, 20),
    );
    const admin = new k8s.KubeConfig();
    admin.loadFromFile(paths.kubeconfig);
    const users = await createServiceAccountUsers({
      admin,
      root: paths.root,
      stateDir: paths.state,
      server,
      caFile,
    });
    state.backend = users.backend;
    state.kubernetesPlugin = users.kubernetesPlugin;
    writeState(paths.state, state);

    log('starting the node agent');
    const agent = record(
      startDetached(
        'node-agent',
        process.execPath,
        [
          '--require',
          require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
          path.join(PACKAGE_DIR, 'src', 'agent', 'main.ts'),
        ],
        dirs.logs,
        {
          SANDBOX_KUBECONFIG: componentKubeconfig(
            'node-agent',
            creds.nodeAgentToken,
          ),
          SANDBOX_STATE_DIR: paths.state,
          ...('dir' in mysql
            ? {
                SANDBOX_MYSQL_ROOTFS: mysql.dir,
                SANDBOX_MYSQL_VERSION: mysql.version,
              }
            : { SANDBOX_MYSQL_UNAVAILABLE: mysql.unavailable }),
        },
      ),
    );
    await waitFor(
      'the node agent',
      async () => fs.existsSync(path.join(paths.state, 'agent.ready')),
      30_000,
      () => tail(agent.log, 20),
    );
  } catch (error) {
    log(`start failed: ${(error as Error).message}`);
    await down({ log, stateDir: paths.state });
    throw error;
  }
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s; node ${NODE_NAME}`);
  log(`kubeconfig: ${paths.kubeconfig}`);
  if (state.auditLog) log(`audit log: ${state.auditLog}`);
  return infoOf(state, paths.state, true);
}

/**
 * Stops every process `up` started (frozen ones too), by the pids it
 * recorded or a restart replaced them with, and any server the node agent
 * left behind, then removes the state folder (`.sandbox/`).
 *
 * @public
 */
export async function down(options: SandboxOptions = {}) {
  const log = options.log ?? defaultLog;
  const paths = sandboxPaths(options.stateDir);
  const state = readState(paths.state);
  // The agent goes first so it can stop its MySQL servers gracefully.
  const order = [
    'node-agent',
    'kube-controller-manager',
    'kube-apiserver',
    'etcd',
  ];
  const processes = [...(state?.processes ?? [])].sort(
    (a, b) => order.indexOf(a.name) - order.indexOf(b.name),
  );
  for (const p of processes) {
    if (isAlive(p.pid)) log(`stopping ${p.name} (pid ${p.pid})`);
    await stopProcess(p.pid, p.name === 'node-agent' ? 30_000 : 10_000);
  }
  for (const pid of leftoverServerPids(paths.state)) {
    log(`stopping a leftover server (pid ${pid})`);
    await stopProcess(pid);
  }
  fs.rmSync(paths.state, { recursive: true, force: true });
}

function leftoverServerPids(stateDir: string): number[] {
  const podsDir = path.join(stateDir, 'pods');
  if (!fs.existsSync(podsDir)) return [];
  return fs
    .readdirSync(podsDir)
    .map(uid => path.join(podsDir, uid, 'server.pid'))
    .filter(file => fs.existsSync(file))
    .map(file => Number(fs.readFileSync(file, 'utf8').trim()))
    .filter(pid => pid > 0 && isAlive(pid));
}

/**
 * One line per process `up` started, with whether it runs, is frozen or is
 * gone. `running` is true when all four processes are alive, frozen or not.
 *
 * @public
 */
export function status(options: Pick<SandboxOptions, 'stateDir'> = {}): {
  running: boolean;
  lines: string[];
} {
  const paths = sandboxPaths(options.stateDir);
  const state = readState(paths.state);
  if (!state) return { running: false, lines: ['sandbox: not running'] };
  const stateOf = (pid: number) => {
    if (!isAlive(pid)) return 'STOPPED';
    return isStopped(pid) ? 'FROZEN (thaw it)' : 'running';
  };
  const lines = state.processes.map(
    p =>
      `${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${stateOf(
        p.pid,
      )}  log ${p.log}`,
  );
  const running =
    state.processes.length === 4 && state.processes.every(p => isAlive(p.pid));
  return {
    running,
    lines: [
      `sandbox: ${
        running
          ? 'running'
          : 'partly running (restart what stopped, or down, then up)'
      } since ${state.startedAt}`,
      `api server: ${state.server}`,
      `kubeconfig: ${state.kubeconfig}`,
      ...(state.backend
        ? [
            `backend kubeconfig: ${state.backend.kubeconfig} (${state.backend.name})`,
          ]
        : []),
      ...(state.auditLog ? [`audit log: ${state.auditLog}`] : []),
      ...lines,
    ],
  };
}
