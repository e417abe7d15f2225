import { MysqlInstanceSummary } from '@mysql-portal/plugin-mysql-common';
import { configHash } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { InstanceObjects } from '../service/InstanceCache';
import { resourceStatus, statusChanged } from './resourceStatus';
import { mysqlInstanceResource } from '../__testUtils__/mysqlInstanceResource';

const CNF = '[mysqld]\nmax_connections = 100\n';
const NEW_CNF = '[mysqld]\nmax_connections = 200\n';

function objects(
  options: {
    cnf?: string;
    running?: string;
    annotations?: object;
    spec?: {
      generation: number;
      config: Record<string, string>;
      rendered: string;
    };
  } = {},
): InstanceObjects {
  return {
    ref: 'sandbox/db/orders',
    cluster: 'sandbox',
    namespace: 'db',
    name: 'orders',
    statefulSet: {
      metadata: { uid: 'sts-1', annotations: { ...options.annotations } },
      spec: {
        selector: {},
        serviceName: 'orders-headless',
        template: {
          metadata: {
            annotations: {
              'mysql.backstage.io/config-hash': configHash(
                options.running ?? CNF,
              ),
            },
          },
        },
      },
    } as k8s.V1StatefulSet,
    configMap: {
      metadata: options.spec
        ? {
            annotations: {
              'mysql.backstage.io/rendered-generation': options.spec.rendered,
            },
          }
        : {},
      data: { 'my.cnf': options.cnf ?? CNF },
    },
    ...(options.spec
      ? {
          resource: mysqlInstanceResource(options.spec.config, {
            generation: options.spec.generation,
          }),
        }
      : {}),
    pods: [],
  };
}

function summary(
  status: MysqlInstanceSummary['status'],
  extra: Partial<MysqlInstanceSummary> = {},
): MysqlInstanceSummary {
  return {
    cluster: 'sandbox',
    namespace: 'db',
    name: 'orders',
    entityRef: 'resource:default/orders',
    owner: 'group:default/team-a',
    status,
    version: { image: 'mysql:9.7', server: '9.7.4' },
    createdAt: '2026-12-01T10:00:00.000Z',
    ...extra,
  };
}

const T0 = '2026-12-07T10:00:00.000Z';
const T1 = '2026-12-07T10:05:00.000Z';

function conditions(status: ReturnType<typeof resourceStatus>) {
  return status.conditions!.map(c => [c.type, c.status, c.reason]);
}

