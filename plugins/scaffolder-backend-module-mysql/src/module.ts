import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createMysqlBackupAction,
  createMysqlConfigureAction,
  createMysqlProvisionAction,
} from './actions';

/**
 * Adds the `mysql:provision`, `mysql:configure` and `mysql:backup` actions
 * to the scaffolder. All are clients of the mysql backend's REST API, on
 * behalf of the user who runs the template.
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
            auth,
            discovery,
            readyTimeoutSeconds: config.getOptionalNumber(
              'mysql.provision.readyTimeoutSeconds',
            ),
          }),
          createMysqlConfigureAction({
            catalog,
            auth,
            discovery,
          }),
          createMysqlBackupAction({
            catalog,
            auth,
            discovery,
          }),
        );
      },
    });
  },
});
