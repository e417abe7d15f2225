export { createMysqlProvisionAction } from './mysqlProvision';
export {
  createMysqlConfigureAction,
  readMysqlReconcilerMode,
} from './mysqlConfigure';
export type { MysqlReconcilerMode } from './mysqlConfigure';
