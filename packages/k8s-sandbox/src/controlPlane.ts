import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { auditFlags } from './audit';
import { applyCrds } from './crds';
import {
  clusterDnsAnswers,
  defaultServiceAccountReady,
  nodeReady,
} from './clusterObjects';
import { ensureDebianPackages } from './debian';
import { sandboxPaths } from './paths';
import { apiServerHealthy, etcdHealthy } from './health';
import { kubeconfigYaml, writeCredentials } from './pki';
import {
  componentProcess,
  isAlive,
  isStopped,
  ManagedProcess,
  startDetached,
  stopManaged,
  tail,
  waitFor,
} from './processes';
import {
  lockState,
  readState,
  SANDBOX_PROCESSES,
  SandboxState,
  SandboxUser,
  writeState,
} from './state';
import { createServiceAccountUsers } from './users';
import { addonObjects, applyObjects } from './node/addons';
import { writeClusterCertificates } from './node/certificates';
import { CONTROL_PLANE_PORTS, nodeAddresses } from './node/config';
import { createNodeNetwork } from './node/network';
import { NODE_NAME, nodeDirs, startNode, stopNode } from './node/node';
import { prepareNode } from './node/prepare';
import { claimSlot, releaseSlot, slotHeldBy } from './node/slots';

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
  if (!state || !state.processes.every(p => isAlive(p))) return false;
  const names = state.processes.map(p => p.name);
  return SANDBOX_PROCESSES.every(n => names.includes(n));
}

