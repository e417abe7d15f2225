/**
 * Node.js library for the MySQL plugins: cluster access from app-config and
 * the Kubernetes manifests of an instance.
 *
 * @packageDocumentation
 */

export { MysqlClusters, readMysqlClusters } from './clusters';
export type { MysqlClusterClient, MysqlClusterConfig } from './clusters';
export {
  buildMysqlManifests,
  configHash,
  MYSQL_BACKUP_USER,
  MYSQL_MONITOR_USER,
  MYSQL_SECRET_KEYS,
  serverImageEnv,
  serverReadinessProbe,
} from './manifests';
export type { MysqlInstanceSpec, MysqlManifests } from './manifests';
export { generateInstancePasswords, generatePassword } from './passwords';
export {
  DEFAULT_MYSQL_IMAGES,
  DEFAULT_MYSQL_SIZES,
  readMysqlProvisionConfig,
} from './provisionConfig';
export type {
  MysqlInstanceSizeSpec,
  MysqlProvisionConfig,
} from './provisionConfig';
export { watchManaged } from './watch';
export type {
  ManagedResource,
  ManagedWatch,
  ManagedWatchOptions,
} from './watch';
export { instanceLocation } from './entities';
export {
  MYSQL_INSTANCE_API,
  MYSQL_RENDERED_GENERATION_ANNOTATION,
} from './mysqlInstance';
export type {
  MysqlInstanceCondition,
  MysqlInstanceOperation,
  MysqlInstanceResource,
  MysqlInstanceResourceSpec,
  MysqlInstanceResourceStatus,
} from './mysqlInstance';
export { MYSQL_INSTANCES_TOPIC } from './events';
