export { createMysqlProvisionAction } from './mysqlProvision';
