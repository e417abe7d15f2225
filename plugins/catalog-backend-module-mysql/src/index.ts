/**
 * Catalog module: one Resource entity per managed MySQL instance.
 *
 * @packageDocumentation
 */

export { catalogModuleMysql as default } from './module';
export { MysqlEntityProvider } from './provider/MysqlEntityProvider';
