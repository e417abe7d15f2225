/*
 * Benchmarks the MySQL backend against a sandbox of its own:
 *
 *  1. latency from a config change (what PUT does) to the restart being
 *     issued, and to the new value being read back from the server;
 *  2. Kubernetes API requests per minute while N instances sit idle, from
 *     the API server's /metrics, against the same minute without the backend;
 *  3. one poll cycle over many targets when a tenth of them never answer.
 *
 *   yarn bench:mysql [idle instances, default 5]
 *
 * Uses the backend's own classes in-process (no HTTP), SQLite in memory.
 */
import { ConfigReader } from '@backstage/config';
import { down, sandboxPaths, up } from '@mysql-portal/k8s-sandbox';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import knexFactory from 'knex';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import fs from 'node:fs';
import { createTestInstance } from '../src/__testUtils__/createTestInstance';
import { InstanceCache, InstanceObjects } from '../src/service/InstanceCache';
import { InstanceService } from '../src/service/InstanceService';
import { InstanceRecords } from '../src/service/InstanceRecords';
import { MysqlStore } from '../src/service/MysqlStore';
import { Poller } from '../src/service/Poller';
import { Provenance } from '../src/service/Provenance';
import { Reconciler } from '../src/service/Reconciler';

const NAMESPACE = 'bench';
const IDLE = Number(process.argv[2] ?? 5);
const quiet = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => quiet,
} as any;

async function until<T>(
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 180_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Objects the controllers create (the default ServiceAccount) may not
    // exist yet: a failed read is one more wait.
    const value = await Promise.resolve()
      .then(read)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 25));
  }
}

