import { Config } from '@backstage/config';
import {
  MysqlInstanceSize,
  MysqlResources,
} from '@mysql-portal/plugin-mysql-common';

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
  /** The volume size and resources of each size the create form offers. */
  sizes: Record<MysqlInstanceSize, MysqlInstanceSizeSpec>;
}

/**
 * What one instance size sets, unless a create request says otherwise.
 *
 * @public
 */
export interface MysqlInstanceSizeSpec {
  /** The data volume's size, e.g. `5Gi`. */
  storage: string;
  /** The server container's requests and limits. */
  resources: MysqlResources;
}

/**
 * The built-in sizes, which `mysql.provision.sizes` overrides key by key.
 *
 * @public
 */
export const DEFAULT_MYSQL_SIZES: Record<
  MysqlInstanceSize,
  MysqlInstanceSizeSpec
> = {
  small: {
    storage: '5Gi',
    resources: {
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    },
  },
  medium: {
    storage: '20Gi',
    resources: {
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '2', memory: '2Gi' },
    },
  },
  large: {
    storage: '100Gi',
    resources: {
      requests: { cpu: '1', memory: '4Gi' },
      limits: { cpu: '4', memory: '8Gi' },
    },
  },
};

function readSizes(config: Config) {
  const sizes = structuredClone(DEFAULT_MYSQL_SIZES);
  for (const size of Object.keys(sizes) as MysqlInstanceSize[]) {
    const given = config.getOptionalConfig(`mysql.provision.sizes.${size}`);
    if (!given) continue;
    sizes[size].storage =
      given.getOptionalString('storage') ?? sizes[size].storage;
    for (const bound of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory'] as const) {
        const value = given.getOptionalString(`resources.${bound}.${resource}`);
        if (value !== undefined) {
          sizes[size].resources[bound] = {
            ...sizes[size].resources[bound],
            [resource]: value,
          };
        }
      }
    }
  }
  return sizes;
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
    sizes: readSizes(config),
  };
}
