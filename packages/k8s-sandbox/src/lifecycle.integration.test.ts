import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KUBELET_SYSCTLS, readSysctls } from './node/hostSysctls';
import { nodeBinariesDir } from './node/binaries';
import { sandboxPaths } from './paths';
import { isAlive } from './processes';
import { waitUntil } from './testing';

jest.setTimeout(600_000);

// A sandbox of its own, so stopping it cannot disturb the shared one.
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-lifecycle-'));
const cli = path.resolve(__dirname, '..', 'bin', 'k8s-sandbox');
const kubectlBinary = path.join(
  nodeBinariesDir(sandboxPaths().cache),
  'bin',
  'kubectl',
);

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

const CNI_LEASES = '/var/lib/cni/networks/sandbox';

function kubectl(...args: string[]) {
  const result = spawnSync(kubectlBinary, args, {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: path.join(stateDir, 'kubeconfig') },
  });
  if (result.status !== 0) {
    throw new Error(`kubectl ${args.join(' ')}:\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * What of a node is left on the machine: processes (shims too), chains,
 * mounts, and address leases in the CNI's default folder.
 */
function leftovers(slot: number) {
  const processes = fs
    .readdirSync('/proc')
    .filter(p => /^\d+$/.test(p))
    .map(p => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      } catch {
        return [];
      }
    })
    .filter(argv =>
      argv.some(
        a => a.includes(stateDir) || a.includes(`/run/k8s-sandbox/${slot}/`),
      ),
    )
    .map(argv => path.basename(argv[0]));
  const iptables = spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout;
  return {
    processes,
    chains: iptables.split('\n').filter(l => /^:KUBE-/.test(l)),
    mounts: fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter(l => l.includes(stateDir)),
    leases: fs.existsSync(CNI_LEASES)
      ? fs.readdirSync(CNI_LEASES).filter(f => f.startsWith(`198.18.${slot}.`))
      : [],
  };
}

afterAll(() => {
  sandbox('down');
  fs.rmSync(stateDir, { recursive: true, force: true });
});

it('up runs a real node; its pods run as their spec says; down leaves the machine as it was', async () => {
  const sysctlsBefore = readSysctls(KUBELET_SYSCTLS);
  const up = sandbox('up');
  expect(up.stdout.trim()).toBe(path.join(stateDir, 'kubeconfig'));
  expect(up.stderr).toMatch(/ready in [\d.]+s/);
  expect(sandbox('status').stdout).toMatch(/^sandbox: running/);

  const node = JSON.parse(kubectl('get', 'node', 'sandbox', '-o', 'json'));
  const [major, minor] = node.status.nodeInfo.kubeletVersion
    .slice(1)
    .split('.')
    .map(Number);
  expect(major).toBe(1);
  expect(minor).toBeGreaterThanOrEqual(30);
  expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(
    /^containerd:\/\//,
  );
  const nodeIp = node.status.addresses.find(
    (a: { type: string }) => a.type === 'InternalIP',
  ).address;
  expect(nodeIp).toMatch(/^198\.19\.255\./);

  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(stateDir, 'kubeconfig'));
  const core = kc.makeApiClient(k8s.CoreV1Api);
  // The product's pod security: admitted under the restricted profile.
  await core.createNamespace({
    body: {
      metadata: {
        name: 'restricted',
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
  });
  await waitUntil('the default service account', () =>
    core.readNamespacedServiceAccount({
      name: 'default',
      namespace: 'restricted',
    }),
  );
  await core.createNamespacedPod({
    namespace: 'restricted',
    body: {
      metadata: { name: 'server' },
      spec: {
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 999,
          runAsGroup: 999,
          fsGroup: 999,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        containers: [
          {
            name: 'mysql',
            image: 'mysql:9.7',
            env: [{ name: 'MYSQL_ROOT_PASSWORD', value: 'x' }],
            resources: { limits: { memory: '640Mi', cpu: '1' } },
            readinessProbe: {
              exec: {
                command: ['sh', '-c', 'mysqladmin ping -h 127.0.0.1 --silent'],
              },
              periodSeconds: 2,
            },
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    },
  });
  const pod = await waitUntil(
    'the server Ready',
    async () => {
      const p = await core.readNamespacedPod({
        name: 'server',
        namespace: 'restricted',
      });
      return p.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      )
        ? p
        : undefined;
    },
    180_000,
  );
  expect(pod.status!.podIP).toMatch(/^198\.18\./);
  const exec = (script: string) =>
    kubectl('exec', '-n', 'restricted', 'server', '--', 'sh', '-c', script);
  // mysqld runs as the pod's user, with its memory limit in its cgroup.
  expect(exec('grep ^Uid: /proc/1/status').split(/\s+/)[1]).toBe('999');
  expect(exec('cat /proc/1/comm').trim()).toBe('mysqld');
  expect(exec('cat /sys/fs/cgroup/memory/memory.limit_in_bytes').trim()).toBe(
    String(640 * 1024 * 1024),
  );
  expect(kubectl('logs', '-n', 'restricted', 'server')).toMatch(
    /ready for connections/,
  );

  const state = JSON.parse(
    fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'),
  );
  const pids: number[] = state.processes.map((p: { pid: number }) => p.pid);
  expect(pids).toHaveLength(7);
  const netns = `k8s-sandbox-${state.slot}`;
  expect(fs.existsSync(`/run/netns/${netns}`)).toBe(true);

  sandbox('down');
  expect(pids.filter(isAlive)).toEqual([]);
  expect(fs.existsSync(stateDir)).toBe(false);
  expect(fs.existsSync(`/run/netns/${netns}`)).toBe(false);
  expect(leftovers(state.slot)).toEqual({
    processes: [],
    chains: [],
    mounts: [],
    leases: [],
  });
  expect(readSysctls(KUBELET_SYSCTLS)).toEqual(sysctlsBefore);
  expect(sandbox('status').stdout).toMatch(/not running/);
});

it('the next up after a SIGKILL of everything cleans up first; down then leaves nothing', async () => {
  const sysctlsBefore = readSysctls(KUBELET_SYSCTLS);
  sandbox('up');
  const first = JSON.parse(
    fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'),
  );
  for (const p of first.processes) process.kill(p.pid, 'SIGKILL');
  expect(sandbox('status').stdout).toMatch(/partly running/);

  const again = sandbox('up');
  expect(again.stderr).toMatch(/cleaning up a sandbox that is partly running/);
  expect(sandbox('status').stdout).toMatch(/^sandbox: running/);
  sandbox('down');
  expect(leftovers(first.slot)).toEqual({
    processes: [],
    chains: [],
    mounts: [],
    leases: [],
  });
  expect(readSysctls(KUBELET_SYSCTLS)).toEqual(sysctlsBefore);
});
