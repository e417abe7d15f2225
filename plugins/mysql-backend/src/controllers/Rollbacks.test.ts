import { mockServices } from '@backstage/backend-test-utils';
import { renderMyCnf } from '@mysql-portal/plugin-mysql-common';
import { configHash, MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { readSpecEditor } from '../domain/specConfig';
import { InstanceObjects } from '../service/InstanceCache';
import { MysqlStore } from '../service/MysqlStore';
import { Rollout } from '../service/rollout';
import { MysqlEvents } from '../MysqlEvents';
import { Rollbacks } from './Rollbacks';
import { mysqlInstanceResource } from '../__testUtils__/mysqlInstanceResource';

const GOOD = renderMyCnf({ max_connections: 100 });
const FAILED = renderMyCnf({ max_connections: 100, wait_timeout: 9 });
const STARTED = '2026-12-07T10:00:00.000Z';

function objects(spec: Record<string, string>, cnf: string): InstanceObjects {
  return {
    ref: 'sandbox/db/orders',
    cluster: 'sandbox',
    namespace: 'db',
    name: 'orders',
    statefulSet: {
      metadata: {
        resourceVersion: '10',
        annotations: { 'mysql.backstage.io/last-good-config': GOOD },
      },
    } as k8s.V1StatefulSet,
    configMap: {
      metadata: { name: 'orders', resourceVersion: '20' },
      data: { 'my.cnf': cnf },
    },
    resource: mysqlInstanceResource(spec, { namespace: 'db', generation: 3 }),
    pods: [],
  };
}

function setup(freshGeneration = 3) {
  const apps = {
    // A merge patch: the annotations the StatefulSet had stay.
    patchNamespacedStatefulSet: jest.fn(async ({ body }: any) => ({
      metadata: {
        resourceVersion: '11',
        annotations: {
          'mysql.backstage.io/last-good-config': GOOD,
          ...body.metadata.annotations,
        },
      },
    })),
  };
  const core = { patchNamespacedConfigMap: jest.fn(async () => ({})) };
  const custom = {
    getNamespacedCustomObject: jest.fn(async () => ({
      ...objects({ max_connections: '100', wait_timeout: '9' }, FAILED)
        .resource,
      metadata: {
        name: 'orders',
        namespace: 'db',
        generation: freshGeneration,
        resourceVersion: '30',
      },
    })),
    replaceNamespacedCustomObject: jest.fn(async ({ body }: any) => body),
  };
  const store = { addHistory: jest.fn(async () => true) };
  const events = new MysqlEvents();
  const rolledBack = jest.fn();
  events.on('rolledBack', rolledBack);
  const rollbacks = new Rollbacks(
    { client: () => ({ apps, core, custom }) } as unknown as MysqlClusters,
    store as unknown as MysqlStore,
    mockServices.logger.mock(),
    events,
    true,
  );
  return { rollbacks, apps, core, custom, store, rolledBack };
}

const configRollout: Rollout = {
  hash: configHash(FAILED),
  startedAt: STARTED,
  reason: 'config',
};

describe('Rollbacks', () => {
  it('marks the StatefulSet, then puts the last good values into the newest spec, and says nothing before they are back', async () => {
    const { rollbacks, apps, custom, core, store } = setup();
    const inst = objects({ max_connections: '100', wait_timeout: '9' }, FAILED);
    await rollbacks.fail(inst, configRollout, 'unknown variable');
    const mark = JSON.parse(
      apps.patchNamespacedStatefulSet.mock.calls[0][0].body.metadata
        .annotations['mysql.backstage.io/rollout'],
    );
    expect(mark).toMatchObject({
      hash: configHash(GOOD),
      reason: 'rollback',
      cause: 'unknown variable',
      from: configHash(FAILED),
      changes: ['wait_timeout=9'],
    });
    expect(
      apps.patchNamespacedStatefulSet.mock.calls[0][0].body.metadata
        .resourceVersion,
    ).toBe('10');
    const written = custom.replaceNamespacedCustomObject.mock.calls[0][0].body;
    expect(written.metadata.resourceVersion).toBe('30');
    expect(written.spec.config).toEqual({ max_connections: '100' });
    expect(readSpecEditor(written.metadata.annotations)).toEqual({
      hash: configHash(GOOD),
    });
    expect(core.patchNamespacedConfigMap).not.toHaveBeenCalled();
    expect(store.addHistory).not.toHaveBeenCalled();
  });

  it('leaves a spec that changed since the cache saw it', async () => {
    const { rollbacks, custom } = setup(4);
    const inst = objects({ max_connections: '100', wait_timeout: '9' }, FAILED);
    await rollbacks.restoreLastGood(inst, {
      ...configRollout,
      hash: configHash(GOOD),
      reason: 'rollback',
      from: configHash(FAILED),
    });
    expect(custom.replaceNamespacedCustomObject).not.toHaveBeenCalled();
  });

  it('writes the ConfigMap back when only it was edited by hand, and announces once', async () => {
    const { rollbacks, core, custom, store, rolledBack } = setup();
    const inst = objects({ max_connections: '100' }, FAILED);
    const rollback: Rollout = {
      hash: configHash(GOOD),
      startedAt: STARTED,
      reason: 'rollback',
      cause: 'unknown variable',
      from: configHash(FAILED),
      changes: ['wait_timeout=9'],
    };
    await rollbacks.restoreLastGood(inst, rollback);
    await rollbacks.announce(inst, rollback);
    expect(custom.replaceNamespacedCustomObject).not.toHaveBeenCalled();
    expect(core.patchNamespacedConfigMap).toHaveBeenCalledWith(
      {
        name: 'orders',
        namespace: 'db',
        body: {
          metadata: { resourceVersion: '20' },
          data: { 'my.cnf': GOOD },
        },
      },
      expect.anything(),
    );
    expect(store.addHistory).toHaveBeenCalledTimes(1);
    expect(store.addHistory).toHaveBeenCalledWith(
      'sandbox/db/orders',
      {
        kind: 'rollback',
        message:
          'wait_timeout=9 did not run (unknown variable); restoring the last configuration that ran',
      },
      `rollback:sandbox/db/orders@${STARTED}`,
    );
    expect(rolledBack).toHaveBeenCalledTimes(1);
  });

  it('fails for good, without a rollback, when nothing good is known', async () => {
    const { rollbacks, apps, custom } = setup();
    const inst = objects({ max_connections: '100', wait_timeout: '9' }, FAILED);
    inst.statefulSet.metadata!.annotations = {};
    await rollbacks.fail(inst, configRollout, 'unknown variable');
    const mark = JSON.parse(
      apps.patchNamespacedStatefulSet.mock.calls[0][0].body.metadata
        .annotations['mysql.backstage.io/rollout'],
    );
    expect(mark).toEqual({ ...configRollout, failed: 'unknown variable' });
    expect(custom.replaceNamespacedCustomObject).not.toHaveBeenCalled();
  });
});
