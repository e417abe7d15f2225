import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
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

/**
 * The MySQL plugin for the new frontend system.
 *
 * @alpha
 */
export const mysqlPlugin = createFrontendPlugin({
  pluginId: 'mysql',
  info: { packageJson: () => import('../../package.json') },
  extensions: [mysqlApi, mysqlEntityCard],
});
