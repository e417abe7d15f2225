/**
 * The MySQL entity card: status, versions and configuration of an
 * instance, with an edit form and restart. This entry point is for the
 * legacy frontend system; see `./alpha` for the new one.
 *
 * @packageDocumentation
 */

export { mysqlPlugin, EntityMySqlCard, MysqlFleetPage } from './plugin';
export { isMysqlAvailable } from './isMysqlAvailable';
export { mysqlApiRef, MysqlClient } from './api';
export type { MysqlApi } from './api';
export { MySqlCard } from './components/MySqlCard';
