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
import { createMysqlProvisionAction } from './actions';

/**
 * Adds the `mysql:provision` action to the scaffolder.
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
      },
      async init({ scaffolder, config, catalog, auth }) {
        scaffolder.addActions(
          createMysqlProvisionAction({
            clusters: MysqlClusters.fromConfig(config),
            provision: readMysqlProvisionConfig(config),
            catalog,
            auth,
          }),
        );
      },
    });
  },
});
