import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from './processes';

jest.setTimeout(180_000);

// A sandbox of its own, so stopping it cannot disturb the shared one.
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-lifecycle-'));
const cli = path.resolve(__dirname, '..', 'bin', 'k8s-sandbox');

function sandbox(command: string) {
  const result = spawnSync(process.execPath, [cli, command], {
    encoding: 'utf8',
    env: { ...process.env, SANDBOX_STATE_DIR: stateDir },
  });
  if (result.status !== 0 && command !== 'status') {
    throw new Error(`k8s-sandbox ${command} failed:\n${result.stderr}`);
  }
  return result;
}

afterAll(() => {
  sandbox('down');
  fs.rmSync(stateDir, { recursive: true, force: true });
});

it('up starts everything, status reports it, down leaves no process behind', async () => {
  const up = sandbox('up');
  expect(up.stdout.trim()).toBe(path.join(stateDir, 'kubeconfig'));
  expect(up.stderr).toMatch(/ready in [\d.]+s/);
  expect(sandbox('status').stdout).toMatch(/^sandbox: running/);

  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(stateDir, 'kubeconfig'));
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name: 'server' },
      spec: {
        containers: [
          {
            name: 'mysql',
            image: 'mariadb:11',
            env: [{ name: 'MARIADB_ROOT_PASSWORD', value: 'x' }],
          },
          { name: 'sidecar', image: 'busybox:1.36' },
        ],
      },
    },
  });
  const pod = await waitForRunning(core);
  const sidecar = pod.status!.containerStatuses!.find(
    c => c.name === 'sidecar',
  )!;
  expect(sidecar.imageID).toBe('sandbox://not-run');
  const serverPid = Number(
    fs.readFileSync(
      path.join(stateDir, 'pods', pod.metadata!.uid!, 'server.pid'),
      'utf8',
    ),
  );
  expect(isAlive(serverPid)).toBe(true);

  const state = JSON.parse(
    fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'),
  );
  const pids: number[] = [
    ...state.processes.map((p: { pid: number }) => p.pid),
    serverPid,
  ];
  expect(pids).toHaveLength(5);

  sandbox('down');
  expect(pids.filter(isAlive)).toEqual([]);
  expect(fs.existsSync(stateDir)).toBe(false);
  expect(sandbox('status').stdout).toMatch(/not running/);
});

async function waitForRunning(core: k8s.CoreV1Api) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const pod = await core.readNamespacedPod({
      name: 'server',
      namespace: 'default',
    });
    const ready =
      pod.status?.conditions?.find(c => c.type === 'Ready')?.status === 'True';
    if (ready) return pod;
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error('the pod never became Ready');
}
