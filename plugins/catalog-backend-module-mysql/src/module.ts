import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { MYSQL_INSTANCES_TOPIC } from '@mysql-portal/plugin-mysql-node';
import { MysqlEntityProvider } from './provider/MysqlEntityProvider';

/**
 * Adds the MySQL entity provider to the catalog: one entity per instance
 * the mysql backend recorded.
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
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        catalog,
        discovery,
        auth,
        logger,
        scheduler,
        events,
        lifecycle,
      }) {
        const provider = MysqlEntityProvider.create({
          discovery,
          auth,
          logger,
        });
        catalog.addEntityProvider(provider);
        await events.subscribe({
          id: 'catalog-mysql-entity-provider',
          topics: [MYSQL_INSTANCES_TOPIC],
          onEvent: async () => provider.changed(),
        });
        // A fallback for an event that got lost.
        await scheduler.scheduleTask({
          id: 'mysql-entity-provider-refresh',
          frequency: { seconds: 60 },
          timeout: { seconds: 30 },
          initialDelay: { seconds: 60 },
          scope: 'local',
          fn: () => provider.refresh().catch(() => undefined),
        });
        lifecycle.addShutdownHook(() => provider.stop());
      },
    });
  },
});