/**
 * Starts a one-node Kubernetes of real components, or returns the running
 * sandbox: etcd, kube-apiserver, kube-controller-manager and kube-scheduler
 * on the machine, and containerd (with runc and the CNI bridge), the
 * kubelet and kube-proxy in a network namespace of the sandbox's own, then
 * CoreDNS and the hostpath provisioner as pods. Builds the binaries and the
 * images on a machine's first run. Test suites in parallel Jest workers may
 * all call it: one starts the sandbox, the others wait for it.
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
    const admin = new k8s.KubeConfig();
    admin.loadFromFile(previous!.kubeconfig);
    await applyCrds(admin, paths.root);
    return infoOf(previous!, paths.state, false);
  }
  // An empty folder (one a test made with mkdtemp) holds no sandbox.
  if (
    previous ||
    (fs.existsSync(paths.state) && fs.readdirSync(paths.state).length > 0)
  ) {
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
  let prepared: Awaited<ReturnType<typeof prepareNode>>;
  try {
    ensureDebianPackages(true, log);
    prepared = await prepareNode(paths.cache, log);
  } finally {
    releaseCache();
  }
  const { bins, images } = prepared;

  const slot = claimSlot(paths.state);
  const addresses = nodeAddresses(slot);
  const dirs = {
    logs: path.join(paths.state, 'logs'),
    pki: path.join(paths.state, 'pki'),
    etcd: path.join(paths.state, 'etcd'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  const ports = CONTROL_PLANE_PORTS;
  const etcdUrl = `http://${addresses.loopbackIp}:${ports.etcd}`;
  const peerUrl = `http://${addresses.loopbackIp}:${ports.etcdPeer}`;
  const server = `https://${addresses.hostIp}:${ports.apiServer}`;
  const audit = auditLog ? auditFlags(paths.state, dirs.logs) : undefined;
  const state: SandboxState = {
    server,
    kubeconfig: paths.kubeconfig,
    processes: [],
    startedAt: new Date().toISOString(),
    auditLog: audit?.log,
    slot,
  };
  const record = (p: ManagedProcess) => {
    state.processes.push(p);
    writeState(paths.state, state);
    return p;
  };
  writeState(paths.state, state);

  try {
    createNodeNetwork(addresses);
    const serviceIp = addresses.serviceCidr.replace(/0\/24$/, '1');
    const certs = writeClusterCertificates(dirs.pki, [
      addresses.hostIp,
      serviceIp,
    ]);
    const creds = writeCredentials(dirs.pki);

    log('starting etcd');
    const etcd = record(
      startDetached(
        'etcd',
        bins.etcd,
        [
          '--name=sandbox',
          `--data-dir=${dirs.etcd}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=sandbox=${peerUrl}`,
          '--log-level=warn',
        ],
        dirs.logs,
      ),
    );
    await waitFor(
      'etcd',
      () => etcdHealthy(etcdUrl),
      20_000,
      () => tail(etcd.log, 20),
    );

    log('starting kube-apiserver');
    const apiserver = record(
      startDetached(
        'kube-apiserver',
        bins['kube-apiserver'],
        [
          `--etcd-servers=${etcdUrl}`,
          `--bind-address=${addresses.hostIp}`,
          `--advertise-address=${addresses.hostIp}`,
          `--secure-port=${ports.apiServer}`,
          `--tls-cert-file=${certs.apiserverCert}`,
          `--tls-private-key-file=${certs.apiserverKey}`,
          `--client-ca-file=${certs.caCert}`,
          `--token-auth-file=${creds.tokenFile}`,
          '--authorization-mode=Node,RBAC',
          '--enable-admission-plugins=NodeRestriction',
          `--service-account-key-file=${creds.serviceAccountPub}`,
          `--service-account-signing-key-file=${creds.serviceAccountKey}`,
          '--service-account-issuer=https://kubernetes.default.svc',
          `--service-cluster-ip-range=${addresses.serviceCidr}`,
          `--kubelet-client-certificate=${certs.kubeletClientCert}`,
          `--kubelet-client-key=${certs.kubeletClientKey}`,
          '--kubelet-preferred-address-types=InternalIP',
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
      () => apiServerHealthy(server, certs.caCert, creds.adminToken),
      60_000,
      () => tail(apiserver.log, 20),
    );
    fs.writeFileSync(
      paths.kubeconfig,
      kubeconfigYaml(server, certs.caCert, creds.adminToken),
      { mode: 0o600 },
    );
    // Each component has a user of its own, so the audit log tells their
    // requests from those of tests.
    const componentKubeconfig = (name: string, token: string) => {
      const file = path.join(paths.state, `${name}.kubeconfig`);
      fs.writeFileSync(
        file,
        kubeconfigYaml(server, certs.caCert, token, name),
        {
          mode: 0o600,
        },
      );
      return file;
    };

    log('starting kube-controller-manager and kube-scheduler');
    const cmKubeconfig = componentKubeconfig(
      'controller-manager',
      creds.controllerManagerToken,
    );
    record(
      startDetached(
        'kube-controller-manager',
        bins['kube-controller-manager'],
        [
          `--kubeconfig=${cmKubeconfig}`,
          `--authentication-kubeconfig=${cmKubeconfig}`,
          `--authorization-kubeconfig=${cmKubeconfig}`,
          '--leader-elect=false',
          `--bind-address=${addresses.loopbackIp}`,
          `--secure-port=${ports.controllerManager}`,
          `--service-account-private-key-file=${creds.serviceAccountKey}`,
          `--root-ca-file=${certs.caCert}`,
          '--use-service-account-credentials=true',
          `--cluster-signing-cert-file=${certs.caCert}`,
          `--cluster-signing-key-file=${certs.caKey}`,
          `--service-cluster-ip-range=${addresses.serviceCidr}`,
          '--concurrent-statefulset-syncs=5',
          '--v=1',
        ],
        dirs.logs,
        {},
        { supervised: true },
      ),
    );
    const schedulerKubeconfig = componentKubeconfig(
      'scheduler',
      creds.schedulerToken,
    );
    record(
      startDetached(
        'kube-scheduler',
        bins['kube-scheduler'],
        [
          `--kubeconfig=${schedulerKubeconfig}`,
          `--authentication-kubeconfig=${schedulerKubeconfig}`,
          `--authorization-kubeconfig=${schedulerKubeconfig}`,
          '--leader-elect=false',
          `--bind-address=${addresses.loopbackIp}`,
          `--secure-port=${ports.scheduler}`,
          '--v=1',
        ],
        dirs.logs,
        {},
        { supervised: true },
      ),
    );

    await startNode({
      stateDir: paths.state,
      addresses,
      bins,
      images,
      kubeletKubeconfig: componentKubeconfig('kubelet', creds.kubeletToken),
      proxyKubeconfig: componentKubeconfig('kube-proxy', creds.kubeProxyToken),
      clientCaFile: certs.caCert,
      logDir: dirs.logs,
      log,
      record,
    });

    const admin = new k8s.KubeConfig();
    admin.loadFromFile(paths.kubeconfig);
    await applyObjects(
      admin,
      addonObjects({
        addresses,
        volumesDir: nodeDirs(paths.state).volumes,
        helperImage: 'curlimages/curl:8.11.1',
      }),
    );
    await waitFor(
      `node ${NODE_NAME} to be Ready`,
      () => nodeReady(admin),
      90_000,
      () => tail(path.join(dirs.logs, 'kubelet.log'), 20),
    );
    await waitFor(
      'kube-controller-manager (default service account)',
      () => defaultServiceAccountReady(paths.kubeconfig),
      60_000,
      () => tail(path.join(dirs.logs, 'kube-controller-manager.log'), 20),
    );
    const users = await createServiceAccountUsers({
      admin,
      root: paths.root,
      stateDir: paths.state,
      server,
      caFile: certs.caCert,
    });
    const crds = await applyCrds(admin, paths.root);
    if (crds.length > 0) log(`custom resources: ${crds.join(', ')}`);
    state.backend = users.backend;
    state.kubernetesPlugin = users.kubernetesPlugin;
    writeState(paths.state, state);
    await waitFor(
      `cluster DNS to answer at ${addresses.dnsIp}`,
      () => clusterDnsAnswers(addresses.dnsIp, serviceIp),
      120_000,
      () => tail(path.join(dirs.logs, 'kubelet.log'), 20),
    );
  } catch (error) {
    log(`start failed: ${(error as Error).message}`);
    await down({ log, stateDir: paths.state });
    throw error;
  }
  log(
    `ready in ${((Date.now() - t0) / 1000).toFixed(1)}s; node ${NODE_NAME} ` +
      `(${addresses.nodeIp}, pods ${addresses.podCidr}, Services ${addresses.serviceCidr})`,
  );
  log(`kubeconfig: ${paths.kubeconfig}`);
  if (state.auditLog) log(`audit log: ${state.auditLog}`);
  return infoOf(state, paths.state, true);
}

/**
 * Stops every process `up` started (frozen ones too), by the pids it
 * recorded or a restart replaced them with: the node first (its
 * containers, containerd's shims, mounts, cgroup and network namespace,
 * and the machine's settings its kubelet changed), then the control
 * plane; then removes the state folder (`.sandbox/`). Also cleans up after
 * a sandbox that was killed.
 *
 * @public
 */
