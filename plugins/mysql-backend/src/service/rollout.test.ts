import * as k8s from '@kubernetes/client-node';
import { InstanceObjects } from './InstanceCache';
import {
  containerRestartMessage,
  nodeNotReadyMessage,
  readySince,
  Rollout,
  rolloutState,
} from './rollout';

const STARTED = '2026-12-01T10:00:00.000Z';
const T0 = new Date(STARTED).getTime();

function pod(options: {
  revision: string;
  ready?: boolean;
  readyAt?: string;
  crash?: string;
}): k8s.V1Pod {
  return {
    metadata: { labels: { 'controller-revision-hash': options.revision } },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: options.ready ? 'True' : 'False',
          lastTransitionTime: (options.readyAt ?? STARTED) as any,
        },
      ],
      containerStatuses: options.crash
        ? [
            {
              name: 'mysql',
              image: 'mysql:9.7',
              imageID: '',
              ready: false,
              restartCount: 3,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: {
                terminated: { exitCode: 1, message: options.crash },
              },
            },
          ]
        : [],
    },
  };
}

function instance(pods: k8s.V1Pod[], observed = true): InstanceObjects {
  return {
    ref: 'sandbox/db/orders',
    cluster: 'sandbox',
    namespace: 'db',
    name: 'orders',
    statefulSet: {
      metadata: { generation: 2 },
      spec: { selector: {}, serviceName: 'orders-headless', template: {} },
      status: {
        replicas: 1,
        observedGeneration: observed ? 2 : 1,
        currentRevision: 'new',
        updateRevision: 'new',
      },
    },
    pods,
  };
}

const rollout: Rollout = { hash: 'h', startedAt: STARTED, reason: 'config' };

describe('rolloutState', () => {
  it('is done when the pods of the new revision are Ready', () => {
    expect(
      rolloutState(
        instance([pod({ revision: 'new', ready: true })]),
        rollout,
        60,
        T0 + 5000,
      ),
    ).toEqual({ state: 'done' });
  });

  it('fails when a pod of the new revision crashes, with the server errors', () => {
    const state = rolloutState(
      instance([
        pod({
          revision: 'new',
          crash:
            '2026-12-01T10:00:01Z 0 [ERROR] [MY-000067] unknown variable bogus=1\nother line',
        }),
      ]),
      rollout,
      60,
      T0 + 5000,
    );
    expect(state).toEqual({
      state: 'failed',
      message: expect.stringContaining('unknown variable bogus=1'),
    });
  });

  it('ignores a crashing pod of the old revision', () => {
    expect(
      rolloutState(
        instance([pod({ revision: 'old', crash: '[ERROR] old' })]),
        rollout,
        60,
        T0 + 5000,
      ),
    ).toEqual({ state: 'progressing', deadline: T0 + 60_000 });
  });

  it('calls a start past the timeout slow, never failed', () => {
    expect(
      rolloutState(
        instance([pod({ revision: 'new' })]),
        rollout,
        60,
        T0 + 61_000,
      ),
    ).toEqual({
      state: 'progressing',
      deadline: T0 + 60_000,
      slow: 'the pod is not Ready yet after 60s',
    });
    expect(
      rolloutState(instance([], false), rollout, 60, T0 + 61_000),
    ).toMatchObject({ state: 'progressing', slow: expect.any(String) });
  });
});

describe('readySince', () => {
  it('is when the last pod became Ready, or undefined while one is not', () => {
    const later = '2026-12-01T10:00:09.000Z';
    expect(
      readySince([
        pod({ revision: 'new', ready: true }),
        pod({ revision: 'new', ready: true, readyAt: later }),
      ]),
    ).toBe(new Date(later).getTime());
    expect(
      readySince([
        pod({ revision: 'new', ready: true }),
        pod({ revision: 'new' }),
      ]),
    ).toBeUndefined();
    expect(readySince([])).toBeUndefined();
  });
});

describe('nodeNotReadyMessage', () => {
  const marked = (containersReady: 'True' | 'False', gates = false) =>
    ({
      spec: {
        nodeName: 'node-1',
        containers: [],
        readinessGates: gates ? [{ conditionType: 'x' }] : undefined,
      },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            lastTransitionTime: STARTED as any,
          },
          { type: 'ContainersReady', status: containersReady },
        ],
      },
    } as k8s.V1Pod);

  it('names the node when the node controller, not the kubelet, marked the pod not Ready', () => {
    expect(nodeNotReadyMessage([marked('True')])).toBe(
      `node node-1 is not ready since ${STARTED}: its kubelet stopped reporting, and the Service sends the server no connections until it is back`,
    );
  });

  it('says nothing of a pod whose containers are not ready, or that has readiness gates', () => {
    expect(nodeNotReadyMessage([marked('False')])).toBeUndefined();
    expect(nodeNotReadyMessage([marked('True', true)])).toBeUndefined();
    expect(
      nodeNotReadyMessage([pod({ revision: 'a', ready: true })]),
    ).toBeUndefined();
  });
});

describe('containerRestartMessage', () => {
  const restarted = (terminated: k8s.V1ContainerStateTerminated) =>
    ({
      spec: {
        containers: [
          { name: 'mysql', resources: { limits: { memory: '1Gi' } } },
        ],
      },
      status: {
        containerStatuses: [
          {
            name: 'mysql',
            image: 'mysql:9.7',
            imageID: '',
            ready: true,
            restartCount: 2,
            state: { running: {} },
            lastState: { terminated },
          },
        ],
      },
    } as k8s.V1Pod);

  it('says why the container ended and when', () => {
    expect(
      containerRestartMessage([
        restarted({
          exitCode: 137,
          reason: 'OOMKilled',
          finishedAt: STARTED as any,
        }),
      ]),
    ).toEqual({
      at: STARTED,
      message:
        'the server was killed for exceeding its memory limit of 1Gi (OOMKilled), and the kubelet restarted its container (restart 2 of this pod)',
    });
    expect(
      containerRestartMessage([restarted({ exitCode: 137, reason: 'Error' })]),
    ).toEqual({
      at: undefined,
      message:
        'the server exited with code 137 (Error), and the kubelet restarted its container (restart 2 of this pod)',
    });
  });

  it('says nothing of a new pod, as a planned restart makes', () => {
    expect(
      containerRestartMessage([pod({ revision: 'b', ready: true })]),
    ).toBeUndefined();
  });
});
