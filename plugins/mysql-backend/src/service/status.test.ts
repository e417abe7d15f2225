import * as k8s from '@kubernetes/client-node';
import { InstanceObjects } from './InstanceCache';
import { Observation } from './MysqlStore';
import { computePhase } from './status';
import { mysqlInstanceResource } from '../__testUtils__/mysqlInstanceResource';

const inst: InstanceObjects = {
  ref: 'sandbox/db/orders',
  cluster: 'sandbox',
  namespace: 'db',
  name: 'orders',
  statefulSet: { metadata: { uid: 'sts-1' } } as k8s.V1StatefulSet,
  pods: [],
};

function polled(observation: Partial<Observation>): Observation {
  return {
    reachable: false,
    variables: {},
    polledAt: '2026-12-01T10:00:00.000Z',
    statefulSetUid: 'sts-1',
    ...observation,
  };
}

describe('computePhase', () => {
  it('says Provisioning, not Unreachable, while a new server has never answered', () => {
    expect(
      computePhase(inst, polled({ error: 'connect ECONNREFUSED' }), true),
    ).toEqual({
      phase: 'Provisioning',
      message: 'waiting for the server to answer (connect ECONNREFUSED)',
    });
    expect(computePhase(inst, undefined, true).phase).toBe('Provisioning');
  });

  it('says Unreachable once a server that answered before stops answering', () => {
    expect(
      computePhase(
        inst,
        polled({ version: '9.7.4-2', error: 'connect ECONNREFUSED' }),
        true,
      ),
    ).toEqual({ phase: 'Unreachable', message: 'connect ECONNREFUSED' });
  });

  it('does not take a poll of an earlier StatefulSet of the same name for this one', () => {
    expect(
      computePhase(
        inst,
        polled({ reachable: true, version: '9.7.4-2', statefulSetUid: 'old' }),
        true,
      ).phase,
    ).toBe('Provisioning');
  });

  it('says Provisioning while a new server answers but its pod is not Ready yet', () => {
    const answered = polled({ reachable: true, version: '9.7.4-2' });
    expect(computePhase(inst, answered, true, false)).toEqual({
      phase: 'Provisioning',
      message: 'the server answers; waiting for its pod to be Ready',
    });
    const ready: k8s.V1Pod = {
      metadata: { ownerReferences: [] },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    } as k8s.V1Pod;
    expect(
      computePhase({ ...inst, pods: [ready] }, answered, true, false),
    ).toEqual({ phase: 'Running' });
  });

  it('says Reconciling from the moment the spec changes, before its ConfigMap is rendered', () => {
    const edited: InstanceObjects = {
      ...inst,
      configMap: {
        metadata: {
          annotations: { 'mysql.backstage.io/rendered-generation': '1' },
        },
        data: { 'my.cnf': '[mysqld]\nmax_connections = 100\n' },
      },
      resource: mysqlInstanceResource(
        { max_connections: '100', skip_name_resolve: 'ON' },
        { generation: 2 },
      ),
    };
    const answered = polled({ reachable: true, version: '9.7.4-2' });
    expect(computePhase(edited, answered, true, true)).toEqual({
      phase: 'Reconciling',
      message: 'applying the configuration',
    });
  });

  it('says Running when the server answers, and Unreachable when the cluster does not', () => {
    const answered = polled({ reachable: true, version: '9.7.4-2' });
    expect(computePhase(inst, answered, true)).toEqual({ phase: 'Running' });
    expect(computePhase(inst, answered, false).phase).toBe('Unreachable');
  });

  it('says Degraded, naming the node, when the node stops reporting and the server still answers', () => {
    const marked = {
      spec: { nodeName: 'node-1', containers: [] },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            lastTransitionTime: '2026-12-01T10:00:00.000Z' as any,
          },
          { type: 'ContainersReady', status: 'True' },
        ],
      },
    } as k8s.V1Pod;
    const node =
      'node node-1 is not ready since 2026-12-01T10:00:00.000Z: its kubelet stopped reporting, and the Service sends the server no connections until it is back';
    expect(
      computePhase(
        { ...inst, pods: [marked] },
        polled({ reachable: true, version: '9.7.4-2' }),
        true,
      ),
    ).toEqual({
      phase: 'Degraded',
      message: `the server answers, but ${node}`,
    });
    expect(
      computePhase(
        { ...inst, pods: [marked] },
        polled({ version: '9.7.4-2', error: 'connect ETIMEDOUT' }),
        true,
      ),
    ).toEqual({ phase: 'Unreachable', message: node });
  });

  it('says the kernel ended the server when it exceeded its memory limit', () => {
    const oomPod = (state: k8s.V1ContainerState, restartCount: number) =>
      ({
        spec: {
          containers: [
            { name: 'mysql', resources: { limits: { memory: '256Mi' } } },
          ],
        },
        status: {
          containerStatuses: [
            {
              name: 'mysql',
              image: 'mysql:9.7',
              imageID: 'sha256:1',
              ready: false,
              restartCount,
              state,
              lastState: {
                terminated: { exitCode: 137, reason: 'OOMKilled' },
              },
            },
          ],
        },
      } as k8s.V1Pod);
    const restarting = oomPod({ running: {} }, 1);
    expect(
      computePhase(
        { ...inst, pods: [restarting] },
        polled({ version: '9.7.4-2', error: 'connect ECONNREFUSED' }),
        true,
      ),
    ).toEqual({
      phase: 'Unreachable',
      message:
        'the server was killed for exceeding its memory limit of 256Mi (OOMKilled); restarted 1 time',
    });
    const looping = oomPod(
      { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
      3,
    );
    expect(computePhase({ ...inst, pods: [looping] }, undefined, true)).toEqual(
      {
        phase: 'Degraded',
        message:
          'the server does not start (CrashLoopBackOff): the server was killed for exceeding its memory limit of 256Mi (OOMKilled); restarted 3 times',
      },
    );
  });
});
