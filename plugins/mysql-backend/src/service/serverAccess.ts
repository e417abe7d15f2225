import {
  MYSQL_SECRET_KEYS,
  MysqlClusters,
} from '@mysql-portal/plugin-mysql-node';
import { InstanceObjects } from './InstanceCache';

/** Where the backend connects to an instance's server, per the cluster's `podAccess`. */
export function serverAddress(
  clusters: MysqlClusters,
  inst: InstanceObjects,
): string {
  const { podAccess } = clusters.resolve(inst.cluster);
  if (podAccess === 'serviceDns') {
    return `${inst.name}.${inst.namespace}.svc.cluster.local`;
  }
  const pod = inst.pods.find(
    p => p.status?.podIP && !p.metadata?.deletionTimestamp,
  );
  if (!pod) throw new Error('no running pod');
  return pod.status!.podIP!;
}

/**
 * Reads one user's name and password from the instance's Secret. Secrets
 * are read one by one, never listed, and what comes back is never logged.
 */
export async function readServerCredentials(
  clusters: MysqlClusters,
  inst: InstanceObjects,
  who: 'monitor' | 'root',
): Promise<{ user: string; password: string }> {
  const { core } = clusters.client(inst.cluster);
  const secret = await core.readNamespacedSecret({
    name: inst.name,
    namespace: inst.namespace,
  });
  const decode = (key: string) =>
    Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  return who === 'root'
    ? { user: 'root', password: decode(MYSQL_SECRET_KEYS.rootPassword) }
    : {
        user: decode(MYSQL_SECRET_KEYS.monitorUsername),
        password: decode(MYSQL_SECRET_KEYS.monitorPassword),
      };
}
