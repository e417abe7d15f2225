import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CreateMysqlInstanceRequest,
  isDnsLabel,
  MysqlResources,
  validateMysqlConfig,
} from '@mysql-portal/plugin-mysql-common';
import {
  MysqlClusters,
  MysqlInstanceSpec,
  MysqlProvisionConfig,
} from '@mysql-portal/plugin-mysql-node';

/** Kubernetes resource quantities: `500m`, `1`, `256Mi`, `1.5Gi`, `1G`. */
const QUANTITY = /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const MYSQL_IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;
const MYSQL_USERNAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** `name` feeds object names such as `<name>-headless` and PVC names. */
export const MAX_NAME_LENGTH = 40;

/** A checked create request: the instance spec and where it goes. */
export interface ProvisionRequest {
  cluster: string;
  spec: MysqlInstanceSpec;
  adoptExistingData: boolean;
}

function normaliseOwner(owner: string): string {
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    }),
  );
}

/**
 * Checks every field of a create request and reports all problems at once,
 * each naming its field, as one InputError.
 */
export function toProvisionRequest(
  input: CreateMysqlInstanceRequest,
  clusters: MysqlClusters,
  provision: MysqlProvisionConfig,
  restore?: {
    /**
     * The image of the instance a restore copies: the default, and allowed
     * although mysql.images may not list it (an upgrade took it there).
     */
    sourceImage?: string;
  },
): ProvisionRequest {
  const problems: string[] = [];
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) problems.push(`${field}: ${message}`);
  };

  const name = input.name ?? '';
  check(
    isDnsLabel(name, MAX_NAME_LENGTH),
    'name',
    `"${name}" must be a DNS-1123 label of at most ${MAX_NAME_LENGTH} characters: lower-case letters, digits and '-', starting and ending with a letter or digit`,
  );

  let owner = input.owner ?? '';
  try {
    owner = normaliseOwner(owner);
  } catch (error) {
    problems.push(
      `owner: "${owner}" is not an entity ref (${(error as Error).message})`,
    );
  }

  let clusterName = '';
  let allowed: string[] = [];
  let namespace = input.namespace ?? '';
  try {
    const cluster = clusters.resolve(input.cluster);
    clusterName = cluster.name;
    allowed = cluster.allowedNamespaces;
    namespace = input.namespace || cluster.defaultNamespace;
  } catch (error) {
    problems.push(`cluster: ${(error as Error).message}`);
  }
  if (!isDnsLabel(namespace)) {
    // Without a known cluster there is no default to complain about.
    if (clusterName || input.namespace) {
      problems.push(`namespace: "${namespace}" must be a DNS-1123 label`);
    }
  } else if (clusterName) {
    check(
      allowed.includes(namespace),
      'namespace',
      `"${namespace}" is not allowed on cluster ${clusterName}; choose one of: ${allowed.join(
        ', ',
      )} (mysql.clusters[].allowedNamespaces)`,
    );
  }

  const sourceImage = restore?.sourceImage;
  const image = input.version || sourceImage || provision.images[0];
  check(
    provision.images.includes(image) || image === sourceImage,
    'version',
    `"${image}" is not allowed here; choose one of: ${provision.images.join(
      ', ',
    )}${sourceImage ? ` or the source's ${sourceImage}` : ''}`,
  );

  const size = input.size ? provision.sizes[input.size] : undefined;
  check(
    input.size === undefined || size !== undefined,
    'size',
    `"${input.size}" is not a size; choose small, medium or large`,
  );
  const storageSize = input.storageSize || size?.storage || '10Gi';
  check(
    QUANTITY.test(storageSize),
    'storageSize',
    `"${storageSize}" is not a Kubernetes quantity such as 10Gi`,
  );
  const storageClass = input.storageClass || provision.storageClass;
  check(
    /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(storageClass),
    'storageClass',
    `"${storageClass}" is not a StorageClass name`,
  );

  const resources: MysqlResources = {};
  for (const bound of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      const value =
        input.resources?.[bound]?.[resource] ??
        size?.resources[bound]?.[resource];
      if (value === undefined) continue;
      check(
        QUANTITY.test(value),
        `resources.${bound}.${resource}`,
        `"${value}" is not a Kubernetes quantity`,
      );
      resources[bound] = { ...resources[bound], [resource]: value };
    }
  }

  const databaseName = input.databaseName || name.replace(/-/g, '_');
  check(
    MYSQL_IDENTIFIER.test(databaseName),
    'databaseName',
    `"${databaseName}" must be 1 to 64 letters, digits or '_'`,
  );
  const username = input.username || 'app';
  check(
    MYSQL_USERNAME.test(username),
    'username',
    `"${username}" must start with a letter and have at most 32 letters, digits or '_'`,
  );

  const config = validateMysqlConfig(input.config ?? {}, { image });
  for (const problem of config.problems) {
    problems.push(`config.${problem.field}: ${problem.message}`);
  }

  if (problems.length > 0) {
    throw new InputError(`Invalid request:\n- ${problems.join('\n- ')}`);
  }
  return {
    cluster: clusterName,
    adoptExistingData: input.adoptExistingData ?? false,
    spec: {
      name,
      namespace,
      owner,
      image,
      storage: { size: storageSize, storageClass },
      resources,
      databaseName,
      username,
      config: config.values,
    },
  };
}
