import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { isDnsLabel, validateMysqlConfig } from '@internal/plugin-mysql-common';
import {
  MysqlClusters,
  MysqlInstanceSpec,
  MysqlProvisionConfig,
} from '@internal/plugin-mysql-node';

/** Kubernetes resource quantities: `500m`, `1`, `256Mi`, `1.5Gi`, `1G`. */
const QUANTITY = /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const MYSQL_IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;
const MYSQL_USERNAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** `name` feeds object names such as `<name>-headless` and PVC names. */
export const MAX_NAME_LENGTH = 40;

/** The action's input as the scaffolder hands it over. */
export interface ProvisionInput {
  name: string;
  owner: string;
  cluster?: string;
  namespace?: string;
  version?: string;
  storageSize?: string;
  storageClass?: string;
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  databaseName?: string;
  username?: string;
  config?: Record<string, string | number | boolean>;
  waitForReady?: boolean;
  timeoutSeconds?: number;
}

/** A validated request: the instance spec plus where it goes. */
export interface ProvisionRequest {
  cluster: string;
  spec: MysqlInstanceSpec;
  waitForReady: boolean;
  timeoutSeconds: number;
}

/**
 * Checks every input field and returns all problems at once, each naming its
 * field, as one InputError.
 */
export function toProvisionRequest(
  input: ProvisionInput,
  clusters: MysqlClusters,
  provision: MysqlProvisionConfig,
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
    const ref = parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    owner = `${ref.kind.toLocaleLowerCase('en-US')}:${ref.namespace}/${
      ref.name
    }`;
  } catch (error) {
    problems.push(
      `owner: "${owner}" is not an entity ref (${(error as Error).message})`,
    );
  }

  let clusterName = '';
  let defaultNamespace = 'default';
  try {
    const cluster = clusters.resolve(input.cluster);
    clusterName = cluster.name;
    defaultNamespace = cluster.defaultNamespace;
  } catch (error) {
    problems.push(`cluster: ${(error as Error).message}`);
  }

  const namespace = input.namespace || defaultNamespace;
  check(
    isDnsLabel(namespace),
    'namespace',
    `"${namespace}" must be a DNS-1123 label`,
  );

  const image = input.version || provision.images[0];
  check(
    provision.images.includes(image),
    'version',
    `"${image}" is not allowed here; choose one of: ${provision.images.join(
      ', ',
    )}`,
  );

  const storageSize = input.storageSize || '10Gi';
  check(
    QUANTITY.test(storageSize),
    'storageSize',
    `"${storageSize}" is not a Kubernetes quantity such as 10Gi`,
  );
  const storageClass = input.storageClass || provision.storageClass;
  check(
    isDnsLabel(storageClass, 253) || /^[a-z0-9.-]+$/.test(storageClass),
    'storageClass',
    `"${storageClass}" is not a StorageClass name`,
  );

  for (const bound of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      const value = input.resources?.[bound]?.[resource];
      if (value !== undefined) {
        check(
          QUANTITY.test(value),
          `resources.${bound}.${resource}`,
          `"${value}" is not a Kubernetes quantity`,
        );
      }
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

  const config = validateMysqlConfig(input.config ?? {});
  for (const problem of config.problems) {
    problems.push(`config.${problem.field}: ${problem.message}`);
  }

  const timeoutSeconds = input.timeoutSeconds ?? provision.readyTimeoutSeconds;
  check(
    Number.isInteger(timeoutSeconds) &&
      timeoutSeconds >= 10 &&
      timeoutSeconds <= 3600,
    'timeoutSeconds',
    'must be a whole number of seconds from 10 to 3600',
  );

  if (problems.length > 0) {
    throw new InputError(
      `Invalid input for mysql:provision:\n- ${problems.join('\n- ')}`,
    );
  }
  return {
    cluster: clusterName,
    waitForReady: input.waitForReady ?? true,
    timeoutSeconds,
    spec: {
      name,
      namespace,
      owner,
      image,
      storage: { size: storageSize, storageClass },
      resources: input.resources ?? {},
      databaseName,
      username,
      config: config.values,
    },
  };
}
