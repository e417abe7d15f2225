import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  HomePageLayoutBlueprint,
  HomePageWidgetBlueprint,
} from '@backstage/plugin-home-react/alpha';

const homePageLayout = HomePageLayoutBlueprint.make({
  params: {
    loader: () => import('./HomePageLayout').then(m => m.HomePageLayout),
  },
});

const yourDatabasesWidget = HomePageWidgetBlueprint.make({
  name: 'your-databases',
  params: {
    name: 'YourDatabases',
    title: 'Your databases',
    description:
      'The databases you or your groups own, with their status and version',
    components: () =>
      import('./YourDatabases').then(m => ({ Content: m.YourDatabases })),
  },
});

/**
 * The portal's home page (mounted at `/` in app-config): an introduction
 * with the way to a new database, and the databases the user owns.
 */
export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [homePageLayout, yourDatabasesWidget],
});
