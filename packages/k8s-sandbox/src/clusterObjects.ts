import * as k8s from '@kubernetes/client-node';
import dns from 'node:dns';

export { NODE_NAME } from './node/node';
export { STORAGE_CLASS, PROVISIONER } from './node/addons';

function loadConfig(kubeconfig: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc;
}

/**
 * Whether the service-account controller has made namespace default's
 * account, which pods of that namespace need before they are admitted.
 */
export async function defaultServiceAccountReady(kubeconfig: string) {
  const core = loadConfig(kubeconfig).makeApiClient(k8s.CoreV1Api);
  await core.readNamespacedServiceAccount({
    name: 'default',
    namespace: 'default',
  });
  return true;
}

/** Whether every node the cluster has reports Ready. */
export async function nodeReady(kc: k8s.KubeConfig) {
  const nodes = await kc.makeApiClient(k8s.CoreV1Api).listNode();
  return (
    nodes.items.length > 0 &&
    nodes.items.every(node =>
      node.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      ),
    )
  );
}

/**
 * Whether the cluster DNS answers for the `kubernetes` Service with its
 * address, asked from the machine through the Service address and
 * kube-proxy, as a pod asks it.
 */
export async function clusterDnsAnswers(dnsIp: string, serviceIp: string) {
  const resolver = new dns.promises.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([dnsIp]);
  const addresses = await resolver.resolve4(
    'kubernetes.default.svc.cluster.local',
  );
  return addresses.includes(serviceIp);
}
