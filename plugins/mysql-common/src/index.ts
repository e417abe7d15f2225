/**
 * Shared names, the MySQL variable catalogue, validation, my.cnf rendering
 * and parsing, version parsing, permissions and API types for the MySQL
 * plugins.
 *
 * @packageDocumentation
 */

export {
  MYSQL_CONFIG_HASH_ANNOTATION,
  MYSQL_INSTANCE_ANNOTATION,
  MYSQL_LABELS,
  MYSQL_MANAGED_BY,
  MYSQL_OWNER_ANNOTATION,
  MY_CNF_KEY,
  formatInstanceRef,
  isDnsLabel,
  mysqlLabels,
  parseInstanceRef,
} from './constants';
export { getMysqlVariable, mysqlVariables } from './variables';
export type {
  MysqlVariable,
  MysqlVariableApply,
  MysqlVariableType,
} from './variables';
export { formatSize, parseSize } from './sizes';
export {
  sameMysqlValue,
  validateMysqlConfig,
  validateMysqlVariable,
} from './validation';
export type {
  ConfigProblem,
  ConfigValidationResult,
  MysqlConfigValue,
} from './validation';
export { parseMyCnf, renderMyCnf } from './myCnf';
export {
  describeMysqlConfigChange,
  planMysqlConfigChange,
} from './configChange';
export type {
  MysqlConfigChange,
  MysqlConfigChangeEffect,
  MysqlConfigChangePlan,
  MysqlReconcilerMode,
} from './configChange';
export {
  imageServerFamily,
  parseImageVersion,
  parseServerVersion,
  versionMatchesImage,
} from './version';
export type { MysqlFlavor, MysqlServerVersion } from './version';
export { checkMysqlUpgrade } from './upgrades';
export type { MysqlUpgradeCheck } from './upgrades';
export {
  mysqlInstanceBackupCreatePermission,
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceCreatePermission,
  mysqlInstanceDeletePermission,
  mysqlOwnerPermissions,
  mysqlPermissions,
} from './permissions';
export { mysqlInstanceSignalChannel } from './signals';
export type { MysqlInstanceSignal, MysqlInstanceSignalReason } from './signals';
export { MysqlApiClient } from './client';
export type { MysqlRequestOptions } from './client';
export { MYSQL_INSTANCE_PHASES, isMysqlInstancePhase } from './types';
export type {
  CreateMysqlBackupResponse,
  CreateMysqlInstanceRequest,
  CreateMysqlInstanceResponse,
  DeleteMysqlInstanceRequest,
  DeleteMysqlInstanceResponse,
  MysqlAttentionReason,
  MysqlBackup,
  MysqlBackupListResponse,
  MysqlBackupPolicy,
  MysqlBackupStatus,
  MysqlBackupTarget,
  MysqlConnectionDetails,
  MysqlHistoryEntry,
  MysqlInstanceDetail,
  MysqlInstanceListQuery,
  MysqlInstanceListResponse,
  MysqlInstancePhase,
  MysqlInstanceRef,
  MysqlInstanceStatus,
  MysqlInstanceSize,
  MysqlInstanceSummary,
  MysqlProvisionPlan,
  MysqlProvisionRun,
  MysqlResources,
  MysqlRestoreSource,
  MysqlRestoreStatus,
  MysqlUpgradeStatus,
  UpdateMysqlBackupPolicyRequest,
  UpdateMysqlConfigRequest,
  UpdateMysqlVersionRequest,
} from './types';
