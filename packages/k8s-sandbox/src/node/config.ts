import { createHash } from 'node:crypto';

/**
 * The addresses of one sandbox, all inside 198.18.0.0/15 (RFC 2544's
 * benchmarking range, which no real network routes). Each sandbox has a
 * slot from its state folder, so sandboxes of different folders run side
 * by side:
 * - pods: 198.18.<slot>.0/24 on the node's bridge;
 * - Services: 198.19.<slot>.0/24 (the API server's is .1, DNS .10);
 * - the link between the machine and the node's network namespace:
 *   198.19.255.<4·slot+1> on the machine, <4·slot+2> in the node.
 *
 * The control plane listens on the slot's own loopback address,
 * 127.18.<slot>.1, on Kubernetes' usual ports (see CONTROL_PLANE_PORTS).
 * Fixed ports below the kernel's ephemeral range on an address no other
 * sandbox uses cannot be taken while a component restarts: not by another
 * sandbox, nor as the source port of some connection.
 */
export interface NodeAddresses {
  slot: number;
  /** Where etcd, the controller manager and the scheduler listen. */
  loopbackIp: string;
  /** The network namespace the node's processes run in. */
  netns: string;
  /** The machine's end of the link (a veth). */
  hostVeth: string;
  hostIp: string;
  /** The node's end, which is also the node's InternalIP. */
  nodeVeth: string;
  nodeIp: string;
  podCidr: string;
  bridgeIp: string;
  serviceCidr: string;
  dnsIp: string;
}

/**
 * The ports of the control plane: etcd's client and peer ports, the API
 * server's (on the machine's end of the link, where the node reaches it),
 * the controller manager's, the scheduler's, and that of kwok's kubelet-like
 * server when the sandbox simulates nodes.
 */
export const CONTROL_PLANE_PORTS = {
  etcd: 2379,
  etcdPeer: 2380,
  apiServer: 6443,
  controllerManager: 10257,
  scheduler: 10259,
  kwok: 10250,
} as const;

/** Slots run from 0 to 62: four link addresses each fit in 198.19.255.0/24. */
export const SLOTS = 63;

/** The slot of the sandbox in `stateDir`. */
export function slotOf(stateDir: string): number {
  return createHash('sha256').update(stateDir).digest()[0] % SLOTS;
}

/** The addresses of the sandbox in slot `slot`. */
export function nodeAddresses(slot: number): NodeAddresses {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) {
    throw new Error(`slot must be an integer from 0 to ${SLOTS - 1}`);
  }
  return {
    slot,
    loopbackIp: `127.18.${slot}.1`,
    netns: `k8s-sandbox-${slot}`,
    hostVeth: `sbx${slot}h`,
    hostIp: `198.19.255.${4 * slot + 1}`,
    nodeVeth: `sbx${slot}n`,
    nodeIp: `198.19.255.${4 * slot + 2}`,
    podCidr: `198.18.${slot}.0/24`,
    bridgeIp: `198.18.${slot}.1`,
    serviceCidr: `198.19.${slot}.0/24`,
    dnsIp: `198.19.${slot}.10`,
  };
}

/**
 * The CNI network: a bridge with host-local addresses and a port-mapping
 * chain. host-local keeps its leases in `ipamDir`, not in the machine's
 * /var/lib/cni: there every sandbox's node would share one "last address
 * given" and hand out the address a pod just left, which the bridge still
 * maps to that pod's old veth for a while (connections to it time out).
 */
