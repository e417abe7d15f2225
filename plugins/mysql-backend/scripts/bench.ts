/*
 * Benchmarks the MySQL backend plugin at scale, in a sandbox of its own
 * (started with the API server's audit log, stopped at the end):
 *
 *   yarn bench:mysql [--instances 1000] [--json] [--state-dir DIR]
 *                    [--verbose] [--profile DIR] [--mode restart|online]
 *
 * The fleet: 3 real MySQL servers on the sandbox's real node, and on nodes
 * that kwok simulates a tenth silent targets (a server that accepts and
 * never answers on the pod's address) and the rest pods that run no server,
 * all adopted by the real backend plugin (startTestBackend, the
 * real scheduler, PostgreSQL), which talks to the sandbox as its own
 * service account so that its requests can be counted in the audit log.
 *
 * Measures one poll cycle over every instance, GET detail and list through
 * the real router (and the fleet page's `?needsAttention=true&limit=50`), the backend's GET/LIST requests in an idle minute, and
 * what a configuration edit on a real server takes. Progress goes to
 * stderr; with --json the last line printed is one JSON object. --profile
 * writes CPU profiles of the reads, the poll cycles and the edits (they
 * run in this process, beside the backend).
 */
import {
  down,
  KWOK_VERSION,
  startSimulatedNodes,
  up,
} from '@mysql-portal/k8s-sandbox';
import { MYSQL_CONFIG_HASH_ANNOTATION } from '@mysql-portal/plugin-mysql-common';
import * as k8s from '@kubernetes/client-node';
import { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ROLLOUT_ANNOTATION } from '../src/service/rollout';
import { auditRequests } from './benchAudit';
import {
  BenchApi,
  benchPoller,
  createDatabase,
  POLLER,
  startBackend,
} from './benchBackend';
import {
  createSimulatedStorageClass,
  NAMESPACE,
  planFleet,
  PODS_PER_SIMULATED_NODE,
  progressSince,
  setUpFleet,
  templateToReadySeconds,
  startSilentServers,
} from './benchFleet';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
    'state-dir': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    profile: { type: 'string' },
    // The reconciler's mode: `online` applies the edits' dynamic variable
    // with SET GLOBAL, so no restart is issued and only read back is timed.
    mode: { type: 'string', default: 'restart' },
  },
});
const ONLINE = args.mode === 'online';
const INSTANCES = Number(args.instances);
const SAMPLES = 50;
const EDITS = [151, 152, 153];

const t0 = Date.now();
const progress = progressSince(t0);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 10) / 100;
const millis = (ms: number) => Math.round(ms * 10) / 10;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function timed<T>(work: () => Promise<T>) {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/** With --profile DIR, a CPU profile of `work` in DIR/<name>.cpuprofile. */
async function profiled<T>(name: string, work: () => Promise<T>) {
  if (!args.profile) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(args.profile, { recursive: true });
    fs.writeFileSync(
      path.join(args.profile, `${name}.cpuprofile`),
      JSON.stringify(profile),
    );
    session.disconnect();
  }
}

/**
 * The event loop's delay while `work` runs: how long the backend's own
 * callbacks (watch events, requests) waited because the process was busy.
 */
async function withLoopDelay<T>(work: () => Promise<T>) {
  // The histogram holds whole sampling intervals of 1 ms: the delay is the rest.
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    const value = await work();
    const delay = (ns: number) => millis(Math.max(0, ns / 1e6 - 1));
    return {
      value,
      loopDelayMs: {
        p50: delay(histogram.percentile(50)),
        p99: delay(histogram.percentile(99)),
        max: delay(histogram.max),
      },
    };
  } finally {
    histogram.disable();
  }
}

/** Live memory: the heap after a full garbage collection, and RSS then. */
async function memoryAfterGc() {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.collectGarbage');
  session.disconnect();
  const memory = process.memoryUsage();
  return {
    rssMiB: mib(memory.rss),
    heapUsedMiB: mib(memory.heapUsed),
    externalMiB: mib(memory.external),
  };
}

