import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
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
import { kubeconfigYaml, writeCredentials } from './pki';
import {
  freePort,
  isAlive,
  ManagedProcess,
  startDetached,
  stopProcess,
  tail,
  waitFor,
} from './processes';
import { readState, SandboxState, writeState } from './state';

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
}

/** @public */
export interface SandboxLogOptions {
  /** Receives progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

const defaultLog = (line: string) =>
  process.stderr.write(`[sandbox] ${line}\n`);

function httpsOk(url: string, caFile: string, token: string): Promise<boolean> {
  return new Promise(resolve => {
    if (!fs.existsSync(caFile)) {
      resolve(false);
      return;
    }
    const req = https.get(
      url,
      {
        ca: fs.readFileSync(caFile),
        headers: { Authorization: `Bearer ${token}` },
      },
      res => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

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
 * first run.
 *
 * @public
 */
export async function up(
  options: SandboxLogOptions = {},
): Promise<SandboxInfo> {
  const paths = sandboxPaths();
  const release = await acquireLock(`${paths.state}.lock`);
  try {
    return await upLocked(paths, options.log ?? defaultLog);
  } finally {
    release();
  }
}

/**
 * Test suites in parallel Jest workers all call `up`; one starts the sandbox
 * and the others wait for it. A lock left by a dead process is taken over.
 */
async function acquireLock(lockDir: string) {
  const owner = path.join(lockDir, 'pid');
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(owner, String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(
        fs.existsSync(owner) ? fs.readFileSync(owner, 'utf8') : 0,
      );
      if (pid && !isAlive(pid))
        fs.rmSync(lockDir, { recursive: true, force: true });
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }
}

async function upLocked(
  paths: ReturnType<typeof sandboxPaths>,
  log: (line: string) => void,
): Promise<SandboxInfo> {
  const previous = readState(paths.state);
  if (await alreadyRunning(previous)) {
    return {
      server: previous!.server,
      kubeconfig: previous!.kubeconfig,
      started: false,
    };
  }
  if (previous) {
    log('cleaning up a sandbox that is partly running');
    await down({ log });
  }

  const t0 = Date.now();
  ensureDebianPackages(false, log);
  const bins = await ensureBinaries(paths.cache, log);
  const mysql = await ensureMysqlRootfs(paths.cache, log).catch(
    (error): MysqlRootfs => ({
      unavailable: `building the MySQL root filesystem failed: ${error.message}`,
    }),
  );
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
  const state: SandboxState = {
    server,
    kubeconfig: paths.kubeconfig,
    processes: [],
    startedAt: new Date().toISOString(),
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
      async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok,
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
          '--v=1',
        ],
        dirs.logs,
      ),
    );
    await waitFor(
      'kube-apiserver',
      () => httpsOk(`${server}/readyz`, caFile, creds.adminToken),
      60_000,
      () => tail(apiserver.log, 20),
    );
    fs.writeFileSync(
      paths.kubeconfig,
      kubeconfigYaml(server, caFile, creds.adminToken),
      { mode: 0o600 },
    );

    log('starting kube-controller-manager');
    const controllerManager = record(
      startDetached(
        'kube-controller-manager',
        bins.controllerManager,
        [
          `--kubeconfig=${paths.kubeconfig}`,
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
          ...process.env,
          SANDBOX_KUBECONFIG: paths.kubeconfig,
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
    await down({ log });
    throw error;
  }
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s; node ${NODE_NAME}`);
  log(`kubeconfig: ${paths.kubeconfig}`);
  return { server, kubeconfig: paths.kubeconfig, started: true };
}

/**
 * Stops every process `up` started, by the pids it recorded, and any server
 * the node agent left behind, then removes `.sandbox/`.
 *
 * @public
 */
export async function down(options: SandboxLogOptions = {}) {
  const log = options.log ?? defaultLog;
  const paths = sandboxPaths();
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
 * One line per process `up` started, with whether it still runs.
 *
 * @public
 */
export function status(): { running: boolean; lines: string[] } {
  const paths = sandboxPaths();
  const state = readState(paths.state);
  if (!state) return { running: false, lines: ['sandbox: not running'] };
  const lines = state.processes.map(
    p =>
      `${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${
        isAlive(p.pid) ? 'running' : 'STOPPED'
      }  log ${p.log}`,
  );
  const running =
    state.processes.length === 4 && state.processes.every(p => isAlive(p.pid));
  return {
    running,
    lines: [
      `sandbox: ${
        running ? 'running' : 'partly running (run down, then up)'
      } since ${state.startedAt}`,
      `api server: ${state.server}`,
      `kubeconfig: ${state.kubeconfig}`,
      ...lines,
    ],
  };
}
