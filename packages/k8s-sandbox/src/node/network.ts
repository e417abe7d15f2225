import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { NodeAddresses } from './config';

function ip(args: string[], allowFailure = false) {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
  }
  return result;
}

/** The path of a network namespace that `ip netns add` made. */
export function netnsPath(a: NodeAddresses): string {
  return `/run/netns/${a.netns}`;
}

/** Whether the node's network namespace exists. */
export function nodeNetworkExists(a: NodeAddresses): boolean {
  return fs.existsSync(netnsPath(a));
}

/**
 * Makes the node's network namespace and its link to the machine. The
 * node's processes (containerd, the kubelet, kube-proxy) run in it, so the
 * pods' bridge, their iptables rules and kube-proxy's chains all live in a
 * namespace of the sandbox's own, and removing it removes them. The machine
 * reaches pods and Services through a route over the link; nothing is
 * routed anywhere else (the namespace has no default route).
 */
export function createNodeNetwork(a: NodeAddresses): void {
  removeNodeNetwork(a);
  ip(['netns', 'add', a.netns]);
  const inNs = (args: string[]) => ip(['-n', a.netns, ...args]);
  ip(['link', 'add', a.hostVeth, 'type', 'veth', 'peer', 'name', a.nodeVeth]);
  ip(['link', 'set', a.nodeVeth, 'netns', a.netns]);
  ip(['addr', 'add', `${a.hostIp}/30`, 'dev', a.hostVeth]);
  ip(['link', 'set', a.hostVeth, 'up']);
  inNs(['addr', 'add', `${a.nodeIp}/30`, 'dev', a.nodeVeth]);
  inNs(['link', 'set', a.nodeVeth, 'up']);
  inNs(['link', 'set', 'lo', 'up']);
  ip(['route', 'add', a.podCidr, 'via', a.nodeIp, 'dev', a.hostVeth]);
  ip(['route', 'add', a.serviceCidr, 'via', a.nodeIp, 'dev', a.hostVeth]);
  // These are the namespace's own copies: the machine's stay as they are.
  const sysctl = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      a.netns,
      'sysctl',
      '-qw',
      'net.ipv4.ip_forward=1',
      'net.bridge.bridge-nf-call-iptables=1',
    ],
    { encoding: 'utf8' },
  );
  if (sysctl.status !== 0) {
    throw new Error(`sysctl in ${a.netns}: ${sysctl.stderr.trim()}`);
  }
}

/**
 * Removes the node's network namespace (with the bridge, the pods' veths,
 * and every iptables chain in it) and the machine's end of the link, with
 * its routes. Does nothing when they are gone.
 */
export function removeNodeNetwork(a: NodeAddresses): void {
  ip(['link', 'del', a.hostVeth], true);
  if (nodeNetworkExists(a)) ip(['netns', 'del', a.netns], true);
}

/** The command line that runs `command` in the node's network namespace. */
export function inNodeNetwork(
  a: NodeAddresses,
  command: string,
  args: string[],
): { command: string; args: string[] } {
  // nsenter enters only the network namespace: unlike `ip netns exec` it
  // keeps the machine's mount namespace, so the volumes the kubelet mounts
  // are the ones containerd sees.
  return {
    command: 'nsenter',
    args: [`--net=${netnsPath(a)}`, '--', command, ...args],
  };
}
