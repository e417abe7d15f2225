import type { MysqlInstanceRef } from './types';

/**
 * Annotation on a catalog entity naming the instance it stands for, as
 * `<cluster>/<namespace>/<name>` (see {@link formatInstanceRef}).
 *
 * @public
 */
export const MYSQL_INSTANCE_ANNOTATION = 'mysql.backstage.io/instance';

/**
 * Annotation on every Kubernetes object of an instance, holding the owner's
 * entity ref.
 *
 * @public
 */
export const MYSQL_OWNER_ANNOTATION = 'mysql.backstage.io/owner';

/**
 * Annotation on the StatefulSet pod template holding the hash of the
 * rendered my.cnf; changing it rolls the pod.
 *
 * @public
 */
export const MYSQL_CONFIG_HASH_ANNOTATION = 'mysql.backstage.io/config-hash';

/**
 * Value of the `app.kubernetes.io/managed-by` label on every object the
 * plugins create. Objects without it are never modified.
 *
 * @public
 */
export const MYSQL_MANAGED_BY = 'backstage-mysql';

/**
 * Names of the labels put on every object of an instance.
 *
 * @public
 */
export const MYSQL_LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
  kubernetesId: 'backstage.io/kubernetes-id',
} as const;

/**
 * Key of the my.cnf file in an instance's ConfigMap.
 *
 * @public
 */
export const MY_CNF_KEY = 'my.cnf';

/**
 * The labels for every object of the instance `name`.
 *
 * @public
 */
export function mysqlLabels(name: string): Record<string, string> {
  return {
    [MYSQL_LABELS.name]: 'mysql',
    [MYSQL_LABELS.instance]: name,
    [MYSQL_LABELS.managedBy]: MYSQL_MANAGED_BY,
    [MYSQL_LABELS.kubernetesId]: name,
  };
}

function checkRefPart(part: string, label: string): void {
  if (typeof part !== 'string' || part === '' || part.includes('/')) {
    throw new Error(
      `Invalid MySQL instance ${label} ${JSON.stringify(
        part,
      )}: must be a non-empty string without "/"`,
    );
  }
}

/**
 * Formats an instance ref as `<cluster>/<namespace>/<name>`, the value of
 * {@link MYSQL_INSTANCE_ANNOTATION}. Throws if a part is empty or contains
 * a slash.
 *
 * @public
 */
export function formatInstanceRef(ref: MysqlInstanceRef): string {
  checkRefPart(ref.cluster, 'cluster');
  checkRefPart(ref.namespace, 'namespace');
  checkRefPart(ref.name, 'name');
  return `${ref.cluster}/${ref.namespace}/${ref.name}`;
}

/**
 * Parses `<cluster>/<namespace>/<name>`. Throws unless there are exactly
 * three non-empty parts.
 *
 * @public
 */
export function parseInstanceRef(value: string): MysqlInstanceRef {
  const parts = typeof value === 'string' ? value.split('/') : [];
  if (parts.length !== 3 || parts.some(part => part === '')) {
    throw new Error(
      `Invalid MySQL instance ref ${JSON.stringify(
        value,
      )}: expected <cluster>/<namespace>/<name>`,
    );
  }
  const [cluster, namespace, name] = parts;
  return { cluster, namespace, name };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Whether `value` is an RFC 1123 DNS label (lower-case letters, digits and
 * inner dashes) of at most `maxLength` characters.
 *
 * @public
 */
export function isDnsLabel(value: string, maxLength = 63): boolean {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= maxLength &&
    DNS_LABEL.test(value)
  );
}