describe('resourceStatus', () => {
  it('observes the generation the ConfigMap was rendered from, and keeps the last while a new one renders', () => {
    const running = summary({ phase: 'Running', since: T0 });
    const rendered = resourceStatus(
      running,
      objects({
        spec: {
          generation: 3,
          config: { max_connections: '100' },
          rendered: '3',
        },
      }),
      undefined,
      T0,
    );
    expect(rendered.observedGeneration).toBe(3);
    expect(rendered.conditions!.map(c => c.observedGeneration)).toEqual([
      3, 3, 3, 3,
    ]);
    const pending = resourceStatus(
      running,
      objects({
        spec: {
          generation: 4,
          config: { max_connections: '200' },
          rendered: '3',
        },
      }),
      rendered,
      T1,
    );
    expect(pending.observedGeneration).toBe(3);
    expect(conditions(pending)[1]).toEqual([
      'ConfigApplied',
      'False',
      'Applying',
    ]);
  });

  it('refuses a spec the server cannot run with a ConfigApplied condition that names the field', () => {
    const status = resourceStatus(
      summary({ phase: 'Running', since: T0 }),
      objects({
        spec: {
          generation: 5,
          config: { max_connections: '0' },
          rendered: '4',
        },
      }),
      undefined,
      T0,
    );
    expect(status.observedGeneration).toBe(5);
    expect(status.phase).toBe('Running');
    const applied = status.conditions!.find(c => c.type === 'ConfigApplied')!;
    expect(applied).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(applied.message).toMatch(/spec\.config\.max_connections: /);
  });

  it('says Ready and applied for a running server with its my.cnf', () => {
    const status = resourceStatus(
      summary({ phase: 'Running', since: T0 }),
      objects(),
      undefined,
      T0,
    );
    expect(status).toEqual({
      phase: 'Running',
      version: { image: 'mysql:9.7', server: '9.7.4' },
      configHash: configHash(CNF),
      conditions: expect.any(Array),
    });
    expect(conditions(status)).toEqual([
      ['Ready', 'True', 'Running'],
      ['ConfigApplied', 'True', 'Applied'],
      ['Progressing', 'False', 'Idle'],
      ['Degraded', 'False', 'AsExpected'],
    ]);
    expect(status.conditions!.every(c => c.lastTransitionTime === T0)).toBe(
      true,
    );
  });

  it('shows a rollout as the operation, Progressing, with the config not applied yet', () => {
    const rollout = {
      hash: configHash(NEW_CNF),
      startedAt: T0,
      reason: 'config',
    };
    const status = resourceStatus(
      summary({
        phase: 'Reconciling',
        message: 'restarting to apply the configuration',
        since: T0,
      }),
      objects({
        cnf: NEW_CNF,
        annotations: { 'mysql.backstage.io/rollout': JSON.stringify(rollout) },
      }),
      undefined,
      T0,
    );
    expect(status.operation).toEqual({
      type: 'Rollout',
      state: 'InProgress',
      startedAt: T0,
      to: configHash(NEW_CNF),
    });
    expect(conditions(status)).toEqual([
      ['Ready', 'False', 'Reconciling'],
      ['ConfigApplied', 'False', 'Applying'],
      ['Progressing', 'True', 'Reconciling'],
      ['Degraded', 'False', 'AsExpected'],
    ]);
    expect(status.message).toBe('restarting to apply the configuration');
  });

  it('shows a failed rollback as Degraded with its cause', () => {
    const rollout = {
      hash: configHash(CNF),
      startedAt: T0,
      reason: 'rollback',
      cause: 'unknown variable',
      from: configHash(NEW_CNF),
      failed: 'the server does not start',
    };
    const status = resourceStatus(
      summary({
        phase: 'Degraded',
        message: 'the server does not start',
        since: T0,
      }),
      objects({
        annotations: { 'mysql.backstage.io/rollout': JSON.stringify(rollout) },
      }),
      undefined,
      T0,
    );
    expect(status.operation).toEqual({
      type: 'Rollback',
      state: 'Failed',
      startedAt: T0,
      from: configHash(NEW_CNF),
      to: configHash(CNF),
      message: 'the server does not start',
    });
    expect(conditions(status)).toContainEqual(['Degraded', 'True', 'Degraded']);
  });

  it('shows an upgrade under way before any rollout', () => {
    const upgrade = {
      from: 'mysql:8.4',
      to: 'mysql:9.7',
      status: 'Upgrading',
      at: T0,
    };
    const status = resourceStatus(
      summary({ phase: 'Reconciling', since: T0 }),
      objects({
        annotations: { 'mysql.backstage.io/upgrade': JSON.stringify(upgrade) },
      }),
      undefined,
      T0,
    );
    expect(status.operation).toEqual({
      type: 'Upgrade',
      state: 'Upgrading',
      startedAt: T0,
      from: 'mysql:8.4',
      to: 'mysql:9.7',
    });
  });

  it('says pending restart when the my.cnf waits for a restart', () => {
    const status = resourceStatus(
      summary({ phase: 'Running', since: T0 }, { pendingRestart: true }),
      objects({ cnf: NEW_CNF }),
      undefined,
      T0,
    );
    expect(conditions(status)).toContainEqual([
      'ConfigApplied',
      'False',
      'PendingRestart',
    ]);
  });

  it('keeps the transition time of a condition whose status stays', () => {
    const before = resourceStatus(
      summary({ phase: 'Running', since: T0 }),
      objects(),
      undefined,
      T0,
    );
    const after = resourceStatus(
      summary({
        phase: 'Unreachable',
        message: 'connect ECONNREFUSED',
        since: T1,
      }),
      objects(),
      before,
      T1,
    );
    const times = Object.fromEntries(
      after.conditions!.map(c => [c.type, c.lastTransitionTime]),
    );
    expect(times).toEqual({
      Ready: T1,
      ConfigApplied: T0,
      Progressing: T0,
      Degraded: T0,
    });
  });
});

describe('statusChanged', () => {
  it('is false for the same status computed again later, and true for a new version', () => {
    const first = resourceStatus(
      summary({ phase: 'Running', since: T0 }),
      objects(),
      undefined,
      T0,
    );
    const again = resourceStatus(
      summary({ phase: 'Running', since: T0 }),
      objects(),
      first,
      T1,
    );
    expect(statusChanged(first, again)).toBe(false);
    const upgraded = resourceStatus(
      summary(
        { phase: 'Running', since: T0 },
        { version: { image: 'mysql:9.7', server: '9.7.5' } },
      ),
      objects(),
      first,
      T1,
    );
    expect(statusChanged(first, upgraded)).toBe(true);
    expect(statusChanged(undefined, first)).toBe(true);
  });
});
