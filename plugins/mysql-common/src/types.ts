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
  'Deleting',
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
  /** When the backend recorded the instance (ISO 8601). */
  createdAt?: string;
  /** The server runs a version other than the one its image declares. */
  drift?: boolean;
  /** The desired my.cnf is not the one the server runs: it waits for a restart. */
  pendingRestart?: boolean;
  /** The last completed backup of this instance, if any (in `GET /instances`). */
  lastBackup?: { completedAt: string };
  /**
   * Why the instance needs attention, empty when it does not (in the list
   * of `GET /instances`); see {@link MysqlAttentionReason}.
   */
  needsAttention?: MysqlAttentionReason[];
}

/**
 * One reason an instance needs attention: `phase` (Degraded or
 * Unreachable), `drift` (the server runs another version than its image
 * declares), `pendingRestart` (a configuration waits for a restart that no
 * rollout is bringing), `backup` (no backup has completed yet, or the last
 * one is older than the backup schedule allows). `message` says it in words.
 *
 * @public
 */
export interface MysqlAttentionReason {
  kind: 'phase' | 'drift' | 'pendingRestart' | 'backup';
  message: string;
}

/**
 * The query parameters of `GET /instances`, all optional. `owner` is an
 * entity ref (`group:default/team-a`) or just its name (`team-a`);
 * `q` is a substring of the instance name (case-insensitive);
 * `needsAttention` keeps the instances with at least one
 * {@link MysqlAttentionReason}. Filters apply to what the caller may read.
 * With any parameter the answer is one page: `limit` (default 100, at
 * most 500) items from `offset` (default 0), ordered by name, cluster and
 * namespace; without parameters it holds every instance.
 *
 * @public
 */
export interface MysqlInstanceListQuery {
  owner?: string;
  cluster?: string;
  phase?: MysqlInstancePhase;
  needsAttention?: boolean;
  q?: string;
  limit?: number;
  offset?: number;
}

/**
 * The body of `GET /instances`: the page of instances asked for, and
 * `totalCount`, how many match the filters in all.
 *
 * @public
 */
export interface MysqlInstanceListResponse {
  items: MysqlInstanceSummary[];
  totalCount: number;
}

/**
 * One event in an instance's history; `at` is ISO 8601 and `actor` the
 * entity ref of the user, when a user caused it.
 *
 * @public
 */
export interface MysqlHistoryEntry {
  at: string;
  kind:
    | 'edit'
    | 'restart'
    | 'rollback'
    | 'version'
    | 'provision'
    | 'delete'
    | 'backup'
    | 'restore'
    | 'upgrade';
  actor?: string;
  message: string;
}

/**
 * The body of `GET /instances/:cluster/:namespace/:name`. `config.desired`
 * is `spec.config` of the instance's MysqlInstance, `config.applied` what the server reports;
 * `pending` names the variables where they differ; `mode` is the
 * reconciler's (`restart`: every change restarts the server; `online`:
 * changes of dynamic variables only apply without a restart). `resourceVersion` is
 * the MysqlInstance's `metadata.generation`, to send back with the next
 * update; it moves exactly when the spec does, never with status.
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
  /** Set while, and after, the instance was filled from a backup. */
  restore?: MysqlRestoreStatus;
  /** The last version upgrade, while it runs and after. */
  upgrade?: MysqlUpgradeStatus;
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
  /**
   * With `finalBackup` (202): nothing is deleted yet. The instance shows
   * Deleting; the delete runs once the final backup completed, and not at
   * all if it fails, which its history then says.
   */
  pending?: { backup?: string; message: string };
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
  /** Start with the data of this backup of another instance. */
  restoreFrom?: MysqlRestoreSource;
  /** When to back the instance up; the backend's defaults otherwise. */
  backup?: UpdateMysqlBackupPolicyRequest;
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

/**
 * Where an instance's backups go: `pvc`, a volume claim of its own in its
 * namespace, or `s3`, the S3-compatible bucket configured for its cluster.
 *
 * @public
 */
export type MysqlBackupTarget = 'pvc' | 's3';

/**
 * The state of one backup.
 *
 * @public
 */
export type MysqlBackupStatus = 'Running' | 'Completed' | 'Failed';

/**
 * One backup of an instance: a logical dump of its database, taken by a
 * Kubernetes Job with the server's own dump tool. `location` is where the
 * dump is (`pvc://<claim>/<file>` or `s3://<bucket>/<key>`); `message` is
 * the tool's or the target's own words when it failed. `trigger` says why
 * it was taken.
 *
 * @public
 */
export interface MysqlBackup {
  id: string;
  status: MysqlBackupStatus;
  startedAt: string;
  completedAt?: string;
  sizeBytes?: number;
  location: string;
  message?: string;
  trigger: 'manual' | 'schedule' | 'upgrade' | 'delete';
  actor?: string;
}

/**
 * When an instance is backed up: a five-field cron expression (UTC), and
 * how many completed backups are kept. Older ones are removed from the
 * target after a newer one completes.
 *
 * @public
 */
export interface MysqlBackupPolicy {
  target: MysqlBackupTarget;
  schedule: string;
  retention: number;
}

/**
 * The body of `GET /instances/:cluster/:namespace/:name/backups`: the
 * newest first, with the policy, the last completed backup and whether
 * it is older than the schedule promises.
 *
 * @public
 */
export interface MysqlBackupListResponse {
  items: MysqlBackup[];
  policy: MysqlBackupPolicy;
  lastCompletedAt?: string;
  /** Set when the last completed backup is older than the schedule allows, saying so. */
  stale?: string;
}

/**
 * The answer to `POST /instances/:cluster/:namespace/:name/backups` (202).
 *
 * @public
 */
export interface CreateMysqlBackupResponse {
  id: string;
  status: MysqlBackupStatus;
}

/**
 * The body of `PUT /instances/:cluster/:namespace/:name/backups/policy`.
 * Fields left out keep their value.
 *
 * @public
 */
export interface UpdateMysqlBackupPolicyRequest {
  target?: MysqlBackupTarget;
  schedule?: string;
  retention?: number;
}

/**
 * In `POST /instances`: the backup whose data the new instance starts
 * with. `instance` is `<cluster>/<namespace>/<name>`.
 *
 * @public
 */
export interface MysqlRestoreSource {
  instance: string;
  backup: string;
}

/**
 * The restore of a new instance from a backup, as its detail shows it.
 *
 * @public
 */
export interface MysqlRestoreStatus {
  source: MysqlRestoreSource;
  status: 'Pending' | 'Running' | 'Completed' | 'Failed';
  message?: string;
}

/**
 * The body of `PUT /instances/:cluster/:namespace/:name/version`: the image
 * to run, and the `resourceVersion` of the detail it was decided on.
 *
 * @public
 */
export interface UpdateMysqlVersionRequest {
  image: string;
  resourceVersion: string;
}

/**
 * An upgrade in progress or just finished, as the detail shows it: from
 * and to which image, the backup taken first, and where it stands.
 *
 * @public
 */
export interface MysqlUpgradeStatus {
  from: string;
  to: string;
  /** The backup taken first, once it started. */
  backup?: string;
  /** Who asked for the upgrade. */
  actor?: string;
  status:
    | 'BackingUp'
    | 'Upgrading'
    | 'RollingBack'
    | 'Completed'
    | 'RolledBack'
    | 'Failed';
  message?: string;
  at: string;
}
