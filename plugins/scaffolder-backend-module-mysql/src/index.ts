/**
 * Scaffolder actions for self-service MySQL on microk8s.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMysql as default } from './module';
export {
  createMysqlBackupAction,
  createMysqlConfigureAction,
  createMysqlProvisionAction,
} from './actions';
