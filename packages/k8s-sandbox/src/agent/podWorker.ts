import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';

import { sleep } from '../processes';
import { isTransient, retryDelayMs, statusOf } from './apiErrors';
import { EventRecorder } from './events';
import { clusterHostsFile } from './clusterDns';
import { CommandContainer, ContainerMount } from './commandContainer';
import { expandCommand } from './expansion';
import {
  clientRuntime,
  containerCommand,
  pullError,
  runsServer,
  serverRuntime,
  serverVersions,
} from './images';
import { IpAllocator, refusedAddress } from './ipAllocator';
import { MysqlServer } from './mysqlServer';
import {
  hostPathFor,
  podFields,
  resolveEnv,
  resolveFileEnv,
  writeMountedFiles,
} from './podFiles';
import {
  ContainerState,
  InitRun,
  initContainerStatus,
  initializedCondition,
  notRunStatus,
  PullFailure,
  pullingStatus,
} from './podStatus';
import { runProbe } from './probes';
import { writeClientShims } from './shims';

/** What every pod worker shares. */
export interface WorkerDeps {
  core: k8s.CoreV1Api;
  /** For EndpointSlices, which 1.20 serves only as discovery.k8s.io/v1beta1. */
  objects: k8s.KubernetesObjectApi;
  events: EventRecorder;
  ips: IpAllocator;
  stateDir: string;
  log: (line: string) => void;
}

const MAX_BACKOFF_MS = 300_000;
const BASE_BACKOFF_MS = Number(process.env.SANDBOX_BACKOFF_BASE_MS ?? 10_000);
const MERGE_PATCH = k8s.setHeaderOptions(
  'Content-Type',
  k8s.PatchStrategy.MergePatch,
);

/**
 * The kubelet's job for one pod: runs its init containers one after the
 * other, then its MySQL container as the server of its family, or, when the
 * container of a MySQL-family or curl image has a command of its own (a
 * Job's dump, upload or restore), that command (see CommandContainer);
 * other containers are reported running without running anything. It
 * probes the server, restarts the container with back-off as the restart
 * policy says, and stops it when the pod is deleted. A server image whose
 * tag names a version the sandbox does not have is never run: it fails to
 * pull, as on a kubelet.
 */
export class PodWorker {
  private pod: k8s.V1Pod;
  private queue: Promise<void> = Promise.resolve();
  private started = false;
  private terminating = false;
  private disposed = false;
  private shuttingDown = false;
  /** Bumped on every container start and stop; stale timers check it. */
  private generation = 0;
  private timers = new Set<NodeJS.Timeout>();
  private server?: MysqlServer;
  private job?: CommandContainer;
  /** What runs, as the container status's `imageID`. */
  private imageID?: string;
  /** Whether the startup probe (if any) has succeeded for this start. */
  private startupDone = false;
  private ip?: string;
  private ready = false;
  private restartCount = 0;
  private failures = 0;
  private state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  private lastState: ContainerState = {};
  /** Init containers by name, as they ran. */
  private readonly initRuns = new Map<string, InitRun>();
  /** When every init container had completed; unset until then. */
  private initializedAt?: string;
  /** A container whose image cannot be pulled, and how its pull stands. */
  private pullFailure?: PullFailure;
  private readyChangedAt = new Date().toISOString();
  /** The phase last reported, for a status report that has to be repeated. */
  private phase = 'Running';
  /** Attempts of a status report the API server did not take; 0 when none is pending. */
  private statusAttempts = 0;
  private readonly startTime = new Date().toISOString();
  private readonly runDir: string;

  constructor(private readonly deps: WorkerDeps, pod: k8s.V1Pod) {
    this.pod = pod;
    this.runDir = path.join(deps.stateDir, 'pods', pod.metadata!.uid!);
  }

  private get name() {
    return `${this.pod.metadata!.namespace}/${this.pod.metadata!.name}`;
  }

  /** The container the agent runs: the server, or else a MySQL-family command. */
  private get mainContainer() {
    const containers = this.pod.spec!.containers;
    return (
      containers.find(c => runsServer(c.image) && !containerCommand(c)) ??
      containers.find(c => containerCommand(c))
    );
  }

  /** The process of the container that runs, whichever kind it is. */
  private get process() {
    return this.server ?? this.job;
  }

