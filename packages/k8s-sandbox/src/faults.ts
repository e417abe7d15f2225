import path from 'node:path';
import {
  adminToken,
  apiServerCaFile,
  apiServerHealthy,
  controllerManagerHealthy,
  etcdHealthy,
  flag,
} from './health';
import { containerdHealthy, nodeComponentHealthy } from './node/health';
import { holdSysctls } from './node/hostSysctls';
import { sandboxPaths } from './paths';
import {
  isAlive,
  isStopped,
  componentProcess,
  ManagedProcess,
  signalProcess,
  sleep,
  startDetached,
  stopManaged,
  tail,
  waitFor,
} from './processes';
import { lockState, readState, SANDBOX_PROCESSES, writeState } from './state';

/**
 * A process of the sandbox that faults can be injected into.
 *
 * @public
 */
export type SandboxComponent = (typeof SANDBOX_PROCESSES)[number];

/**
 * A component `restart` can start again: every one. Containers outlive a
 * restart of the kubelet or of containerd, as on any node.
 *
 * @public
 */
export type RestartableComponent = SandboxComponent;

/**
 * Which sandbox a fault is injected into.
 *
 * @public
 */
export interface SandboxFaultOptions {
  /** The sandbox's state folder; defaults as in `up`. */
  stateDir?: string;
}

/**
 * What `restart` did.
 *
 * @public
 */
export interface SandboxRestart {
  /** The new process. */
  pid: number;
  /** From the stop (or start, when it was not running) to healthy again. */
  tookMs: number;
}

const RESTARTABLE: readonly string[] = SANDBOX_PROCESSES;

function find(component: SandboxComponent, options: SandboxFaultOptions) {
  const stateDir = sandboxPaths(options.stateDir).state;
  const state = readState(stateDir);
  if (!state) throw new Error(`no sandbox runs in ${stateDir}`);
  const recorded = state.processes.find(p => p.name === component);
  if (!recorded)
    throw new Error(`the sandbox in ${stateDir} has no ${component}`);
  return { stateDir, state, recorded };
}

/** Signals the component itself (not its supervisor); returns its pid. */
function signal(recorded: ManagedProcess, name: NodeJS.Signals): number {
  const component = componentProcess(recorded);
  if (!component || !signalProcess(component, name)) {
    throw new Error(`${recorded.name} is not running (pid ${recorded.pid})`);
  }
  return component.pid;
}

/**
 * Freezes a component with SIGSTOP: its sockets stay open, so clients wait
 * rather than fail (a request to a frozen API server times out on the
 * client's own deadline). Resolves once the kernel reports it stopped.
 *
 * @public
 */
export async function freeze(
  component: SandboxComponent,
  options: SandboxFaultOptions = {},
): Promise<void> {
  const { recorded } = find(component, options);
  const pid = signal(recorded, 'SIGSTOP');
  await waitFor(`${component} to stop`, async () => isStopped(pid), 5_000);
}

/**
 * Thaws a component frozen by {@link freeze} with SIGCONT; it carries on
 * where it stopped, answering the requests that waited.
 *
 * @public
 */
export async function thaw(
  component: SandboxComponent,
  options: SandboxFaultOptions = {},
): Promise<void> {
  const { recorded } = find(component, options);
  const pid = signal(recorded, 'SIGCONT');
  await waitFor(`${component} to continue`, async () => !isStopped(pid), 5_000);
}

/**
 * Kills a component with SIGKILL (frozen or not) and resolves once it is
 * gone. The state file keeps its entry, so `status` reports it STOPPED and
 * {@link restart} can start it again. Killing the kubelet or containerd
 * leaves the containers running, as on any node; `down` stops them.
 *
 * @public
 */
export async function kill(
  component: SandboxComponent,
  options: SandboxFaultOptions = {},
): Promise<void> {
  const { recorded } = find(component, options);
  // The supervisor first, so that it does not start the component again.
  const own = componentProcess(recorded);
  for (const p of own === recorded ? [recorded] : [recorded, own]) {
    if (!p || !signalProcess(p, 'SIGKILL')) continue;
    while (isAlive(p)) await sleep(20);
  }
}

/**
 * Starts a component again with exactly the command line, ports,
 * certificates and data it had (etcd keeps its data folder, so every object
 * survives), after stopping it if it still runs, frozen or not (SIGTERM, and
 * SIGKILL after 3 s),
 * and records the new pid for `status` and `down`. Resolves once it is
 * healthy: etcd's /health, the API server's /readyz with the admin token, the
 * controller manager's /healthz. After etcd, it also waits for the API
 * server's /readyz when the API server runs and is not frozen, so the
 * cluster answers again when it resolves.
 *
 * @public
 */
export async function restart(
  component: RestartableComponent,
  options: SandboxFaultOptions = {},
): Promise<SandboxRestart> {
  if (!RESTARTABLE.includes(component)) {
    throw new Error(`${component} cannot be restarted`);
  }
  const stateDir = sandboxPaths(options.stateDir).state;
  const release = await lockState(stateDir);
  try {
    const { state, recorded } = find(component, { stateDir });
    if (!recorded.command || !recorded.args) {
      throw new Error(
        `${component} was started by an older sandbox that did not record its command line; run down, then up`,
      );
    }
    const t0 = Date.now();
    // The API server's graceful stop waits for open watches for up to a
    // minute; a few seconds of it is enough to show a client a clean stop.
    await stopManaged(recorded, 3_000);
    const started = startDetached(
      component,
      recorded.command,
      recorded.args,
      path.dirname(recorded.log),
      recorded.env,
      { supervised: !!recorded.childPidFile },
    );
    state.processes = state.processes.map(p =>
      p.name === component ? started : p,
    );
    writeState(stateDir, state);
    if (component === 'kubelet') holdSysctls(stateDir, started);

    const api = () =>
      apiServerHealthy(
        state.server,
        apiServerCaFile(stateDir),
        adminToken(stateDir),
      );
    const servesHealthz = () =>
      controllerManagerHealthy(
        flag(recorded.args, 'bind-address')!,
        Number(flag(recorded.args, 'secure-port')),
      );
    const healthy: Record<RestartableComponent, () => Promise<boolean>> = {
      etcd: () => etcdHealthy(flag(recorded.args, 'listen-client-urls')!),
      'kube-apiserver': api,
      'kube-controller-manager': servesHealthz,
      'kube-scheduler': servesHealthz,
      containerd: () => containerdHealthy(state.slot!),
      kubelet: () => nodeComponentHealthy(state.slot!, 10248),
      'kube-proxy': () => nodeComponentHealthy(state.slot!, 10256),
    };
    await waitFor(
      `${component} to be healthy again`,
      async () => isAlive(started) && (await healthy[component]()),
      60_000,
      () => tail(started.log, 20),
    );
    const apiserver = state.processes.find(p => p.name === 'kube-apiserver');
    if (
      component === 'etcd' &&
      apiserver &&
      isAlive(apiserver) &&
      !isStopped(apiserver.pid)
    ) {
      await waitFor('kube-apiserver to reach etcd again', api, 60_000, () =>
        tail(apiserver.log, 20),
      );
    }
    return { pid: started.pid, tookMs: Date.now() - t0 };
  } finally {
    release();
  }
}
