import { MysqlInstanceResource } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';

/**
 * The MysqlInstance `orders` of team-a on mysql:9.7, asking for `config`,
 * with `metadata` added to its own.
 */
export function mysqlInstanceResource(
  config: Record<string, string>,
  metadata: k8s.V1ObjectMeta = {},
): MysqlInstanceResource {
  return {
    apiVersion: 'mysql.backstage.io/v1alpha1',
    kind: 'MysqlInstance',
    metadata: { name: 'orders', ...metadata },
    spec: {
      owner: 'group:default/team-a',
      image: 'mysql:9.7',
      config,
      storage: { size: '1Gi' },
    },
  };
}
