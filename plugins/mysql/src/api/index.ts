export { mysqlApiRef } from './MysqlApi';
export type { MysqlApi } from './MysqlApi';
export { MysqlClient } from './MysqlClient';
export { errorMessage, isBackendMissing, isConflict } from './errors';