  private enqueue(work: () => Promise<void>) {
    this.queue = this.queue
      .then(work)
      .catch(error =>
        this.deps.log(`${this.name}: ${(error as Error).stack ?? error}`),
      );
  }

  private later(ms: number, work: () => Promise<void>) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.disposed) work();
    }, ms);
    this.timers.add(timer);
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string) {
    return this.deps.events.record(
      { kind: 'Pod', apiVersion: 'v1', metadata: this.pod.metadata },
      type,
      reason,
      message,
    );
  }

  /** Takes the pod's latest version from the watch. */
  update(pod: k8s.V1Pod) {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp) {
      if (!this.terminating) {
        this.terminating = true;
        this.enqueue(() => this.terminate());
      }
    } else if (!this.started) {
      this.started = true;
      const phase = pod.status?.phase;
      // As a kubelet: a pod that ran to its end (before the agent
      // restarted) is not run again; a Job's dump would be taken twice.
      if (phase === 'Succeeded' || phase === 'Failed') {
        if (this.deps.ips.owns(pod.status?.podIP)) this.ip = pod.status!.podIP;
        return;
      }
      this.enqueue(() => this.startPod());
    }
  }

  private get initContainers() {
    return this.pod.spec!.initContainers ?? [];
  }

  private async startPod() {
    fs.mkdirSync(this.runDir, { recursive: true });
    const known = this.pod.status?.podIP;
    if (this.deps.ips.owns(known)) {
      this.deps.ips.reserve(known!);
      this.ip = known;
    } else {
      this.ip = this.deps.ips.allocate();
    }
    if (this.initContainers.length > 0) {
      this.phase = 'Pending';
      this.state = { waiting: { reason: 'PodInitializing' } };
    } else {
      this.initializedAt = this.startTime;
    }
    if (await this.failPulls()) return;
    await this.pushStatus();
    if (this.initContainers.length > 0) {
      await this.startInit(0);
    } else {
      await this.startMain();
    }
  }

  /**
   * Reports the first container whose image the sandbox cannot run as a
   * kubelet reports an image it cannot pull, and keeps retrying the pull
   * with back-off, as a kubelet does; the pod never runs. Answers whether
   * there was one.
   */
  private async failPulls() {
    const versions = serverVersions();
    const container = [
      ...this.initContainers,
      ...this.pod.spec!.containers,
    ].find(c => pullError(c.image, versions));
    if (!container) return false;
    const message = pullError(container.image, versions)!;
    const pull = async (attempt: number) => {
      if (this.terminating) return;
      this.pullFailure = {
        container: container.name,
        reason: 'ErrImagePull',
        message,
      };
      await this.event(
        'Normal',
        'Pulling',
        `Pulling image "${container.image}"`,
      );
      await this.event('Warning', 'Failed', message);
      await this.event('Warning', 'Failed', 'Error: ErrImagePull');
      await this.pushStatus('Pending');
      const backoff = Math.min(BASE_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS);
      this.later(Math.min(1000, backoff), async () =>
        this.enqueue(async () => {
          if (this.terminating) return;
          this.pullFailure = {
            container: container.name,
            reason: 'ImagePullBackOff',
            message: `Back-off pulling image "${container.image}": ${message}`,
          };
          await this.event(
            'Normal',
            'BackOff',
            `Back-off pulling image "${container.image}"`,
          );
          await this.event('Warning', 'Failed', 'Error: ImagePullBackOff');
          await this.pushStatus();
        }),
      );
      this.later(backoff, async () => this.enqueue(() => pull(attempt + 1)));
    };
    await pull(0);
    return true;
  }

  /**
   * Runs init container `index`; each one that completes starts the next,
   * and the last the pod's containers (see onInitExit).
   */
  private async startInit(index: number) {
    if (this.terminating || this.disposed) return;
    const generation = ++this.generation;
    const container = this.initContainers[index];
    const prior = this.initRuns.get(container.name);
    const startedAt = new Date().toISOString();
    if (!containerCommand(container)) {
      // As for other containers of images it cannot run: reported, not run.
      this.initRuns.set(container.name, {
        imageID: 'sandbox://not-run',
        restartCount: 0,
        state: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt,
            finishedAt: startedAt,
          },
        },
        lastState: {},
      });
      await this.event(
        'Normal',
        'Started',
        `Init container ${container.name} not run by the sandbox: it runs no command of ${container.image}`,
      );
      await this.afterInit(index);
      return;
    }
    this.job = undefined;
    try {
      const { job, runtime } = await this.commandContainer(
        container,
        `init-${container.name}.log`,
      );
      if (this.terminating || generation !== this.generation) return;
      this.job = job;
      job.start(code =>
        this.enqueue(() => this.onInitExit(generation, index, code)),
      );
      this.initRuns.set(container.name, {
        imageID: runtime.imageID,
        containerID: `sandbox://${job.pid}`,
        restartCount: prior?.restartCount ?? 0,
        state: { running: { startedAt } },
        lastState: prior?.lastState ?? {},
      });
      await this.event(
        'Normal',
        'Started',
        `Started init container ${container.name} (${runtime.family} clients, pid ${job.pid})`,
      );
      await this.pushStatus();
    } catch (error) {
      if (generation !== this.generation) return;
      fs.appendFileSync(
        path.join(this.runDir, 'error.log'),
        `${(error as Error).message}\n`,
      );
      this.initRuns.set(container.name, {
        imageID: prior?.imageID ?? '',
        restartCount: prior?.restartCount ?? 0,
        state: { running: { startedAt } },
        lastState: prior?.lastState ?? {},
      });
      await this.onInitExit(generation, index, 1);
    }
  }

  /** The next init container, or, after the last, the pod's containers. */
  private async afterInit(index: number) {
    if (index + 1 < this.initContainers.length) {
      await this.pushStatus();
      await this.startInit(index + 1);
      return;
    }
    this.initializedAt = new Date().toISOString();
    this.phase = 'Running';
    this.state = { waiting: { reason: 'ContainerCreating' } };
    await this.pushStatus();
    await this.startMain();
  }

  /**
   * As the kubelet: an init container that fails fails the pod under
   * `restartPolicy: Never`, and is run again with back-off otherwise.
   */
  private async onInitExit(
    generation: number,
    index: number,
    code: number | null,
  ) {
    if (generation !== this.generation || this.terminating || this.disposed)
      return;
    this.generation++;
    const container = this.initContainers[index];
    const run = this.initRuns.get(container.name)!;
    const errorLog = path.join(this.runDir, 'error.log');
    const errors =
      this.job?.lastErrors() ??
      (fs.existsSync(errorLog)
        ? fs.readFileSync(errorLog, 'utf8').slice(-2000)
        : '');
    run.state = {
      terminated: {
        exitCode: code ?? 137,
        reason: code === 0 ? 'Completed' : 'Error',
        message: this.terminationMessage(container, code, errors),
        startedAt: run.state.running?.startedAt ?? new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        containerID: run.containerID,
      },
    };
    this.job = undefined;
    if (code === 0) {
      await this.afterInit(index);
      return;
    }
    if ((this.pod.spec!.restartPolicy ?? 'Always') === 'Never') {
      await this.pushStatus('Failed');
      return;
    }
    const backoff = Math.min(
      BASE_BACKOFF_MS * 2 ** this.failures,
      MAX_BACKOFF_MS,
    );
    this.failures++;
    run.lastState = run.state;
    run.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${backoff / 1000}s restarting failed container=${
          container.name
        } pod=${this.pod.metadata!.name}`,
      },
    };
    await this.event(
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${container.name} in pod ${
        this.pod.metadata!.name
      }`,
    );
    await this.pushStatus();
    this.later(backoff, async () =>
      this.enqueue(async () => {
        if (this.terminating) return;
        run.restartCount++;
        await this.startInit(index);
      }),
    );
  }

  /** Starts the pod's containers: the one the agent runs (see mainContainer). */
  private async startMain() {
    const container = this.mainContainer;
    if (!container) {
      this.state = { running: { startedAt: new Date().toISOString() } };
      this.ready = true;
      await this.event(
        'Normal',
        'Started',
        'Not run by the sandbox: the image is not a MySQL server',
      );
      await this.pushStatus();
      return;
    }
    await this.event(
      'Normal',
      'Pulled',
      containerCommand(container)
        ? `Container image "${container.image}" runs its command with the sandbox's client programs on this node`
        : `Container image "${container.image}" stands for mariadbd on this node`,
    );
    await this.startContainer(container);
  }

  private async waitForVolumes(
    container: k8s.V1Container,
    mountPath = '/var/lib/mysql',
  ) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        return await hostPathFor(
          this.deps.core,
          this.pod,
          container,
          mountPath,
          this.runDir,
        );
      } catch (error) {
        if (Date.now() > deadline || this.terminating) throw error;
        await sleep(500);
      }
    }
  }

  private async startContainer(container: k8s.V1Container) {
    if (this.terminating || this.disposed) return;
    const generation = ++this.generation;
    if (containerCommand(container)) {
      await this.startCommand(container, generation);
      return;
    }
    try {
      const datadir = await this.waitForVolumes(container);
      const rootfs = path.join(this.runDir, 'rootfs');
      await writeMountedFiles(this.deps.core, this.pod, container, rootfs);
      const env = resolveFileEnv(
        await resolveEnv(
          this.deps.core,
          this.pod.metadata!.namespace!,
          container,
        ),
        rootfs,
      );
      const port =
        container.ports?.find(p => p.name === 'mysql')?.containerPort ?? 3306;
      const runtime = serverRuntime(container.image ?? '');
      this.imageID = runtime.imageID;
      if (runtime.fallback) {
        await this.event(
          'Warning',
          'MariaDBFallback',
          `${container.image} runs as MariaDB: ${runtime.fallback}`,
        );
      }
      const server = new MysqlServer({
        runDir: this.runDir,
        rootfs,
        datadir,
        ip: this.ip!,
        port,
        env,
        runtime,
      });
      this.server = server;
      const shimPath = writeClientShims(this.runDir, server.socket);
      if (server.needsInit()) {
        const initDir = path.join(rootfs, 'docker-entrypoint-initdb.d');
        const scripts = fs.existsSync(initDir)
          ? fs
              .readdirSync(initDir)
              .sort()
              .map(f => path.join(initDir, f))
          : [];
        await server.initialise(scripts, shimPath);
      }
      if (this.terminating || generation !== this.generation) return;
      server.start(code => this.enqueue(() => this.onExit(generation, code)));
      this.state = { running: { startedAt: new Date().toISOString() } };
      this.startupDone = !container.startupProbe;
      this.setReady(!container.readinessProbe && !container.startupProbe);
      await this.event(
        'Normal',
        'Started',
        `Started container ${container.name} (${runtime.family} pid ${server.pid})`,
      );
      await this.pushStatus();
      const ctx = { ip: this.ip!, env, shimPath, container };
      const others = () => {
        if (container.readinessProbe)
          this.probe('Readiness', container.readinessProbe, ctx, generation);
        if (container.livenessProbe)
          this.probe('Liveness', container.livenessProbe, ctx, generation);
      };
      // As the kubelet: readiness and liveness wait for the startup probe.
      if (container.startupProbe) {
        this.probe('Startup', container.startupProbe, ctx, generation, others);
      } else {
        others();
      }
    } catch (error) {
      if (generation !== this.generation) return;
      fs.appendFileSync(
        path.join(this.runDir, 'error.log'),
        `${(error as Error).message}\n`,
      );
      await this.onExit(generation, 1);
    }
  }

  /**
   * The container's mounts, as host folders or files: each PVC's volume, a
   * hostPath or emptyDir folder, and the files of ConfigMaps and Secrets
   * (written under `rootfs` first).
   */
  private async containerMounts(
    container: k8s.V1Container,
    rootfs: string,
  ): Promise<ContainerMount[]> {
    await writeMountedFiles(this.deps.core, this.pod, container, rootfs);
    const mounts: ContainerMount[] = [];
    for (const mount of container.volumeMounts ?? []) {
      const volume = this.pod.spec!.volumes?.find(v => v.name === mount.name);
      if (!volume) continue;
      const target = path.posix.normalize(mount.mountPath);
      let source: string;
      if (volume.configMap || volume.secret) {
        source = path.join(rootfs, target);
        if (!fs.existsSync(source)) {
          if (mount.subPath) continue;
          fs.mkdirSync(source, { recursive: true });
        }
      } else if (
        volume.persistentVolumeClaim ||
        volume.hostPath ||
        volume.emptyDir
      ) {
        source = await this.waitForVolumes(container, target);
      } else {
        continue;
      }
      mounts.push({ source, target, readOnly: mount.readOnly });
    }
    return mounts;
  }

  /** The pod's /etc/hosts: cluster DNS names of every Service, as now. */
  private async hostsFile() {
    const [services, slices] = await Promise.all([
      this.deps.core.listServiceForAllNamespaces(),
      this.deps.objects.list<k8s.V1EndpointSlice>(
        'discovery.k8s.io/v1beta1',
        'EndpointSlice',
      ),
    ]);
    const { name, namespace } = this.pod.metadata!;
    return clusterHostsFile({
      pod: {
        name: name!,
        namespace: namespace!,
        ip: this.ip!,
        hostname: this.pod.spec?.hostname,
        subdomain: this.pod.spec?.subdomain,
      },
      services: services.items,
      endpointSlices: slices.items,
      refusedAddress: refusedAddress(this.deps.stateDir),
    });
  }

  /**
   * A container that runs its own command, with the client programs of its
   * image (see clientRuntime), not started yet.
   */
  private async commandContainer(container: k8s.V1Container, logName?: string) {
    const rootfs = path.join(this.runDir, 'rootfs');
    const mounts = await this.containerMounts(container, rootfs);
    const env = await resolveEnv(
      this.deps.core,
      this.pod.metadata!.namespace!,
      container,
      podFields(this.pod, this.ip),
    );
    const runtime = clientRuntime(container.image ?? '');
    if (runtime.fallback) {
      await this.event(
        'Warning',
        runtime.family === 'curl' ? 'CurlFallback' : 'MariaDBFallback',
        runtime.family === 'curl'
          ? `${container.image} runs with the machine's curl: ${runtime.fallback}`
          : `${container.image} runs with MariaDB's clients: ${runtime.fallback}`,
      );
    }
    const hosts = await this.hostsFile();
    const argv = expandCommand(containerCommand(container)!, env);
    const messagePath =
      container.terminationMessagePath ?? '/dev/termination-log';
    const job = new CommandContainer({
      runDir: this.runDir,
      argv,
      env: {
        HOSTNAME: this.pod.spec?.hostname ?? this.pod.metadata!.name!,
        HOME: '/root',
        ...env,
      },
      workingDir: container.workingDir,
      mounts: [
        ...runtime.mounts.map(m => ({ ...m, readOnly: true })),
        ...mounts,
      ],
      hosts,
      programs: runtime.programs,
      terminationLog: {
        source: path.join(rootfs, messagePath),
        target: messagePath,
      },
      logName,
    });
    return { job, runtime };
  }

  /** Starts a container that runs its own command instead of the server. */
  private async startCommand(container: k8s.V1Container, generation: number) {
    this.job = undefined;
    try {
      const { job, runtime } = await this.commandContainer(container);
      this.imageID = runtime.imageID;
      if (this.terminating || generation !== this.generation) return;
      this.job = job;
      job.start(code => this.enqueue(() => this.onExit(generation, code)));
      this.state = { running: { startedAt: new Date().toISOString() } };
      this.startupDone = true;
      this.setReady(true);
      await this.event(
        'Normal',
        'Started',
        `Started container ${container.name} (${runtime.family} clients, pid ${job.pid})`,
      );
      await this.pushStatus();
    } catch (error) {
      if (generation !== this.generation) return;
      fs.appendFileSync(
        path.join(this.runDir, 'error.log'),
        `${(error as Error).message}\n`,
      );
      await this.onExit(generation, 1);
    }
  }

  private setReady(ready: boolean) {
    if (ready !== this.ready) {
      this.ready = ready;
      this.readyChangedAt = new Date().toISOString();
      if (ready) this.failures = 0;
    }
  }

  private probe(
    kind: 'Startup' | 'Readiness' | 'Liveness',
    probe: k8s.V1Probe,
    ctx: Parameters<typeof runProbe>[1],
    generation: number,
    onStarted?: () => void,
  ) {
    const period = (probe.periodSeconds ?? 10) * 1000;
    const failureThreshold = probe.failureThreshold ?? 3;
    const successThreshold = probe.successThreshold ?? 1;
    let failures = 0;
    let successes = 0;
    const tick = async () => {
      if (generation !== this.generation || this.terminating) return;
      const result = await runProbe(probe, ctx);
      if (generation !== this.generation || this.terminating) return;
      if (result.ok) {
        successes++;
        failures = 0;
      } else {
        failures++;
        successes = 0;
        await this.event(
          'Warning',
          'Unhealthy',
          `${kind} probe failed: ${result.message}`,
        );
      }
      if (kind === 'Startup' && successes >= 1) {
        this.startupDone = true;
        await this.pushStatus();
        onStarted?.();
        return;
      }
      if (kind === 'Readiness') {
        const ready = result.ok
          ? successes >= successThreshold || this.ready
          : failures < failureThreshold && this.ready;
        if (ready !== this.ready) {
          this.setReady(ready);
          await this.pushStatus();
        }
      } else if (failures >= failureThreshold) {
        await this.event(
          'Normal',
          'Killing',
          `Container ${
            ctx.container.name
          } failed ${kind.toLowerCase()} probe, will be restarted`,
        );
        this.enqueue(async () => {
          if (generation !== this.generation) return;
          await this.server?.stop(30_000);
          await this.onExit(generation, 137);
        });
        return;
      }
      this.later(period, () => tick());
    };
    this.later((probe.initialDelaySeconds ?? 0) * 1000, () => tick());
  }

  /**
   * What a kubelet reports as the terminated container's message: the file
   * the container wrote at /dev/termination-log, or, with
   * `FallbackToLogsOnError`, the last lines of its log when it failed.
   */
  private terminationMessage(
    container: k8s.V1Container,
    code: number | null,
    errors: string,
  ) {
    const file = path.join(
      this.runDir,
      'rootfs',
      container.terminationMessagePath ?? '/dev/termination-log',
    );
    const written = fs.existsSync(file)
      ? fs.readFileSync(file, 'utf8').slice(-4096)
      : '';
    // As the kubelet: the log stands in only for an empty file.
    return !written &&
      container.terminationMessagePolicy === 'FallbackToLogsOnError' &&
      code !== 0
      ? errors
      : written;
  }

  private async onExit(generation: number, code: number | null) {
    if (generation !== this.generation || this.terminating || this.disposed)
      return;
    this.generation++;
    const container = this.mainContainer!;
    const startedAt =
      (this.state.running?.startedAt as string) ?? new Date().toISOString();
    const errorLog = path.join(this.runDir, 'error.log');
    const errors =
      this.process?.lastErrors() ??
      (fs.existsSync(errorLog)
        ? fs.readFileSync(errorLog, 'utf8').slice(-2000)
        : '');
    this.setReady(false);
    this.lastState = {
      terminated: {
        exitCode: code ?? 137,
        reason: code === 0 ? 'Completed' : 'Error',
        message: this.terminationMessage(container, code, errors),
        startedAt,
        finishedAt: new Date().toISOString(),
        containerID: `sandbox://${this.process?.pid ?? 0}`,
      },
    };
    const policy = this.pod.spec!.restartPolicy ?? 'Always';
    if (policy === 'Never' || (policy === 'OnFailure' && code === 0)) {
      this.state = this.lastState;
      this.lastState = {};
      await this.pushStatus(code === 0 ? 'Succeeded' : 'Failed');
      return;
    }
    const backoff = Math.min(
      BASE_BACKOFF_MS * 2 ** this.failures,
      MAX_BACKOFF_MS,
    );
    this.failures++;
    this.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${backoff / 1000}s restarting failed container=${
          container.name
        } pod=${this.pod.metadata!.name}`,
      },
    };
    await this.event(
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${container.name} in pod ${
        this.pod.metadata!.name
      }`,
    );
    await this.pushStatus();
    this.later(backoff, async () =>
      this.enqueue(async () => {
        if (this.terminating) return;
        this.restartCount++;
        await this.startContainer(container);
      }),
    );
  }

  private async terminate() {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const grace =
      this.pod.metadata?.deletionGracePeriodSeconds ??
      this.pod.spec?.terminationGracePeriodSeconds ??
      30;
    const running = this.process;
    if (running?.pid) {
      await this.event(
        'Normal',
        'Killing',
        `Stopping container ${this.mainContainer?.name}`,
      );
      await running.stop(grace * 1000);
    }
    this.cleanUp();
    // The StatefulSet controller waits for this confirmation before it makes
    // the pod again, so it is repeated until the API server takes it.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.core.deleteNamespacedPod({
          name: this.pod.metadata!.name!,
          namespace: this.pod.metadata!.namespace!,
          body: {
            gracePeriodSeconds: 0,
            preconditions: { uid: this.pod.metadata!.uid },
          },
        });
        return;
      } catch (error) {
        if (statusOf(error) === 404) return;
        if (!isTransient(error) || this.shuttingDown) throw error;
        if (attempt === 0) {
          this.deps.log(
            `${this.name}: confirming the deletion failed, retrying: ${
              (error as Error).message
            }`,
          );
        }
        await sleep(retryDelayMs(attempt));
      }
    }
  }

  private cleanUp() {
    this.disposed = true;
    this.deps.ips.release(this.ip);
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }

  /** The pod is gone from the API: stop whatever still runs. */
  dispose() {
    this.terminating = true;
    this.enqueue(async () => {
      if (this.disposed) return;
      this.generation++;
      for (const timer of this.timers) clearTimeout(timer);
      await this.process?.stop(10_000);
      this.cleanUp();
    });
  }

  /** The agent is stopping: stop the server gracefully, keep the pod. */
  async shutdown() {
    this.shuttingDown = true;
    this.terminating = true;
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    await this.queue;
    await this.process?.stop(30_000);
  }

  /**
   * Reports the container's state as the pod's status. A report the API
   * server did not take (it was away) is repeated, with whatever the state
   * is by then, until one is taken: nothing else would bring the pod's
   * status up to date.
   */
  private async pushStatus(phase = this.phase) {
    if (this.disposed) return;
    this.phase = phase;
    const ready = this.ready ? 'True' : 'False';
    const pull = this.pullFailure;
    const containerStatuses = this.pod.spec!.containers.map(c =>
      this.containerStatus(c),
    );
    const status = {
      phase,
      hostIP: '127.0.0.1',
      podIP: this.ip,
      podIPs: this.ip ? [{ ip: this.ip }] : undefined,
      startTime: this.startTime,
      conditions: [
        initializedCondition(
          this.initContainers,
          this.initRuns,
          this.initializedAt,
          this.startTime,
        ),
        {
          type: 'Ready',
          status: ready,
          lastTransitionTime: this.readyChangedAt,
        },
        {
          type: 'ContainersReady',
          status: ready,
          lastTransitionTime: this.readyChangedAt,
        },
        {
          type: 'PodScheduled',
          status: 'True',
          lastTransitionTime: this.startTime,
        },
      ],
      containerStatuses,
      initContainerStatuses: this.initContainers.map(c =>
        c.name === pull?.container
          ? pullingStatus(c, pull)
          : initContainerStatus(c, this.initRuns.get(c.name)),
      ),
    };
    try {
      await this.deps.core.patchNamespacedPodStatus(
        {
          name: this.pod.metadata!.name!,
          namespace: this.pod.metadata!.namespace!,
          body: { status },
        },
        MERGE_PATCH,
      );
      this.statusAttempts = 0;
    } catch (error) {
      if (statusOf(error) === 404) return;
      if (!isTransient(error)) {
        this.deps.log(
          `${this.name}: status update failed: ${(error as Error).message}`,
        );
        return;
      }
      // One repeat pending at a time; a later report that succeeds ends it.
      if (this.statusAttempts === 0) {
        this.deps.log(
          `${this.name}: status update failed, retrying: ${
            (error as Error).message
          }`,
        );
      }
      const pending = this.statusAttempts > 0;
      this.statusAttempts++;
      if (!pending) this.repeatStatus();
    }
  }

  /** A container's status: the one the agent runs, or one it does not. */
  private containerStatus(c: k8s.V1Container) {
    const initialized = !!this.initializedAt;
    if (c.name === this.pullFailure?.container) {
      return pullingStatus(c, this.pullFailure);
    }
    if (c === this.mainContainer) {
      // While init containers run, the process is theirs.
      const pid = initialized ? this.process?.pid : undefined;
      return {
        name: c.name,
        image: c.image,
        imageID: this.imageID ?? 'sandbox://pending',
        containerID: pid ? `sandbox://${pid}` : undefined,
        ready: this.ready,
        started: 'running' in this.state && this.startupDone,
        restartCount: this.restartCount,
        state: this.state,
        lastState: this.lastState,
      };
    }
    return notRunStatus(c, initialized, this.startTime);
  }

  private repeatStatus() {
    this.later(retryDelayMs(this.statusAttempts - 1), async () =>
      this.enqueue(async () => {
        if (this.statusAttempts === 0) return;
        await this.pushStatus();
        if (this.statusAttempts > 0) this.repeatStatus();
      }),
    );
  }
}
