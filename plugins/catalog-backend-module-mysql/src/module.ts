import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { MysqlClusters } from '@internal/plugin-mysql-node';
import { MysqlEntityProvider } from './provider/MysqlEntityProvider';

/**
 * Adds the MySQL entity provider to the catalog.
 *
 * @public
 */
export const catalogModuleMysql = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mysql',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
      },
      async init({ catalog, config, logger, lifecycle }) {
        const provider = MysqlEntityProvider.create({
          clusters: MysqlClusters.fromConfig(config),
          logger,
        });
        catalog.addEntityProvider(provider);
        lifecycle.addShutdownHook(() => provider.stop());
      },
    });
  },
});
