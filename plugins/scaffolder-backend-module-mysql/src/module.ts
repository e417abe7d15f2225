import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  MysqlClusters,
  readMysqlProvisionConfig,
} from '@internal/plugin-mysql-node';
import {
  createMysqlConfigureAction,
  createMysqlProvisionAction,
} from './actions';

/**
 * Adds the `mysql:provision` and `mysql:configure` actions to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleMysql = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mysql',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, config, catalog, auth, discovery }) {
        scaffolder.addActions(
          createMysqlProvisionAction({
            clusters: MysqlClusters.fromConfig(config),
            provision: readMysqlProvisionConfig(config),
            catalog,
            auth,
          }),
          createMysqlConfigureAction({
            catalog,
            auth,
            discovery,
          }),
        );
      },
    });
  },
});