/** Sum of apiserver_request_total, read with the admin token. */
async function apiRequests(kc: k8s.KubeConfig): Promise<number> {
  const cluster = kc.getCurrentCluster()!;
  const token = kc.getCurrentUser()!.token!;
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get(
        `${cluster.server}/metrics`,
        {
          ca: Buffer.from(cluster.caData!, 'base64'),
          headers: { Authorization: `Bearer ${token}` },
        },
        res => {
          let text = '';
          res.on('data', d => (text += d));
          res.on('end', () => resolve(text));
        },
      )
      .on('error', reject);
  });
  return body
    .split('\n')
    .filter(line => line.startsWith('apiserver_request_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  process.env.SANDBOX_STATE_DIR ??= fs.mkdtempSync(
    `${os.tmpdir()}/mysql-bench-`,
  );
  const info = await up({ log: () => undefined });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  await until(async () => {
    const sa = await core.readNamespacedServiceAccount({
      name: 'default',
      namespace: NAMESPACE,
    });
    return sa.secrets?.length ? true : undefined;
  });

  const config = new ConfigReader({
    mysql: {
      clusters: [
        {
          name: 'bench',
          kubeconfig: info.kubeconfig,
          defaultNamespace: NAMESPACE,
        },
      ],
    },
  });
  const clusters = MysqlClusters.fromConfig(config);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const store = await MysqlStore.create({ getClient: async () => knex } as any);
  const records = await InstanceRecords.create(knex);
  const names = Array.from({ length: IDLE }, (_, i) => `bench-${i}`);
  for (const name of names) {
    await createTestInstance(kc, {
      name,
      namespace: NAMESPACE,
      owner: 'group:default/bench',
    });
  }

  // 2. Idle API traffic: first a minute with only the control plane and
  // the node agent, then a minute with the backend watching and polling.
  await until(async () => {
    const list = await apps.listNamespacedStatefulSet({ namespace: NAMESPACE });
    return list.items.every(s => s.status?.readyReplicas === 1)
      ? true
      : undefined;
  });
  const minute = 60_000;
  const base0 = await apiRequests(kc);
  await new Promise(r => setTimeout(r, minute));
  const base1 = await apiRequests(kc);

  // The instances are made as an earlier version did; the backend adopts them.
  const cache = new InstanceCache(clusters, quiet, ref => !!records.get(ref));
  new Provenance(cache, records, store, quiet).start();
  const reconciler = new Reconciler(clusters, cache, store, quiet, {
    mode: 'restart',
    rolloutTimeoutSeconds: 120,
    rollbackOnFailure: true,
    stableSeconds: 5,
  });
  const poller = new Poller(clusters, cache, store, quiet, {
    frequencySeconds: 30,
    timeoutSeconds: 5,
    concurrency: 100,
  });
  reconciler.start();
  cache.start();
  await until(() =>
    cache.list().length === IDLE && cache.connected('bench') ? true : undefined,
  );
  await poller.pollAll();
  // Settle the reconciler's first look (it records the config that runs).
  await new Promise(r => setTimeout(r, 5000));
  const timer = setInterval(() => poller.pollAll(), 30_000);
  const idle0 = await apiRequests(kc);
  await new Promise(r => setTimeout(r, minute));
  const idle1 = await apiRequests(kc);
  clearInterval(timer);

  // 1. Latency of a change, three times on bench-0.
  const service = new InstanceService(clusters, cache, store, records);
  reconciler.onRolloutDone = () => void poller.pollAll();
  const ref = { cluster: 'bench', namespace: NAMESPACE, name: 'bench-0' };
  const issued: number[] = [];
  const readBack: number[] = [];
  for (const value of [120, 130, 140]) {
    const detail = await service.detail(ref);
    const t0 = Date.now();
    await service.updateConfig(
      ref,
      { max_connections: value },
      detail.resourceVersion,
      'user:default/bench',
    );
    await until(() =>
      cache.get('bench/bench/bench-0')?.statefulSet.metadata?.annotations?.[
        'mysql.backstage.io/rollout'
      ]
        ? true
        : undefined,
    );
    issued.push(Date.now() - t0);
    await until(async () =>
      (
        await store.getObservation('bench/bench/bench-0')
      )?.variables.max_connections === String(value)
        ? true
        : undefined,
    );
    readBack.push(Date.now() - t0);
  }

  // 3. One poll cycle over 100 targets, a tenth of them silent: they accept
  // the connection and never answer.
  const real = cache.get('bench/bench/bench-0')!;
  const silent: net.Server[] = [];
  const targets: InstanceObjects[] = [];
  for (let i = 0; i < 100; i++) {
    let ip = real.pods[0].status!.podIP!;
    if (i % 10 === 9) {
      ip = `127.250.0.${silent.length + 2}`;
      const server = net.createServer(() => undefined);
      await new Promise<void>(r => server.listen(3306, ip, r));
      silent.push(server);
    }
    const pod = {
      ...real.pods[0],
      status: { ...real.pods[0].status, podIP: ip },
    };
    targets.push({ ...real, ref: `bench/bench/target-${i}`, pods: [pod] });
  }
  const cycle = async (timeoutSeconds: number, list: InstanceObjects[]) => {
    const t0 = Date.now();
    let lastAnswer = t0;
    const timed = Object.create(store) as MysqlStore;
    timed.saveObservation = async (target, observation) => {
      if (observation.reachable) lastAnswer = Date.now();
      await store.saveObservation(target, observation);
    };
    const p = new Poller(
      clusters,
      { list: () => list, listAll: () => list } as unknown as InstanceCache,
      timed,
      quiet,
      { frequencySeconds: 30, timeoutSeconds, concurrency: 100 },
    );
    await p.pollAll();
    return {
      total: (Date.now() - t0) / 1000,
      answering: (lastAnswer - t0) / 1000,
    };
  };
  const allAnswer = await cycle(
    5,
    targets.filter((_, i) => i % 10 !== 9),
  );
  // The first cycle learns which targets are silent; the next polls them last.
  const firstSilent = await cycle(5, targets);
  const withSilent = await cycle(5, targets);
  for (const server of silent) server.close();

  reconciler.stop();
  await cache.stop();
  await knex.destroy();
  await down({ log: () => undefined });

  const perMinute = (a: number, b: number) => Math.round(b - a);
  console.log(
    `machine: ${os.cpus().length} cores, ${Math.round(
      os.totalmem() / 2 ** 30,
    )} GiB, Node ${process.version}, sandbox ${sandboxPaths().state}`,
  );
  console.log(
    `1. change to restart issued: median ${median(issued)} ms (${issued.join(
      ', ',
    )} ms)`,
  );
  console.log(
    `   change to new value read back: median ${(
      median(readBack) / 1000
    ).toFixed(1)} s (${readBack.map(v => (v / 1000).toFixed(1)).join(', ')} s)`,
  );
  console.log(
    `2. API requests per minute, ${IDLE} idle instances: ${perMinute(
      idle0,
      idle1,
    )} with the backend, ${perMinute(
      base0,
      base1,
    )} without it (control plane and node agent only)`,
  );
  console.log(
    `3. one poll cycle, concurrency 8, timeout 5 s: 90 answering targets ${allAnswer.total.toFixed(
      2,
    )} s; 100 targets with 10 silent: first cycle ${firstSilent.total.toFixed(
      2,
    )} s (answering ones done after ${firstSilent.answering.toFixed(
      2,
    )} s), later cycles ${withSilent.total.toFixed(
      2,
    )} s (answering ones done after ${withSilent.answering.toFixed(2)} s)`,
  );
}

main().catch(async error => {
  console.error(error);
  await down({ log: () => undefined }).catch(() => undefined);
  process.exit(1);
});