async function until<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Waits until the backend lists every instance, has polled each once (its
 * observation is in the database) and has nothing to reconcile.
 */
async function waitAdoptedAndPolled(
  api: BenchApi,
  knex: Knex,
  expected: number,
) {
  let last = '';
  await until(
    'every instance adopted and polled',
    async () => {
      const { items } = await api.list();
      const [{ polled }] = await knex('mysql_observations').count({
        polled: '*',
      });
      const phases: Record<string, number> = {};
      for (const item of items) {
        phases[item.status.phase] = (phases[item.status.phase] ?? 0) + 1;
      }
      const line = `backend lists ${
        items.length
      }/${expected}, polled ${polled}: ${JSON.stringify(phases)}`;
      if (line !== last) progress(line);
      last = line;
      return items.length === expected &&
        Number(polled) === expected &&
        !phases.Reconciling
        ? true
        : undefined;
    },
    30 * 60_000,
    2000,
  );
}

/**
 * Waits until every instance has its MysqlInstance with a status: the
 * backend makes them once, after the first poll, which is setup, not idle.
 */
async function waitResourcesWritten(kc: k8s.KubeConfig, expected: number) {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  let last = -1;
  await until(
    'every MysqlInstance with a status',
    async () => {
      const list = (await custom.listNamespacedCustomObject({
        group: 'mysql.backstage.io',
        version: 'v1alpha1',
        plural: 'mysqlinstances',
        namespace: NAMESPACE,
      })) as { items: Array<{ status?: { phase?: string } }> };
      const written = list.items.filter(i => i.status?.phase).length;
      if (written !== last)
        progress(`MysqlInstances with a status: ${written}`);
      last = written;
      return written === expected ? true : undefined;
    },
    30 * 60_000,
    2000,
  );
}

/** The backend user's requests by verb in one minute in which nothing happens. */
async function idleMinute(stateDir: string, user: string) {
  const since = new Date();
  await sleep(60_000);
  const until_ = new Date();
  await sleep(2000); // the audit log is written as responses finish
  const verbs: Record<string, number> = {};
  const byResource: Record<string, number> = {};
  for (const r of await auditRequests({
    stateDir,
    since,
    until: until_,
    user,
  })) {
    verbs[r.verb] = (verbs[r.verb] ?? 0) + 1;
    const key = `${r.verb} ${r.resource}`;
    byResource[key] = (byResource[key] ?? 0) + 1;
  }
  return {
    verbs,
    byResource,
    getList: (verbs.get ?? 0) + (verbs.list ?? 0),
  };
}

/** The fleet page's question: the first page of what needs attention. */
const FLEET_QUERY = 'needsAttention=true&limit=50';

async function latencies(api: BenchApi, names: string[]) {
  for (let i = 0; i < 5; i++) {
    await api.list();
    await api.detail(names[i % names.length]);
    await api.fleet(FLEET_QUERY);
  }
  const list: number[] = [];
  const detail: number[] = [];
  const fleet: number[] = [];
  let count = 0;
  let attention = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const l = await timed(() => api.list());
    list.push(l.ms);
    count = l.value.items.length;
    // Every kind of instance in turn, spread over the fleet.
    const name = names[(i * 37) % names.length];
    detail.push((await timed(() => api.detail(name))).ms);
    const f = await timed(() => api.fleet(FLEET_QUERY));
    fleet.push(f.ms);
    attention = f.value.totalCount;
  }
  return { list, detail, fleet, listed: count, attention };
}

/** One poll of every instance, as the plugin's poller does it, timed. */
async function pollCycles(
  knex: Parameters<typeof benchPoller>[0],
  kubeconfig: string,
  expected: number,
) {
  const { cache, poller } = await benchPoller(knex, kubeconfig);
  try {
    await until(
      'the bench poller to see every instance',
      async () =>
        cache.connected('bench') && cache.list().length === expected
          ? true
          : undefined,
      120_000,
    );
    // The first cycle reads each monitoring password once (a GET each).
    const cold = await timed(() => poller.pollDue());
    progress(`poll cycle with credentials to read: ${seconds(cold.ms)} s`);
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) {
      warm.push((await timed(() => poller.pollDue())).ms);
      progress(`poll cycle: ${seconds(warm[i])} s`);
    }
    return { cold: cold.ms, warm };
  } finally {
    await cache.stop();
  }
}

