import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONTROL_PLANE_PORTS, nodeAddresses } from './node/config';
import { sandboxPaths } from './paths';
import { runWithProgress, startDetached, tail, waitFor } from './processes';
import { lockState, readState, writeState } from './state';

/**
 * kwok, the Kubernetes project's node simulator (`sigs.k8s.io/kwok`).
 *
 * @public
 */
export const KWOK_VERSION = '0.8.0';

/** The annotation kwok manages nodes by, and the taint that keeps real pods off them. */
const SIMULATED_NODE_KEY = 'kwok.x-k8s.io/node';

/**
 * Simulated pods' addresses: loopback, so that nothing is routed anywhere
 * and a connection to one is refused at once unless something on this
 * machine listens there.
 */
const SIMULATED_POD_RANGE = '127.100';

/**
 * Options of {@link startSimulatedNodes}.
 *
 * @public
 */
export interface SimulatedNodesOptions {
  /** The sandbox's state folder; the default sandbox when omitted. */
  stateDir?: string;
  /** How many nodes to add (at most 250); named `kwok-0`, `kwok-1`… */
  nodes: number;
  /** Pods each node holds; kwok's own default is 110, as a kubelet's. */
  maxPods?: number;
  log?: (line: string) => void;
}

/**
 * What a pod needs to run on a simulated node: a toleration of its taint
 * and a node selector.
 *
 * @public
 */
export const SIMULATED_NODE_SCHEDULING = {
  nodeSelector: { type: 'kwok' },
  tolerations: [
    {
      key: SIMULATED_NODE_KEY,
      operator: 'Exists',
      effect: 'NoSchedule',
    },
  ],
};

/**
 * Adds simulated nodes to a running sandbox, for scale tests of the API
 * side: kwok, built once from the Go module proxy, keeps them Ready and
 * reports their pods Running and Ready with addresses in 127.100.0.0/16,
 * without running any container. `down` stops kwok with the rest.
 *
 * @public
 */
export async function startSimulatedNodes(
  options: SimulatedNodesOptions,
): Promise<void> {
  const log =
    options.log ?? (line => process.stderr.write(`[sandbox] ${line}\n`));
  if (options.nodes < 1 || options.nodes > 250) {
    throw new Error(`nodes must be between 1 and 250, not ${options.nodes}`);
  }
  const paths = sandboxPaths(options.stateDir);
  const kwok = await ensureKwok(paths.cache, log);
  const release = await lockState(paths.state);
  let kwokLog = '';
  try {
    const state = readState(paths.state);
    if (!state) throw new Error(`no sandbox runs in ${paths.state}`);
    if (state.processes.some(p => p.name === 'kwok')) {
      throw new Error('this sandbox has simulated nodes already');
    }
    const started = startDetached(
      'kwok',
      kwok.binary,
      [
        `--config=${kwok.stages}`,
        `--kubeconfig=${state.kubeconfig}`,
        `--manage-nodes-with-annotation-selector=${SIMULATED_NODE_KEY}=fake`,
        `--cidr=${SIMULATED_POD_RANGE}.255.1/24`,
        `--node-ip=${SIMULATED_POD_RANGE}.255.254`,
        // Without leases (off unless asked for) the node controller finds
        // the nodes silent and marks their pods not Ready.
        '--node-lease-duration-seconds=40',
        // kwok serves a kubelet-like API; on loopback, not on every address.
        `--server-address=${nodeAddresses(state.slot!).loopbackIp}:${
          CONTROL_PLANE_PORTS.kwok
        }`,
      ],
      path.join(paths.state, 'logs'),
    );
    kwokLog = started.log;
    state.processes.push(started);
    writeState(paths.state, state);
  } finally {
    release();
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(paths.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const maxPods = String(options.maxPods ?? 110);
  for (let i = 0; i < options.nodes; i++) {
    await core.createNode({
      body: {
        metadata: {
          name: `kwok-${i}`,
          annotations: { [SIMULATED_NODE_KEY]: 'fake' },
          labels: { type: 'kwok', 'kubernetes.io/hostname': `kwok-${i}` },
        },
        spec: {
          podCIDR: `${SIMULATED_POD_RANGE}.${i}.0/24`,
          taints: [
            { key: SIMULATED_NODE_KEY, value: 'fake', effect: 'NoSchedule' },
          ],
        },
        status: {
          capacity: { cpu: '32', memory: '256Gi', pods: maxPods },
          allocatable: { cpu: '32', memory: '256Gi', pods: maxPods },
        },
      },
    });
  }
  const leases = kc.makeApiClient(k8s.CoordinationV1Api);
  await waitFor(
    `${options.nodes} simulated nodes to be Ready and hold a lease`,
    async () => {
      const nodes = await core.listNode({ labelSelector: 'type=kwok' });
      const ready = nodes.items.filter(n =>
        n.status?.conditions?.some(
          c => c.type === 'Ready' && c.status === 'True',
        ),
      );
      const held = await leases.listNamespacedLease({
        namespace: 'kube-node-lease',
      });
      const names = new Set(held.items.map(l => l.metadata?.name));
      return (
        ready.length === options.nodes &&
        ready.every(n => names.has(n.metadata?.name))
      );
    },
    60_000,
    () => tail(kwokLog, 20),
  );
  log(`${options.nodes} simulated nodes Ready (kwok ${KWOK_VERSION})`);
}

/**
 * kwok's stages, as kwokctl sets up a cluster: nodes are initialised and
 * then kept alive with leases, as a kubelet does; pods become Ready, a
 * Job's pods complete, and deleted pods go.
 */
const STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
];

/**
 * Returns kwok's binary and its stages, building the one and copying the
 * others from the Go module proxy the first time.
 */
async function ensureKwok(
  cacheRoot: string,
  log: (line: string) => void,
): Promise<{ binary: string; stages: string }> {
  const dir = path.join(cacheRoot, `kwok-${KWOK_VERSION}`);
  const binary = path.join(dir, 'kwok');
  const stages = path.join(dir, 'stages.yaml');
  if (fs.existsSync(binary) && fs.existsSync(stages)) {
    return { binary, stages };
  }
  if (spawnSync('go', ['version']).status !== 0) {
    throw new Error('building kwok needs Go 1.26 or later on PATH');
  }
  log(
    `building kwok ${KWOK_VERSION} from the Go module proxy into ${dir}: first use only, about 2 minutes`,
  );
  const started = Date.now();
  const env = { GOBIN: dir, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  const module = `sigs.k8s.io/kwok@v${KWOK_VERSION}`;
  fs.mkdirSync(dir, { recursive: true });
  await runWithProgress(
    'go',
    ['install', `sigs.k8s.io/kwok/cmd/kwok@v${KWOK_VERSION}`],
    log,
    () => undefined,
    { env, stillRunning: 'still building' },
  );
  const download = spawnSync('go', ['mod', 'download', '-json', module], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (download.status !== 0) {
    throw new Error(`go mod download ${module} failed: ${download.stderr}`);
  }
  const moduleDir: string = JSON.parse(download.stdout).Dir;
  const documents = STAGES.map(stage =>
    fs.readFileSync(path.join(moduleDir, 'kustomize', 'stage', stage), 'utf8'),
  );
  fs.writeFileSync(`${stages}.tmp`, documents.join('\n---\n'));
  fs.renameSync(`${stages}.tmp`, stages);
  log(`built kwok in ${Math.round((Date.now() - started) / 1000)}s`);
  return { binary, stages };
}
