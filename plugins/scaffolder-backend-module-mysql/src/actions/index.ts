export { createMysqlBackupAction } from './mysqlBackup';
export { createMysqlProvisionAction } from './mysqlProvision';
export { createMysqlConfigureAction } from './mysqlConfigure';