/**
 * Calls `onChange` with every version of one StatefulSet. The client's watch
 * ends after 30 s without events; this one starts again.
 */
async function followStatefulSet(
  kc: k8s.KubeConfig,
  name: string,
  onChange: (sts: k8s.V1StatefulSet) => void,
) {
  let stopped = false;
  let request: AbortController | undefined;
  const start = async () => {
    request = await new k8s.Watch(kc).watch(
      `/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets`,
      { fieldSelector: `metadata.name=${name}` },
      (_type, sts: k8s.V1StatefulSet) => onChange(sts),
      () => {
        // A failed start shows as an edit that times out.
        if (!stopped) start().catch(() => undefined);
      },
    );
  };
  await start();
  return () => {
    stopped = true;
    request?.abort();
  };
}

/**
 * PUT a new max_connections on a real server; times until the StatefulSet's
 * pod template carries the new config hash (the restart issued), and until
 * the detail's config.applied shows the value (read back from the server).
 */
async function edits(api: BenchApi, kc: k8s.KubeConfig, name: string) {
  let latest: k8s.V1StatefulSet | undefined;
  const listeners = new Set<(sts: k8s.V1StatefulSet) => void>();
  const stopWatching = await followStatefulSet(kc, name, sts => {
    latest = sts;
    for (const listener of listeners) listener(sts);
  });
  const hashOf = (sts?: k8s.V1StatefulSet) =>
    sts?.spec?.template.metadata?.annotations?.[MYSQL_CONFIG_HASH_ANNOTATION];
  const settled = () =>
    until(
      `${name} to settle`,
      async () => {
        const d = await api.detail(name);
        return d.status.phase === 'Running' &&
          d.config.pending.length === 0 &&
          !latest?.metadata?.annotations?.[ROLLOUT_ANNOTATION]
          ? d
          : undefined;
      },
      180_000,
      250,
    );
  const put: number[] = [];
  const issued: number[] = [];
  const readBack: number[] = [];
  /** Wall-clock times, to set beside the audit log's. */
  const wall: Array<{ startedAt: number; issuedAt: number }> = [];
  try {
    for (const value of EDITS) {
      const before = await settled();
      const hash = hashOf(latest);
      const restartIssued = new Promise<[number, number]>(resolve => {
        const listener = (sts: k8s.V1StatefulSet) => {
          if (hashOf(sts) === hash) return;
          listeners.delete(listener);
          resolve([performance.now(), Date.now()]);
        };
        listeners.add(listener);
      });
      const startedAt = Date.now();
      const start = performance.now();
      await api.putConfig(
        name,
        { max_connections: value },
        before.resourceVersion,
      );
      put.push(performance.now() - start);
      if (!ONLINE) {
        const [issuedTime, issuedAt] = await Promise.race([
          restartIssued,
          sleep(60_000).then(() => {
            throw new Error(`no restart issued for max_connections=${value}`);
          }),
        ]);
        issued.push(issuedTime - start);
        wall.push({ startedAt, issuedAt });
      }
      await until(
        `max_connections=${value} read back`,
        async () =>
          (await api.detail(name)).config.applied.max_connections ===
          String(value)
            ? true
            : undefined,
        120_000,
      );
      readBack.push(performance.now() - start);
      progress(
        `edit max_connections=${value}: PUT ${millis(put.at(-1)!)} ms, ${
          ONLINE ? 'online' : `restart issued ${millis(issued.at(-1)!)} ms`
        }, read back ${seconds(readBack.at(-1)!)} s`,
      );
    }
    await settled();
  } finally {
    stopWatching();
  }
  return { put, issued, readBack, wall };
}

/**
 * Where the time from PUT to restart issued goes, from the audit log: until
 * the API server received the backend's MysqlInstance update (spec.config),
 * from there until it received the reconciler's ConfigMap patch (the
 * render), from there until its StatefulSet patch, and from there until the
 * benchmark's watch saw the patched StatefulSet.
 */
