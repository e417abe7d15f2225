import * as k8s from '@kubernetes/client-node';

/** The cluster domain of microk8s' CoreDNS, and so of the sandbox. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** The label that ties an EndpointSlice to its Service. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The pod whose hosts file is written. */
export interface HostsFilePod {
  name: string;
  namespace: string;
  ip: string;
  hostname?: string;
  subdomain?: string;
}

/** What {@link clusterHostsFile} answers from. */
export interface ClusterHostsInput {
  pod: HostsFilePod;
  services: k8s.V1Service[];
  /**
   * The Services' EndpointSlices (the API server refuses loopback pod
   * addresses in Endpoints, not in EndpointSlices; CoreDNS reads these too).
   */
  endpointSlices: k8s.V1EndpointSlice[];
  /**
   * Where a Service without a ready pod resolves to: an address nothing
   * listens on, so a client is refused at once, as kube-proxy rejects
   * connections to such a Service's cluster IP.
   */
  refusedAddress: string;
}

/** The names CoreDNS answers for `name` in `namespace`, as seen from `from`. */
function serviceNames(name: string, namespace: string, from: string) {
  const names = [
    `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`,
    `${name}.${namespace}.svc`,
    `${name}.${namespace}`,
  ];
  // Short names work through the pod's resolv.conf search list, whose first
  // entry is its own namespace.
  if (namespace === from) names.push(name);
  return names;
}

/**
 * A pod's /etc/hosts that answers the cluster DNS names CoreDNS would:
 * `<service>.<namespace>.svc.cluster.local` (and the shorter forms a pod's
 * search list makes of it) resolves to the address of a ready pod behind
 * the Service (its EndpointSlices), since the sandbox has no Service proxy
 * to route a cluster IP;
 * a headless Service resolves to each ready pod, and
 * `<hostname>.<service>.<namespace>.svc.cluster.local` to that pod.
 */
export function clusterHostsFile(input: ClusterHostsInput): string {
  const { pod } = input;
  const lines = [
    '# Kubernetes-managed hosts file (the sandbox: cluster DNS names too).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
  ];
  const hostname = pod.hostname ?? pod.name;
  lines.push(
    pod.subdomain
      ? `${pod.ip}\t${hostname}.${pod.subdomain}.${pod.namespace}.svc.${CLUSTER_DOMAIN}\t${hostname}`
      : `${pod.ip}\t${hostname}`,
  );
  const endpointsOf = new Map<string, k8s.V1Endpoint[]>();
  for (const slice of input.endpointSlices) {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!service || slice.addressType !== 'IPv4') continue;
    const key = `${slice.metadata?.namespace}/${service}`;
    // Not ready is false; unset is ready, as the API documents.
    const ready = (slice.endpoints ?? []).filter(
      e => e.conditions?.ready !== false && e.addresses?.length,
    );
    endpointsOf.set(key, [...(endpointsOf.get(key) ?? []), ...ready]);
  }
  const services = [...input.services].sort((a, b) =>
    `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
      `${b.metadata?.namespace}/${b.metadata?.name}`,
    ),
  );
  for (const service of services) {
    const name = service.metadata?.name;
    const namespace = service.metadata?.namespace;
    if (!name || !namespace || service.spec?.type === 'ExternalName') continue;
    const names = serviceNames(name, namespace, pod.namespace).join(' ');
    const endpoints = endpointsOf.get(`${namespace}/${name}`) ?? [];
    const headless = service.spec?.clusterIP === 'None';
    if (headless) {
      for (const endpoint of endpoints) {
        const ip = endpoint.addresses[0];
        lines.push(`${ip}\t${names}`);
        if (endpoint.hostname) {
          const pods = serviceNames(
            `${endpoint.hostname}.${name}`,
            namespace,
            pod.namespace,
          );
          lines.push(`${ip}\t${pods.join(' ')}`);
        }
      }
    } else {
      const ip = endpoints[0]?.addresses[0] ?? input.refusedAddress;
      lines.push(`${ip}\t${names}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
