import { mockServices } from '@backstage/backend-test-utils';
import { renderMyCnf } from '@mysql-portal/plugin-mysql-common';
import { configHash, MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { specEditor } from '../domain/specConfig';
import { MysqlEvents } from '../MysqlEvents';
import { InstanceCache, InstanceObjects } from './InstanceCache';
import { MysqlStore } from './MysqlStore';
import { Reconciler } from './Reconciler';
import { mysqlInstanceResource } from '../__testUtils__/mysqlInstanceResource';

const REF = 'sandbox/db/orders';
const GOOD = renderMyCnf({ max_connections: 100 });
const NEW = renderMyCnf({ max_connections: 200 });
const LONG_AGO = '2026-12-07T08:00:00.000Z';

function readyPod(revision = 'r1'): k8s.V1Pod {
  return {
    metadata: {
      name: 'orders-0',
      labels: { 'controller-revision-hash': revision },
    },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: LONG_AGO as any },
      ],
    },
  };
}

function objects(options: {
  spec: Record<string, string>;
  generation: number;
  rendered: number;
  cnf: string;
  running: string;
  annotations?: Record<string, string>;
  status?: k8s.V1StatefulSetStatus;
  pods?: k8s.V1Pod[];
  editor?: string;
}): InstanceObjects {
  return {
    ref: REF,
    cluster: 'sandbox',
    namespace: 'db',
    name: 'orders',
    statefulSet: {
      metadata: {
        name: 'orders',
        resourceVersion: '10',
        generation: 1,
        annotations: options.annotations ?? {},
      },
      spec: {
        selector: {},
        serviceName: 'orders-headless',
        template: {
          metadata: {
            annotations: {
              'mysql.backstage.io/config-hash': configHash(options.running),
            },
          },
          spec: { containers: [{ name: 'mysql', image: 'mysql:9.7' }] },
        },
      },
      status: options.status ?? {
        replicas: 1,
        observedGeneration: 1,
        currentRevision: 'r1',
        updateRevision: 'r1',
      },
    },
    configMap: {
      metadata: {
        name: 'orders',
        resourceVersion: '20',
        annotations: {
          'mysql.backstage.io/rendered-generation': String(options.rendered),
        },
      },
      data: { 'my.cnf': options.cnf },
    },
    resource: mysqlInstanceResource(options.spec, {
      namespace: 'db',
      uid: 'mi-1',
      generation: options.generation,
      annotations: options.editor
        ? { 'mysql.backstage.io/config-edited-by': options.editor }
        : {},
    }),
    pods: options.pods ?? [readyPod()],
  };
}

/** Runs one pass of the Reconciler over `inst`, against fakes. */
async function pass(inst: InstanceObjects) {
  const apps = {
    patchNamespacedStatefulSet: jest.fn(async ({ body }: any) => ({
      ...inst.statefulSet,
      metadata: {
        ...inst.statefulSet.metadata,
        resourceVersion: '11',
        annotations: {
          ...inst.statefulSet.metadata!.annotations,
          ...body.metadata?.annotations,
        },
      },
    })),
  };
  const core = {
    patchNamespacedConfigMap: jest.fn(async ({ body }: any) => ({
      ...inst.configMap,
      metadata: { ...inst.configMap!.metadata, ...body.metadata },
      data: body.data,
    })),
  };
  const custom = {
    getNamespacedCustomObject: jest.fn(async () => inst.resource),
    replaceNamespacedCustomObject: jest.fn(async ({ body }: any) => body),
  };
  const store = { addHistory: jest.fn(async () => true) };
  const events = new MysqlEvents();
  const done = jest.fn();
  events.on('rolloutDone', done);
  const logger = mockServices.logger.mock();
  const reconciler = new Reconciler(
    { client: () => ({ apps, core, custom }) } as unknown as MysqlClusters,
    { get: () => inst, onChange: () => {} } as unknown as InstanceCache,
    store as unknown as MysqlStore,
    logger,
    {
      mode: 'restart',
      rolloutTimeoutSeconds: 180,
      rollbackOnFailure: true,
      stableSeconds: 30,
    },
    events,
  );
  reconciler.enqueue(REF);
  await reconciler.stop();
  expect(logger.error).not.toHaveBeenCalled();
  expect(
    logger.warn.mock.calls.filter(c => /retry/.test(String(c[0]))),
  ).toEqual([]);
  return { apps, core, custom, store, done, logger };
}

function annotationsOf(mock: jest.Mock, call = 0) {
  return mock.mock.calls[call][0].body.metadata.annotations;
}