async function editTimeline(
  stateDir: string,
  user: string,
  name: string,
  wall: Array<{ startedAt: number; issuedAt: number }>,
) {
  const requests = await auditRequests({
    stateDir,
    since: new Date(wall[0].startedAt - 1000),
    until: new Date(wall[wall.length - 1].issuedAt + 1000),
    user,
  });
  const first = (verbs: string[], resource: string, after: number) =>
    requests.find(
      r =>
        verbs.includes(r.verb) &&
        r.resource === resource &&
        r.name === name &&
        r.receivedAt >= after,
    )?.receivedAt;
  return wall.map(({ startedAt, issuedAt }) => {
    const spec = first(['update'], 'mysqlinstances', startedAt);
    const render = spec && first(['patch'], 'configmaps', spec);
    const patch = render && first(['patch'], 'statefulsets', render);
    return {
      toSpecUpdateMs: spec && spec - startedAt,
      toConfigMapRenderMs: spec && render && render - spec,
      toStatefulSetPatchMs: render && patch && patch - render,
      toWatchEventMs: patch && issuedAt - patch,
    };
  });
}

/** The figures for people, beside the goals of issue 12. */
function summary(r: any) {
  const rows: Array<[string, string]> = [
    [
      'instances',
      `${r.instances} (${r.realServers} real MySQL, ${r.silentTargets} silent, the rest run no server)`,
    ],
    [
      'poll cycle',
      `${r.pollCycleSeconds} s (runs ${r.pollCycleRunsSeconds.join(', ')} s; ` +
        `with passwords to read ${r.pollCycleColdSeconds} s); goal <= ${
          2 * r.pollTimeoutSeconds
        } s`,
    ],
    [
      'GET detail p50',
      `${r.detailP50Ms} ms (p90 ${r.detailP90Ms}); goal <= 20 ms`,
    ],
    ['GET list p50', `${r.listP50Ms} ms (p90 ${r.listP90Ms}); goal <= 200 ms`],
    [
      'GET fleet page p50',
      `${r.fleetAttentionP50Ms} ms (p90 ${r.fleetAttentionP90Ms}) for ?${FLEET_QUERY}, ${r.fleetAttentionTotal} need attention; goal <= 200 ms`,
    ],
    [
      'idle GET/LIST a minute',
      `${r.idleBackendRequestsPerMinute} (${JSON.stringify(
        r.idleBackendRequestsByVerb,
      )}); goal 0`,
    ],
    [
      'edit -> restart issued',
      r.reconcilerMode === 'online'
        ? 'none: the reconciler applies the edits online (--mode online)'
        : `${r.editToRestartIssuedMsP50} ms p50 (${r.editToRestartIssuedMs.join(
            ', ',
          )}); goal <= 100 ms`,
    ],
    ['  where the time went', JSON.stringify(r.editTimelineMs)],
    [
      'template -> Ready',
      `${r.templateToReadySP50} s p50 (${r.templateToReadyS.join(
        ', ',
      )}; the real servers, created at once)`,
    ],
    [
      'edit -> value read back',
      `${r.editToValueReadBackSP50} s p50 (${r.editToValueReadBackS.join(
        ', ',
      )}; ${r.reconcilerMode}); goal <= 10 s`,
    ],
    [
      'process RSS',
      `${r.backendRssMiB} MiB after the backend's part (${
        r.rssAfterSetupMiB
      } MiB before it started); after a GC ${JSON.stringify(r.memoryAfterGc)}`,
    ],
    ['event loop delay', JSON.stringify(r.eventLoopDelayMs)],
    [
      'setup',
      `${r.setupSeconds} s; backend adopt and first poll ${r.backendAdoptAndFirstPollSeconds} s; total ${r.totalSeconds} s`,
    ],
    [
      'load average',
      `${r.loadAverageBefore.join(' ')} before, ${r.loadAverageAfter.join(
        ' ',
      )} after`,
    ],
  ];
  return rows.map(([label, text]) => `${label.padEnd(24)} ${text}`).join('\n');
}

