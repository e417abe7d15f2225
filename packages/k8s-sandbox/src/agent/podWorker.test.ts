import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EventRecorder } from './events';
import { IpAllocator } from './ipAllocator';
import { PodWorker } from './podWorker';

// A pod worker against a fake API server that only records what it is
// told; its containers really run, so this needs root (mount namespaces).
const asRoot = process.getuid?.() === 0 ? describe : describe.skip;

asRoot('PodWorker', () => {
  let dir: string;
  let statuses: k8s.V1PodStatus[];
  let events: string[];
  let worker: PodWorker | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pod-worker-'));
    statuses = [];
    events = [];
  });
  afterEach(async () => {
    await worker?.shutdown();
    worker = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function start(spec: k8s.V1PodSpec, status?: k8s.V1PodStatus) {
    const core = {
      patchNamespacedPodStatus: async (request: {
        body: { status: k8s.V1PodStatus };
      }) => {
        statuses.push(request.body.status);
      },
      createNamespacedEvent: async (request: { body: k8s.CoreV1Event }) => {
        events.push(`${request.body.reason}: ${request.body.message}`);
      },
      listServiceForAllNamespaces: async () => ({ items: [] }),
    } as unknown as k8s.CoreV1Api;
    const objects = {
      list: async () => ({ items: [] }),
    } as unknown as k8s.KubernetesObjectApi;
    worker = new PodWorker(
      {
        core,
        objects,
        events: new EventRecorder(core, () => undefined),
        ips: new IpAllocator(dir),
        stateDir: dir,
        log: () => undefined,
      },
      {
        metadata: { name: 'backup-x', namespace: 'db', uid: 'uid-1' },
        spec,
      },
    );
    worker.update({
      metadata: { name: 'backup-x', namespace: 'db', uid: 'uid-1' },
      spec,
      status,
    });
  }

  async function finished() {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const last = statuses.at(-1);
      if (last?.phase === 'Succeeded' || last?.phase === 'Failed') return last;
      if (Date.now() > deadline) throw new Error('the pod did not finish');
      await new Promise(r => setTimeout(r, 50));
    }
  }

  const shell = (name: string, script: string): k8s.V1Container => ({
    name,
    image: 'curlimages/curl:8.11.1',
    command: ['sh', '-c', script],
    volumeMounts: [{ name: 'work', mountPath: '/work' }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  });
  const work = [{ name: 'work', emptyDir: {} }];

  it('runs the init containers in order, sharing emptyDir, before the container, which reaches the host’s 127.0.0.1', async () => {
    const server = http.createServer((_, res) => res.end('from the host'));
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      start({
        restartPolicy: 'Never',
        initContainers: [
          shell('first', 'echo one > /work/a; echo 3 > /dev/termination-log'),
          shell(
            'second',
            'sleep 0.3; cat /work/a > /work/b; echo two >> /work/b',
          ),
        ],
        containers: [
          shell(
            'main',
            `cat /work/b; curl -s http://127.0.0.1:${port}/ > /dev/termination-log`,
          ),
        ],
        volumes: work,
      });
      const last = await finished();
      expect(last.phase).toBe('Succeeded');
      expect(last.initContainerStatuses).toEqual([
        expect.objectContaining({
          name: 'first',
          ready: true,
          state: {
            terminated: expect.objectContaining({
              exitCode: 0,
              reason: 'Completed',
              message: '3\n',
            }),
          },
        }),
        expect.objectContaining({
          name: 'second',
          ready: true,
          state: {
            terminated: expect.objectContaining({ exitCode: 0, message: '' }),
          },
        }),
      ]);
      expect(last.containerStatuses![0].state!.terminated).toMatchObject({
        exitCode: 0,
        reason: 'Completed',
        message: 'from the host',
      });
      expect(last.conditions).toContainEqual(
        expect.objectContaining({ type: 'Initialized', status: 'True' }),
      );
      const log = fs.readFileSync(
        path.join(dir, 'pods', 'uid-1', 'container.log'),
        'utf8',
      );
      expect(log).toBe('one\ntwo\n');

      // While `second` ran: pending, `first` done, the container waiting.
      const during = statuses.find(
        s => s.initContainerStatuses?.[1].state?.running,
      )!;
      expect(during.phase).toBe('Pending');
      expect(during.initContainerStatuses![0].state!.terminated).toBeTruthy();
      expect(during.containerStatuses![0].state).toEqual({
        waiting: { reason: 'PodInitializing' },
      });
      expect(during.conditions).toContainEqual(
        expect.objectContaining({
          type: 'Initialized',
          status: 'False',
          reason: 'ContainersNotInitialized',
          message: 'containers with incomplete status: [second]',
        }),
      );
    } finally {
      server.close();
    }
  });

  it('fails the pod on a failed init container under restartPolicy Never, without running the rest', async () => {
    start({
      restartPolicy: 'Never',
      initContainers: [
        shell('fetch', 'echo "curl: (7) Failed to connect" >&2; exit 7'),
        shell('never', 'touch /work/never'),
      ],
      containers: [shell('main', 'touch /work/main')],
      volumes: work,
    });
    const last = await finished();
    expect(last.phase).toBe('Failed');
    expect(last.initContainerStatuses![0]).toMatchObject({
      name: 'fetch',
      ready: false,
      state: {
        terminated: {
          exitCode: 7,
          reason: 'Error',
          message: 'curl: (7) Failed to connect',
        },
      },
    });
    expect(last.initContainerStatuses![1].state).toEqual({
      waiting: { reason: 'PodInitializing' },
    });
    expect(last.containerStatuses![0].state).toEqual({
      waiting: { reason: 'PodInitializing' },
    });
    const volume = path.join(dir, 'pods', 'uid-1', 'volumes', 'work');
    expect(fs.readdirSync(volume)).toEqual([]);
  });

  it('does not run a pod again that ran to its end before the agent restarted', async () => {
    start(
      {
        restartPolicy: 'Never',
        containers: [shell('main', 'touch /work/again')],
        volumes: work,
      },
      { phase: 'Succeeded' },
    );
    await new Promise(r => setTimeout(r, 500));
    expect(statuses).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'pods', 'uid-1'))).toBe(false);
  });

  it('never runs a server image whose version the sandbox does not have: ErrImagePull, then ImagePullBackOff', async () => {
    start({
      containers: [{ name: 'mysql', image: 'mysql:1.2.3' }],
    });
    const waiting = async (reason: string) => {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const state = statuses.at(-1)?.containerStatuses?.[0].state?.waiting;
        if (state?.reason === reason) return state;
        if (Date.now() > deadline) throw new Error(`no ${reason}`);
        await new Promise(r => setTimeout(r, 50));
      }
    };
    const pullFailed = await waiting('ErrImagePull');
    expect(pullFailed.message).toMatch(
      /^failed to pull image "mysql:1\.2\.3": the sandbox has no MySQL 1\.2\.3; it runs .*MariaDB \d+\.\d+\.\d+/,
    );
    const backOff = await waiting('ImagePullBackOff');
    expect(backOff.message).toMatch(
      /^Back-off pulling image "mysql:1\.2\.3": /,
    );
    expect(statuses.every(s => s.phase === 'Pending')).toBe(true);
    expect(events).toContain('Failed: Error: ErrImagePull');
    expect(fs.existsSync(path.join(dir, 'pods', 'uid-1', 'data'))).toBe(false);
  });
});
