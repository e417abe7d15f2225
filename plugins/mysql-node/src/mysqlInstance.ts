import * as k8s from '@kubernetes/client-node';

/**
 * Where the MysqlInstance custom resource lives in the Kubernetes API; its
 * definition ships in the repository's `deploy/crds`.
 *
 * @public
 */
export const MYSQL_INSTANCE_API = {
  group: 'mysql.backstage.io',
  version: 'v1alpha1',
  plural: 'mysqlinstances',
  kind: 'MysqlInstance',
} as const;

/**
 * On an instance's ConfigMap: the `metadata.generation` of the MysqlInstance
 * whose `spec.config` it was last rendered from. A spec of another
 * generation is rendered again; an edit of the ConfigMap by hand, with the
 * spec unchanged, is left as it is.
 *
 * @public
 */
export const MYSQL_RENDERED_GENERATION_ANNOTATION =
  'mysql.backstage.io/rendered-generation';

/**
 * What the owners of an instance ask for: the spec of a MysqlInstance.
 * Its `metadata.generation` moves exactly when this changes, and is the
 * token a client holds for its next edit.
 *
 * @public
 */
export interface MysqlInstanceResourceSpec {
  /** The owning catalog entity, as a full ref: `group:default/team-a`. */
  owner: string;
  /** The server image, such as `mysql:9.7` or `mariadb:11.8`. */
  image: string;
  /** Server variables of my.cnf's `[mysqld]` section, by name. */
  config?: Record<string, string>;
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  /** The data volume; its size may grow, its class is fixed at creation. */
  storage: { size: string; storageClassName?: string };
  /** The application database and its user, made at creation. */
  database?: { name?: string; user?: string };
  /** When the instance is backed up, where to, and how many are kept. */
  backup?: { target?: 'pvc' | 's3'; schedule?: string; retention?: number };
}

/**
 * One condition of a MysqlInstance, after the Kubernetes API conventions
 * (`metav1.Condition`).
 *
 * @public
 */
export interface MysqlInstanceCondition {
  /** Ready, ConfigApplied, Progressing, Degraded, BackupHealthy… */
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  /** One CamelCase word a program can switch on. */
  reason: string;
  message: string;
}

/**
 * The one operation in progress on an instance, with its own state.
 *
 * @public
 */
export interface MysqlInstanceOperation {
  type: 'Rollout' | 'Rollback' | 'Restart' | 'Upgrade' | 'Restore' | 'Delete';
  state: string;
  /** The spec generation that started it. */
  generation?: number;
  startedAt: string;
  from?: string;
  to?: string;
  message?: string;
}

/**
 * What runs, as the backend last saw it: the status of a MysqlInstance.
 *
 * @public
 */
export interface MysqlInstanceResourceStatus {
  /** The spec generation this status describes. */
  observedGeneration?: number;
  phase?:
    | 'Provisioning'
    | 'Running'
    | 'Reconciling'
    | 'Degraded'
    | 'Unreachable'
    | 'Deleting';
  message?: string;
  version?: { image?: string; server?: string };
  /** The hash of the my.cnf the server runs. */
  configHash?: string;
  operation?: MysqlInstanceOperation;
  conditions?: MysqlInstanceCondition[];
}

/**
 * A MysqlInstance: one MySQL or MariaDB server made through the portal.
 *
 * @public
 */
export interface MysqlInstanceResource extends k8s.KubernetesObject {
  apiVersion: `${typeof MYSQL_INSTANCE_API.group}/${typeof MYSQL_INSTANCE_API.version}`;
  kind: typeof MYSQL_INSTANCE_API.kind;
  metadata: k8s.V1ObjectMeta;
  spec: MysqlInstanceResourceSpec;
  status?: MysqlInstanceResourceStatus;
}
