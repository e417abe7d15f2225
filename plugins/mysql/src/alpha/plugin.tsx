import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { Content } from '@backstage/core-components';
import StorageIcon from '@material-ui/icons/Storage';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { MYSQL_INSTANCE_ANNOTATION } from '@mysql-portal/plugin-mysql-common';
import { mysqlApiRef, MysqlClient } from '../api';

/**
 * The `MysqlApi` (exported by the main entry point) for the new frontend
 * system.
 *
 * @alpha
 */
export const mysqlApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mysqlApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MysqlClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The MySQL card on the overview of entities with the
 * `mysql.backstage.io/instance` annotation.
 *
 * @alpha
 */
export const mysqlEntityCard = EntityCardBlueprint.make({
  params: {
    filter: {
      [`metadata.annotations.${MYSQL_INSTANCE_ANNOTATION}`]: { $exists: true },
    },
    loader: () => import('../components/MySqlCard').then(m => <m.MySqlCard />),
  },
});

const fleetRouteRef = createRouteRef();

/**
 * The fleet page at `/mysql`: every MySQL instance the user may read,
 * across clusters, with filters and paging. Its title and icon make its
 * entry in the sidebar.
 *
 * @alpha
 */
export const mysqlFleetPage = PageBlueprint.make({
  params: {
    path: '/mysql',
    title: 'Databases',
    icon: <StorageIcon />,
    routeRef: fleetRouteRef,
    loader: () =>
      import('../components/FleetPage').then(m => (
        // The page layout gives a header only; Content gives the margins.
        <Content>
          <m.FleetContent />
        </Content>
      )),
  },
});

/**
 * The MySQL plugin for the new frontend system.
 *
 * @alpha
 */
export const mysqlPlugin = createFrontendPlugin({
  pluginId: 'mysql',
  info: { packageJson: () => import('../../package.json') },
  routes: { root: fleetRouteRef },
  extensions: [mysqlApi, mysqlEntityCard, mysqlFleetPage],
});
