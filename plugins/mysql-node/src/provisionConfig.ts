import { Config } from '@backstage/config';

/**
 * Images offered when `mysql.images` is not set; the first is the default.
 *
 * @public
 */
export const DEFAULT_MYSQL_IMAGES = ['mysql:9.7', 'mysql:8.4', 'mariadb:10.11'];

/**
 * Provisioning settings from app-config, as plain values.
 *
 * @public
 */
export interface MysqlProvisionConfig {
  images: string[];
  storageClass: string;
  readyTimeoutSeconds: number;
}

/**
 * Reads `mysql.images` and `mysql.provision`.
 *
 * @public
 */
export function readMysqlProvisionConfig(config: Config): MysqlProvisionConfig {
  const images =
    config.getOptionalStringArray('mysql.images') ?? DEFAULT_MYSQL_IMAGES;
  return {
    images: images.length > 0 ? images : DEFAULT_MYSQL_IMAGES,
    storageClass:
      config.getOptionalString('mysql.provision.storageClass') ??
      'microk8s-hostpath',
    readyTimeoutSeconds:
      config.getOptionalNumber('mysql.provision.readyTimeoutSeconds') ?? 300,
  };
}
