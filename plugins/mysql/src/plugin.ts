import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { mysqlApiRef, MysqlClient } from './api';

/**
 * The MySQL plugin for the legacy frontend system.
 *
 * @public
 */
export const mysqlPlugin = createPlugin({
  id: 'mysql',
  apis: [
    createApiFactory({
      api: mysqlApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MysqlClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The MySQL card for an entity page, for the legacy frontend system. Show
 * it for entities where {@link isMysqlAvailable} holds.
 *
 * @public
 */
export const EntityMySqlCard = mysqlPlugin.provide(
  createComponentExtension({
    name: 'EntityMySqlCard',
    component: {
      lazy: () => import('./components/MySqlCard').then(m => m.MySqlCard),
    },
  }),
);
