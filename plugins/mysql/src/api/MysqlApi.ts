import { createApiRef } from '@backstage/core-plugin-api';
import {
  DeleteMysqlInstanceRequest,
  DeleteMysqlInstanceResponse,
  MysqlInstanceDetail,
  MysqlInstanceRef,
  UpdateMysqlConfigRequest,
} from '@mysql-portal/plugin-mysql-common';

/**
 * Client for the MySQL backend plugin (`/api/mysql`).
 *
 * @public
 */
export interface MysqlApi {
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
}

/**
 * Reference to the {@link MysqlApi}.
 *
 * @public
 */
export const mysqlApiRef = createApiRef<MysqlApi>({
  id: 'plugin.mysql.service',
});