export function cniConflist(a: NodeAddresses, ipamDir: string): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'sandbox',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: ipamDir,
            ranges: [[{ subnet: a.podCidr, gateway: a.bridgeIp }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/** containerd's configuration (format 2, containerd 1.6 and 1.7). */
export function containerdConfig(options: {
  root: string;
  state: string;
  socket: string;
  cniConfDir: string;
  cniBinDir: string;
  pauseImage: string;
}): string {
  return `version = 2
root = "${options.root}"
state = "${options.state}"

[grpc]
  address = "${options.socket}"

[ttrpc]
  address = "${options.socket}.ttrpc"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${options.pauseImage}"
  # This machine lacks CAP_SYS_RESOURCE: without this every pod sandbox fails
  # with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  # Pods' network namespaces under the state folder, not /var/run/netns,
  # where \`down\` could not tell them from another sandbox's.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${options.cniBinDir}"
    conf_dir = "${options.cniConfDir}"
`;
}

/** The kubelet's KubeletConfiguration. */
export function kubeletConfig(options: {
  addresses: NodeAddresses;
  clientCaFile: string;
  staticPodPath?: string;
  cgroupRoot: string;
  maxPods: number;
  /** Where containers' logs go instead of the fixed /var/log/pods. */
  podLogsDir: string;
}): string {
  const a = options.addresses;
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: a.nodeIp,
      port: 10250,
      readOnlyPort: 0,
      healthzBindAddress: a.nodeIp,
      healthzPort: 10248,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: options.clientCaFile },
      },
      authorization: { mode: 'Webhook' },
      clusterDomain: 'cluster.local',
      clusterDNS: [a.dnsIp],
      // The machine's cgroups are v1 with no systemd as PID 1.
      cgroupDriver: 'cgroupfs',
      failCgroupV1: false,
      // Pods of sandboxes side by side stay apart in the cgroup tree.
      cgroupRoot: options.cgroupRoot,
      cgroupsPerQOS: true,
      enforceNodeAllocatable: ['pods'],
      failSwapOn: false,
      // A test machine's disk may be fuller than a node's defaults allow;
      // the sandbox evicts nothing for disk.
      evictionHard: { 'memory.available': '100Mi' },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      maxPods: options.maxPods,
      podLogsDir: options.podLogsDir,
      podCIDR: a.podCidr,
      resolvConf: '/dev/null',
      serializeImagePulls: false,
      // Quick pod status and probe reporting for tests, as on a small node.
      nodeStatusUpdateFrequency: '10s',
      syncFrequency: '10s',
      fileCheckFrequency: '10s',
      runtimeRequestTimeout: '5m',
      containerLogMaxSize: '10Mi',
      containerLogMaxFiles: 2,
      rotateCertificates: false,
      serverTLSBootstrap: false,
      protectKernelDefaults: false,
      makeIPTablesUtilChains: false,
      localStorageCapacityIsolation: true,
    },
    null,
    2,
  );
}

/** kube-proxy's KubeProxyConfiguration (iptables mode: the kernel has no IPVS). */
export function kubeProxyConfig(options: {
  addresses: NodeAddresses;
  kubeconfig: string;
  hostnameOverride: string;
}): string {
  const a = options.addresses;
  return JSON.stringify(
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      mode: 'iptables',
      clientConnection: { kubeconfig: options.kubeconfig },
      hostnameOverride: options.hostnameOverride,
      clusterCIDR: a.podCidr,
      nodePortAddresses: ['primary'],
      bindAddress: a.nodeIp,
      healthzBindAddress: `${a.nodeIp}:10256`,
      metricsBindAddress: `${a.nodeIp}:10249`,
      // conntrack's table size is the machine's; kube-proxy must not touch it.
      conntrack: { maxPerCore: 0 },
      iptables: {
        masqueradeAll: false,
        syncPeriod: '30s',
        minSyncPeriod: '1s',
      },
    },
    null,
    2,
  );
}

/**
 * CoreDNS's Corefile, for its pod behind the `kube-dns` Service:
 * `cluster.local` and the reverse zones from the API server, and nothing
 * else. It has no `forward`: the sandbox reaches no network beyond the
 * machine, so every other name fails at once instead of timing out.
 */
export const COREFILE = `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    cache 30
    loop
    reload
}
`;