describe('Reconciler', () => {
  it('does nothing for an instance that runs its spec and whose my.cnf is the rollback target', async () => {
    const { apps, core, custom, store } = await pass(
      objects({
        spec: { max_connections: '100' },
        generation: 1,
        rendered: 1,
        cnf: GOOD,
        running: GOOD,
        annotations: { 'mysql.backstage.io/last-good-config': GOOD },
      }),
    );
    expect(apps.patchNamespacedStatefulSet).not.toHaveBeenCalled();
    expect(core.patchNamespacedConfigMap).not.toHaveBeenCalled();
    expect(custom.replaceNamespacedCustomObject).not.toHaveBeenCalled();
    expect(store.addHistory).not.toHaveBeenCalled();
  });

  it('renders a portal edit and starts its rollout in the same pass, with both resourceVersions', async () => {
    const spec = { max_connections: '200' };
    const { apps, core, store } = await pass(
      objects({
        spec,
        generation: 2,
        rendered: 1,
        cnf: GOOD,
        running: GOOD,
        editor: specEditor(spec, 'user:default/ann'),
      }),
    );
    expect(core.patchNamespacedConfigMap.mock.calls[0][0].body).toMatchObject({
      metadata: { resourceVersion: '20' },
      data: { 'my.cnf': NEW },
    });
    const body = apps.patchNamespacedStatefulSet.mock.calls[0][0].body;
    expect(body.metadata.resourceVersion).toBe('10');
    expect(body.spec.template.metadata.annotations).toEqual({
      'mysql.backstage.io/config-hash': configHash(NEW),
    });
    expect(
      JSON.parse(body.metadata.annotations['mysql.backstage.io/rollout']),
    ).toMatchObject({
      hash: configHash(NEW),
      reason: 'config',
    });
    expect(store.addHistory).toHaveBeenCalledWith(REF, {
      kind: 'restart',
      actor: 'user:default/ann',
      message: 'restart to apply max_connections=200',
    });
  });

  it('keeps the server on its configuration when the spec is invalid', async () => {
    const { apps, core } = await pass(
      objects({
        spec: { max_connections: '0' },
        generation: 3,
        rendered: 2,
        cnf: GOOD,
        running: GOOD,
        annotations: { 'mysql.backstage.io/last-good-config': GOOD },
      }),
    );
    expect(core.patchNamespacedConfigMap).not.toHaveBeenCalled();
    expect(apps.patchNamespacedStatefulSet).not.toHaveBeenCalled();
  });

  it('ends a rollout whose pod of the new revision is Ready, and says so', async () => {
    const rollout = {
      hash: configHash(NEW),
      startedAt: new Date(Date.now() - 8000).toISOString(),
      reason: 'config',
    };
    const { apps, store, done } = await pass(
      objects({
        spec: { max_connections: '200' },
        generation: 2,
        rendered: 2,
        cnf: NEW,
        running: NEW,
        annotations: { 'mysql.backstage.io/rollout': JSON.stringify(rollout) },
        status: {
          replicas: 1,
          observedGeneration: 1,
          currentRevision: 'r2',
          updateRevision: 'r2',
        },
        pods: [readyPod('r2')],
      }),
    );
    expect(annotationsOf(apps.patchNamespacedStatefulSet)).toEqual({
      'mysql.backstage.io/rollout': null,
    });
    expect(store.addHistory).toHaveBeenCalledWith(REF, {
      kind: 'restart',
      message: expect.stringMatching(
        /^the server runs the new configuration \(restart took \d+s\)$/,
      ),
    });
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('rolls a crashing rollout back by putting the last good values into the spec', async () => {
    const rollout = {
      hash: configHash(NEW),
      startedAt: new Date(Date.now() - 8000).toISOString(),
      reason: 'config',
    };
    const crashing: k8s.V1Pod = {
      metadata: {
        name: 'orders-0',
        labels: { 'controller-revision-hash': 'r2' },
      },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'mysql',
            image: 'mysql:9.7',
            imageID: '',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: {
              terminated: { exitCode: 1, message: 'unknown variable' },
            },
          },
        ],
      },
    };
    const { apps, custom, core } = await pass(
      objects({
        spec: { max_connections: '200' },
        generation: 2,
        rendered: 2,
        cnf: NEW,
        running: NEW,
        annotations: {
          'mysql.backstage.io/rollout': JSON.stringify(rollout),
          'mysql.backstage.io/last-good-config': GOOD,
        },
        status: {
          replicas: 1,
          observedGeneration: 1,
          currentRevision: 'r1',
          updateRevision: 'r2',
        },
        pods: [crashing],
      }),
    );
    const mark = JSON.parse(
      annotationsOf(apps.patchNamespacedStatefulSet)[
        'mysql.backstage.io/rollout'
      ],
    );
    expect(mark).toMatchObject({
      reason: 'rollback',
      hash: configHash(GOOD),
      from: configHash(NEW),
    });
    expect(
      custom.replaceNamespacedCustomObject.mock.calls[0][0].body.spec.config,
    ).toEqual({ max_connections: '100' });
    expect(core.patchNamespacedConfigMap).not.toHaveBeenCalled();
  });

  it('keeps the my.cnf that stayed Ready as the rollback target', async () => {
    const { apps } = await pass(
      objects({
        spec: { max_connections: '200' },
        generation: 2,
        rendered: 2,
        cnf: NEW,
        running: NEW,
        annotations: { 'mysql.backstage.io/last-good-config': GOOD },
      }),
    );
    expect(apps.patchNamespacedStatefulSet.mock.calls[0][0].body).toEqual({
      metadata: {
        resourceVersion: '10',
        annotations: { 'mysql.backstage.io/last-good-config': NEW },
      },
    });
  });
});
