import { createApiRef } from '@backstage/core-plugin-api';
import {
  CreateMysqlBackupResponse,
  CreateMysqlInstanceRequest,
  CreateMysqlInstanceResponse,
  DeleteMysqlInstanceRequest,
  DeleteMysqlInstanceResponse,
  MysqlBackupListResponse,
  MysqlInstanceDetail,
  MysqlInstanceListQuery,
  MysqlInstanceListResponse,
  MysqlInstanceRef,
  UpdateMysqlConfigRequest,
  UpdateMysqlVersionRequest,
} from '@mysql-portal/plugin-mysql-common';

/**
 * Client for the MySQL backend plugin (`/api/mysql`).
 *
 * @public
 */
export interface MysqlApi {
  /**
   * The instances the user may read, filtered and paged by the backend,
   * for the fleet page.
   */
  listInstances(
    query?: MysqlInstanceListQuery,
  ): Promise<MysqlInstanceListResponse>;
  /** Status, versions, configuration and history of one instance. */
  getInstance(ref: MysqlInstanceRef): Promise<MysqlInstanceDetail>;
  /**
   * Replaces the desired configuration. The backend answers 409 when
   * `resourceVersion` is no longer current.
   */
  updateConfig(
    ref: MysqlInstanceRef,
    request: UpdateMysqlConfigRequest,
  ): Promise<MysqlInstanceDetail>;
  /** Restarts the server. */
  restart(ref: MysqlInstanceRef): Promise<MysqlInstanceDetail>;
  /**
   * Deletes the instance and its entity; the backend answers 400 unless
   * `confirm` is its name.
   */
  deleteInstance(
    ref: MysqlInstanceRef,
    request: DeleteMysqlInstanceRequest,
  ): Promise<DeleteMysqlInstanceResponse>;
  /**
   * Creates an instance; with `restoreFrom` it starts with the data of a
   * backup of another instance. The backend answers 400 naming each bad
   * field.
   */
  createInstance(
    request: CreateMysqlInstanceRequest,
  ): Promise<CreateMysqlInstanceResponse>;
  /** Starts a backup now; the backend answers 409 while another one runs. */
  createBackup(ref: MysqlInstanceRef): Promise<CreateMysqlBackupResponse>;
  /** The instance's backups, newest first, with its backup policy. */
  listBackups(ref: MysqlInstanceRef): Promise<MysqlBackupListResponse>;
  /**
   * Upgrades the server to another image after a backup. The backend
   * answers 400 for a path MySQL does not support and 409 when
   * `resourceVersion` is no longer current.
   */
  updateVersion(
    ref: MysqlInstanceRef,
    request: UpdateMysqlVersionRequest,
  ): Promise<MysqlInstanceDetail>;
}

/**
 * Reference to the {@link MysqlApi}.
 *
 * @public
 */
export const mysqlApiRef = createApiRef<MysqlApi>({
  id: 'plugin.mysql.service',
});
