import { spawnSync } from 'node:child_process';
import { nodeAddresses } from './config';
import { containerdSocket } from './node';

/** Whether the node's containerd answers. */
export async function containerdHealthy(slot: number): Promise<boolean> {
  return (
    spawnSync('ctr', ['--address', containerdSocket(slot), 'version'])
      .status === 0
  );
}

/** Whether the kubelet's (10248) or kube-proxy's (10256) /healthz answers 200. */
export async function nodeComponentHealthy(
  slot: number,
  port: number,
): Promise<boolean> {
  const res = await fetch(
    `http://${nodeAddresses(slot).nodeIp}:${port}/healthz`,
    { signal: AbortSignal.timeout(2000) },
  );
  return res.ok;
}
