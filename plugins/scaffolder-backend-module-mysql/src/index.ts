/**
 * Scaffolder actions for self-service MySQL on microk8s.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMysql as default } from './module';
export {
  createMysqlConfigureAction,
  createMysqlProvisionAction,
} from './actions';
