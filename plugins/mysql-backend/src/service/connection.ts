import { MysqlConnectionDetails } from '@mysql-portal/plugin-mysql-common';
import { MYSQL_SECRET_KEYS } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { InstanceRecord } from './InstanceRecords';

const PORT = 3306;

/**
 * How an application connects to the instance of `record`, for pods in the
 * instance's namespace (a Secret can be mounted only there). The env list
 * takes every value it can from the Secret, the password always.
 */
export function connectionDetails(
  record: InstanceRecord,
  names: { databaseName?: string; username?: string } = record,
): MysqlConnectionDetails {
  const host = `${record.name}.${record.namespace}.svc.cluster.local`;
  const fromSecret = (name: string, key: string): k8s.V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: record.name, key } },
  });
  const env: k8s.V1EnvVar[] = [
    { name: 'MYSQL_HOST', value: host },
    { name: 'MYSQL_PORT', value: String(PORT) },
    fromSecret('MYSQL_DATABASE', MYSQL_SECRET_KEYS.database),
    fromSecret('MYSQL_USER', MYSQL_SECRET_KEYS.username),
    fromSecret('MYSQL_PASSWORD', MYSQL_SECRET_KEYS.password),
  ];
  return {
    host,
    port: PORT,
    database: names.databaseName,
    user: names.username,
    secretName: record.name,
    passwordKey: MYSQL_SECRET_KEYS.password,
    env: k8s.dumpYaml({ env }),
  };
}