async function main() {
  if (!Number.isInteger(INSTANCES) || INSTANCES < 1) {
    throw new Error(`--instances must be a positive integer`);
  }
  const stateDir =
    args['state-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mysql-bench-'));
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch(error => progress(`cleaning up: ${error}`));
    }
    cleanups.length = 0;
  };
  const interrupted = () => {
    progress('interrupted; cleaning up');
    cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const loadBefore = os.loadavg();

  try {
    progress(`starting a sandbox in ${stateDir}, with the audit log`);
    cleanups.push(() => down({ stateDir, log: () => undefined }));
    const info = await up({
      stateDir,
      auditLog: true,
      log: line => progress(`sandbox: ${line}`),
    });
    if (!info.backend) throw new Error('the sandbox has no backend user');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(info.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await until(
      `the default service account of ${NAMESPACE}`,
      async () => {
        const sa = await core
          .readNamespacedServiceAccount({
            name: 'default',
            namespace: NAMESPACE,
          })
          .catch(() => undefined);
        return sa ? true : undefined;
      },
      120_000,
    );

    const members = planFleet(INSTANCES);
    const count = (role: string) => members.filter(m => m.role === role).length;
    const simulated = INSTANCES - count('real');
    if (simulated > 0) {
      const nodes = Math.ceil(simulated / PODS_PER_SIMULATED_NODE);
      progress(`adding ${nodes} simulated nodes (kwok ${KWOK_VERSION})`);
      await startSimulatedNodes({
        stateDir,
        nodes,
        maxPods: PODS_PER_SIMULATED_NODE,
        log: line => progress(`sandbox: ${line}`),
      });
      await createSimulatedStorageClass(kc);
    }
    progress(
      `creating ${INSTANCES} instances: ${count('real')} real MySQL, ${count(
        'silent',
      )} silent, ${count('idle')} running no server`,
    );
    await setUpFleet(info.kubeconfig, INSTANCES, t0);
    const setupMs = Date.now() - t0;
    progress(`setup took ${seconds(setupMs)} s`);

    const templateToReady = await templateToReadySeconds(kc, members);
    progress(
      `template -> Ready of the real servers: ${templateToReady.join(', ')} s`,
    );

    const rssAfterSetup = process.memoryUsage().rss;
    const silent = await startSilentServers(kc, members);
    cleanups.push(() => silent.close());

    const db = await createDatabase();
    cleanups.push(() => db.drop());
    progress(`starting the backend (database ${db.name})`);
    const backendStart = Date.now();
    const { backend, api } = await startBackend({
      knex: db.knex,
      kubeconfig: info.backend.kubeconfig,
      members,
      logLevel: args.verbose ? 'warn' : 'none',
      mode: ONLINE ? 'online' : 'restart',
    });
    cleanups.push(() => backend.stop());
    // The backend exits the process on a signal once it has stopped; the
    // benchmark stops it itself, and then its sandbox and database.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) {
        if (listener !== interrupted) process.removeListener(signal, listener);
      }
    }
    await waitAdoptedAndPolled(api, db.knex, INSTANCES);
    const settleMs = Date.now() - backendStart;
    progress(`backend adopted and polled everything in ${seconds(settleMs)} s`);
    await waitResourcesWritten(kc, INSTANCES);
    const resourcesMs = Date.now() - backendStart;
    progress(`and made every MysqlInstance in ${seconds(resourcesMs)} s`);
    await sleep(10_000);

    progress('one idle minute');
    const idle = await idleMinute(stateDir, info.backend.name);
    progress(
      `backend requests in the idle minute: ${JSON.stringify(idle.byResource)}`,
    );

    progress(`${SAMPLES} lists and details`);
    const { value: lat, loopDelayMs: readsLoopDelay } = await profiled(
      'reads',
      () =>
        withLoopDelay(() =>
          latencies(
            api,
            members.map(m => m.name),
          ),
        ),
    );
    if (lat.listed !== INSTANCES) {
      throw new Error(`the list had ${lat.listed} of ${INSTANCES} items`);
    }
    progress(
      `list p50 ${millis(percentile(lat.list, 0.5))} ms, detail p50 ${millis(
        percentile(lat.detail, 0.5),
      )} ms, fleet page (?${FLEET_QUERY}) p50 ${millis(
        percentile(lat.fleet, 0.5),
      )} ms`,
    );

    progress(`${EDITS.length} edits on bench-real-0`);
    const { value: edit, loopDelayMs: editsLoopDelay } = await profiled(
      'edits',
      () => withLoopDelay(() => edits(api, kc, 'bench-real-0')),
    );
    const timeline = ONLINE
      ? []
      : await editTimeline(
          stateDir,
          info.backend.name,
          'bench-real-0',
          edit.wall,
        );
    // The backend has done all it does here; what follows is the bench's
    // own poller.
    const rss = process.memoryUsage().rss;
    const live = await memoryAfterGc();

    progress('poll cycles');
    // The admin's kubeconfig: the bench's own requests stay out of the
    // backend user's count.
    const cycles = await profiled('poll-cycles', () =>
      pollCycles(db.knex, info.kubeconfig, INSTANCES),
    );
    const loadAfter = os.loadavg();

    progress('stopping the backend and the sandbox');
    await cleanUp();

    const result = {
      instances: INSTANCES,
      pollCycleSeconds: seconds(percentile(cycles.warm, 0.5)),
      pollTimeoutSeconds: POLLER.timeoutSeconds,
      pollCycleSilentShare:
        Math.round((count('silent') / INSTANCES) * 1000) / 1000,
      detailP50Ms: millis(percentile(lat.detail, 0.5)),
      listP50Ms: millis(percentile(lat.list, 0.5)),
      fleetAttentionP50Ms: millis(percentile(lat.fleet, 0.5)),
      idleBackendRequestsPerMinute: idle.getList,
      editToRestartIssuedMsP50: millis(percentile(edit.issued, 0.5)),
      editToValueReadBackSP50: seconds(percentile(edit.readBack, 0.5)),
      reconcilerMode: ONLINE ? 'online' : 'restart',
      backendRssMiB: mib(rss),
      // The details behind the figures.
      realServers: count('real'),
      silentTargets: silent.count,
      pollConcurrency: POLLER.concurrency,
      pollCycleRunsSeconds: cycles.warm.map(seconds),
      pollCycleColdSeconds: seconds(cycles.cold),
      detailP90Ms: millis(percentile(lat.detail, 0.9)),
      listP90Ms: millis(percentile(lat.list, 0.9)),
      fleetAttentionP90Ms: millis(percentile(lat.fleet, 0.9)),
      fleetAttentionTotal: lat.attention,
      idleBackendRequestsByVerb: idle.verbs,
      idleBackendRequestsByResource: idle.byResource,
      backendResourcesWrittenSeconds: Number(seconds(resourcesMs)),
      editPutMs: edit.put.map(millis),
      editToRestartIssuedMs: edit.issued.map(millis),
      editToValueReadBackS: edit.readBack.map(seconds),
      templateToReadySP50: percentile(templateToReady, 0.5),
      templateToReadyS: templateToReady,
      editTimelineMs: timeline,
      eventLoopDelayMs: { reads: readsLoopDelay, edits: editsLoopDelay },
      memoryAfterGc: live,
      rssAfterSetupMiB: mib(rssAfterSetup),
      setupSeconds: seconds(setupMs),
      backendAdoptAndFirstPollSeconds: seconds(settleMs),
      totalSeconds: seconds(Date.now() - t0),
      loadAverageBefore: loadBefore.map(l => Math.round(l * 100) / 100),
      loadAverageAfter: loadAfter.map(l => Math.round(l * 100) / 100),
      machine: `${os.cpus().length} cores, ${Math.round(
        os.totalmem() / 2 ** 30,
      )} GiB, Node ${process.version}`,
    };
    console.log(summary(result));
    if (args.json) console.log(JSON.stringify(result));
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
