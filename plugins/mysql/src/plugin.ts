import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { mysqlApiRef, MysqlClient } from './api';
import { fleetRouteRef } from './routes';
import type { JSX } from 'react';

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
  routes: { root: fleetRouteRef },
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

/**
 * The fleet page for the legacy frontend system: every MySQL instance the
 * user may read, across clusters, with filters and paging. Mount it at
 * `/mysql` (`<Route path="/mysql" element={<MysqlFleetPage />} />`).
 *
 * @public
 */
export const MysqlFleetPage: () => JSX.Element = mysqlPlugin.provide(
  createRoutableExtension({
    name: 'MysqlFleetPage',
    component: () => import('./components/FleetPage').then(m => m.FleetPage),
    mountPoint: fleetRouteRef,
  }),
);
