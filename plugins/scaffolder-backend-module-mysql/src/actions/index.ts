export { createMysqlProvisionAction } from './mysqlProvision';
export { createMysqlConfigureAction } from './mysqlConfigure';
