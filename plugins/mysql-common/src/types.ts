/**
 * Where an instance lives: the cluster name from the portal's configuration,
 * the namespace, and the instance (StatefulSet) name.
 *
 * @public
 */
export interface MysqlInstanceRef {
  cluster: string;
  namespace: string;
  name: string;
}

/**
 * Every {@link MysqlInstancePhase}, in lifecycle order.
 *
 * @public
 */
export const MYSQL_INSTANCE_PHASES = [
  'Provisioning',
  'Running',
  'Reconciling',
  'Degraded',
  'Unreachable',
] as const;

/**
 * What an instance is doing, as the backend last saw it.
 *
 * @public
 */
export type MysqlInstancePhase = (typeof MYSQL_INSTANCE_PHASES)[number];

/**
 * Whether `value` is a {@link MysqlInstancePhase}.
 *
 * @public
 */
export function isMysqlInstancePhase(
  value: unknown,
): value is MysqlInstancePhase {
  return (MYSQL_INSTANCE_PHASES as readonly unknown[]).includes(value);
}

/**
 * An instance's phase, an optional explanation and when (ISO 8601) it
 * entered the phase.
 *
 * @public
 */
export interface MysqlInstanceStatus {
  phase: MysqlInstancePhase;
  message?: string;
  since: string;
}

/**
 * One instance in `GET /instances`. `entityRef` is the catalog entity the
 * backend recorded for this exact instance when it created it, and `owner`
 * the owner it recorded; permissions are checked against that entity.
 * `version.server` is the version the server reported, once it has been
 * polled.
 *
 * @public
 */
export interface MysqlInstanceSummary {
  cluster: string;
  namespace: string;
  name: string;
  entityRef: string;
  owner: string;
  status: MysqlInstanceStatus;
  version: { image: string; server?: string };
}

/**
 * The body of `GET /instances`.
 *
 * @public
 */
export interface MysqlInstanceListResponse {
  items: MysqlInstanceSummary[];
}

/**
 * One event in an instance's history; `at` is ISO 8601 and `actor` the
 * entity ref of the user, when a user caused it.
 *
 * @public
 */
export interface MysqlHistoryEntry {
  at: string;
  kind: 'edit' | 'restart' | 'rollback' | 'version' | 'provision' | 'delete';
  actor?: string;
  message: string;
}

/**
 * The body of `GET /instances/:cluster/:namespace/:name`. `config.desired`
 * is the ConfigMap's my.cnf, `config.applied` what the server reports;
 * `pending` names the variables where they differ; `mode` is the
 * reconciler's (`restart`: every change restarts the server; `online`:
 * changes of dynamic variables only apply without a restart). `resourceVersion` is
 * a token of the desired configuration, to send back with the next update;
 * it changes only when the desired configuration does.
 *
 * @public
 */
export interface MysqlInstanceDetail extends MysqlInstanceSummary {
  version: {
    image: string;
    server?: string;
    comment?: string;
    lastPolledAt?: string;
  };
  config: {
    desired: Record<string, string>;
    applied: Record<string, string>;
    pending: string[];
    restartRequired: boolean;
    mode?: 'restart' | 'online';
  };
  resourceVersion: string;
  uptimeSeconds?: number;
  history: MysqlHistoryEntry[];
  connection: MysqlConnectionDetails;
}

/**
 * How an application in the cluster connects to an instance: the Service's
 * DNS name and port, the database and user made at creation, and the
 * Secret (in the instance's namespace) whose `passwordKey` holds the
 * user's password. `env` is a container `env:` list, ready to paste into a
 * pod spec in that namespace; it takes the password from the Secret and
 * never holds it.
 *
 * @public
 */
export interface MysqlConnectionDetails {
  host: string;
  port: number;
  database?: string;
  user?: string;
  secretName: string;
  passwordKey: string;
  env: string;
}

/**
 * The body of `PUT /instances/:cluster/:namespace/:name/config`.
 *
 * @public
 */
export interface UpdateMysqlConfigRequest {
  config: Record<string, string | number | boolean>;
  resourceVersion: string;
}

/**
 * The body of `DELETE /instances/:cluster/:namespace/:name`. `confirm` is
 * the instance's name, typed again. With `keepData` the data volume and the
 * Secret with its passwords stay, so that a new instance of the same name
 * can adopt the data (`adoptExistingData`); without it both are deleted.
 * `finalBackup` asks for a backup first.
 *
 * @public
 */
export interface DeleteMysqlInstanceRequest {
  confirm: string;
  keepData: boolean;
  finalBackup?: boolean;
}

/**
 * The answer to `DELETE /instances/:cluster/:namespace/:name`: the objects
 * deleted and those kept, as `Kind namespace/name`.
 *
 * @public
 */
export interface DeleteMysqlInstanceResponse {
  deleted: string[];
  kept: string[];
}

/**
 * Kubernetes quantities for the server container.
 *
 * @public
 */
export interface MysqlResources {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

/**
 * The sizes a create request can name: each sets the storage, CPU and
 * memory defaults that `storageSize` and `resources` override.
 *
 * @public
 */
export type MysqlInstanceSize = 'small' | 'medium' | 'large';

/**
 * The body of `POST /instances`: what a new instance should be. Only
 * `name` and `owner` are required; `adoptExistingData` lets the new
 * instance use a data volume an earlier instance of the same name left
 * behind (it keeps that data's passwords).
 *
 * @public
 */
export interface CreateMysqlInstanceRequest {
  name: string;
  owner: string;
  cluster?: string;
  namespace?: string;
  version?: string;
  size?: MysqlInstanceSize;
  storageSize?: string;
  storageClass?: string;
  resources?: MysqlResources;
  databaseName?: string;
  username?: string;
  config?: Record<string, string | number | boolean>;
  adoptExistingData?: boolean;
}

/**
 * What a `POST /instances` run created, so that a caller who gives up on it
 * (the instance never became Ready) can undo exactly that run.
 *
 * @public
 */
export interface MysqlProvisionRun {
  id: string;
  /** The objects the run created, as `Kind namespace/name`. */
  created: string[];
}

/**
 * The answer to `POST /instances`: the instance detail, and the run when
 * it created anything (a repeated request with the same input creates
 * nothing and has none).
 *
 * @public
 */
export interface CreateMysqlInstanceResponse extends MysqlInstanceDetail {
  run?: MysqlProvisionRun;
}

/**
 * The answer to `POST /instances?dryRun=true`: where the instance would go
 * and its objects as YAML, without passwords. Nothing is created.
 *
 * @public
 */
export interface MysqlProvisionPlan {
  cluster: string;
  namespace: string;
  name: string;
  entityRef: string;
  owner: string;
  image: string;
  manifests: string;
}
