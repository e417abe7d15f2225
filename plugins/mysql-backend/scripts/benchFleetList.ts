/*
 * The fleet page's request at scale, without a sandbox: in seconds.
 *
 *   yarn bench:mysql:fleet [--instances 1000] [--json]
 *
 * `GET /instances?needsAttention=true&limit=50` through the real router,
 * as a signed-in user whose readability is checked against a catalog of
 * 1,000 entities, over the real InstanceService, MysqlStore and BackupStore
 * on PostgreSQL (as `yarn bench:mysql`): 1,000 observations and three
 * backups each for nine in ten instances. What the watches would hold
 * (StatefulSets, ConfigMaps, pods) is made in memory: a tenth of the
 * servers run another version than their image declares, a twentieth are
 * Unreachable. `yarn bench:mysql` measures the same request against the
 * real backend and a sandbox of 1,000 pods.
 */
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  MY_CNF_KEY,
  MYSQL_CONFIG_HASH_ANNOTATION,
} from '@mysql-portal/plugin-mysql-common';
import {
  configHash,
  instanceLocation,
  MysqlClusters,
} from '@mysql-portal/plugin-mysql-node';
import express from 'express';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BackupStore } from '../src/backups/BackupStore';
import { InstanceFleet } from '../src/fleet/InstanceFleet';
import { InstanceCache, InstanceObjects } from '../src/service/InstanceCache';
import {
  InstanceRecord,
  InstanceRecords,
} from '../src/service/InstanceRecords';
import { InstanceService } from '../src/service/InstanceService';
import { MysqlStore } from '../src/service/MysqlStore';
import { createRouter } from '../src/service/router';
import { createDatabase } from './benchDatabase';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});
const INSTANCES = Number(args.instances);
const SAMPLES = 50;
const CLUSTER = 'bench';
const NAMESPACE = 'bench';
const OWNER = 'group:default/bench';
const QUERIES = {
  fleetPage: 'needsAttention=true&limit=50',
  fleetPageByOwner: 'owner=bench&phase=Running&limit=50&offset=100',
  everything: '',
};

const millis = (ms: number) => Math.round(ms * 10) / 10;

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

const MY_CNF = '[mysqld]\nmax_connections = 151\n';

function objects(record: InstanceRecord): InstanceObjects {
  return {
    ref: record.ref,
    cluster: record.cluster,
    namespace: record.namespace,
    name: record.name,
    configMap: { data: { [MY_CNF_KEY]: MY_CNF } },
    statefulSet: {
      metadata: { uid: `uid-${record.name}`, annotations: {} },
      spec: {
        selector: {},
        serviceName: record.name,
        template: {
          metadata: {
            annotations: { [MYSQL_CONFIG_HASH_ANNOTATION]: configHash(MY_CNF) },
          },
          spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
        },
      },
    },
    pods: [
      {
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [],
        },
      },
    ] as any,
  };
}

async function main() {
  const db = await createDatabase();
  try {
    const store = await MysqlStore.create({
      getClient: async () => db.knex,
    } as any);
    const backups = new BackupStore(db.knex);
    const createdAt = new Date(Date.now() - 7 * 86400_000).toISOString();
    const records: InstanceRecord[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const name = `bench-${String(i).padStart(4, '0')}`;
      records.push({
        ref: `${CLUSTER}/${NAMESPACE}/${name}`,
        cluster: CLUSTER,
        namespace: NAMESPACE,
        name,
        entityRef: `resource:default/${name}`,
        owner: OWNER,
        origin: 'created',
        createdAt,
      });
    }
    const polledAt = new Date().toISOString();
    for (const [i, record] of records.entries()) {
      await store.saveObservation(record.ref, {
        reachable: i % 20 !== 0,
        version: i % 10 === 1 ? '8.0.36' : '8.4.3',
        versionComment: 'MySQL Community Server - GPL',
        variables: { max_connections: '151' },
        polledAt,
        statefulSetUid: `uid-${record.name}`,
      });
      if (i % 10 === 9) continue;
      for (let b = 0; b < 3; b++) {
        const id = `${record.name}-${b}`;
        await backups.addBackup({
          id,
          ref: record.ref,
          status: 'Running',
          target: 'pvc',
          location: `pvc://${record.name}-backups/${id}.sql.gz`,
          trigger: 'schedule',
          jobName: id,
          startedAt: new Date().toISOString(),
        });
        await backups.finishBackup(id, { status: 'Completed' });
      }
    }

    const byRef = new Map(records.map(r => [r.ref, r]));
    const insts = new Map(records.map(r => [r.ref, objects(r)]));
    const service = new InstanceService(
      { list: () => [{ name: CLUSTER }] } as unknown as MysqlClusters,
      {
        get: (ref: string) => insts.get(ref),
        connected: () => true,
      } as unknown as InstanceCache,
      store,
      {
        list: () => records,
        get: (ref: string) => byRef.get(ref),
      } as unknown as InstanceRecords,
    );
    const router = await createRouter({
      service,
      fleet: new InstanceFleet(service, backups, {
        defaults: { schedule: '0 3 * * *' },
        graceLimitMs: 3600_000,
      }),
      catalog: catalogServiceMock({
        entities: records.map<Entity>(r => ({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: {
            name: r.name,
            namespace: 'default',
            annotations: {
              'backstage.io/managed-by-location': instanceLocation(r.ref),
            },
          },
          spec: { type: 'database', owner: OWNER },
        })),
      }),
      auth: mockServices.auth(),
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      // GET /instances uses none of these (and mocks need jest).
      auditor: {} as any,
      logger: {} as any,
      provisioner: {} as any,
      deleter: {} as any,
      deletions: {} as any,
      backups: {} as any,
      restorer: {} as any,
      upgrader: {} as any,
    });
    const app = express().use(router).use(mockErrorHandler());
    const server = app.listen(0);
    const { port } = server.address() as AddressInfo;
    const authorization = mockCredentials.user.header();
    const get = async (query: string) => {
      const res = await fetch(
        `http://localhost:${port}/instances${query ? `?${query}` : ''}`,
        { headers: { authorization } },
      );
      if (!res.ok)
        throw new Error(`${query}: ${res.status} ${await res.text()}`);
      return res.json();
    };

    const results: Record<string, object> = {};
    try {
      for (const [label, query] of Object.entries(QUERIES)) {
        for (let i = 0; i < 5; i++) await get(query);
        const times: number[] = [];
        let answer: any;
        for (let i = 0; i < SAMPLES; i++) {
          const start = performance.now();
          answer = await get(query);
          times.push(performance.now() - start);
        }
        results[label] = {
          query: `GET /instances${query ? `?${query}` : ''}`,
          p50Ms: millis(percentile(times, 0.5)),
          p90Ms: millis(percentile(times, 0.9)),
          items: answer.items.length,
          totalCount: answer.totalCount,
        };
      }
    } finally {
      server.close();
    }
    const result = {
      instances: INSTANCES,
      results,
      machine: `${os.cpus().length} cores, ${Math.round(
        os.totalmem() / 2 ** 30,
      )} GiB, Node ${process.version}`,
      loadAverage: os.loadavg().map(l => Math.round(l * 100) / 100),
    };
    for (const r of Object.values(results) as any[]) {
      console.log(
        `${r.query.padEnd(72)} p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms (${
          r.items
        } items of ${r.totalCount})`,
      );
    }
    console.log(`${result.machine}; load ${result.loadAverage.join(' ')}`);
    if (args.json) console.log(JSON.stringify(result));
  } finally {
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