export async function down(options: SandboxOptions = {}) {
  const log = options.log ?? defaultLog;
  const paths = sandboxPaths(options.stateDir);
  const state = readState(paths.state);
  const processes = state?.processes ?? [];
  const slot = state?.slot ?? slotHeldBy(paths.state);
  if (slot !== undefined) {
    await stopNode({
      stateDir: paths.state,
      addresses: nodeAddresses(slot),
      processes,
      log,
    });
  }
  const order: string[] = [...SANDBOX_PROCESSES].reverse();
  const controlPlane = processes
    .filter(p => !['containerd', 'kubelet', 'kube-proxy'].includes(p.name))
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  for (const p of controlPlane) {
    if (isAlive(p)) log(`stopping ${p.name} (pid ${p.pid})`);
    await stopManaged(p, 10_000);
  }
  if (slot !== undefined) releaseSlot(slot, paths.state);
  fs.rmSync(paths.state, { recursive: true, force: true });
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
  const stateOf = (p: ManagedProcess) => {
    if (!isAlive(p)) return 'STOPPED';
    // freeze stops the component, not its supervisor.
    const pid = componentProcess(p)?.pid ?? p.pid;
    return isStopped(pid) ? 'FROZEN (thaw it)' : 'running';
  };
  const lines = state.processes.map(
    p =>
      `${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${stateOf(p)}  log ${
        p.log
      }`,
  );
  const running =
    SANDBOX_PROCESSES.every(n => state.processes.some(p => p.name === n)) &&
    state.processes.every(p => isAlive(p));
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
