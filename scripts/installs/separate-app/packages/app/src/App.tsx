// An adopter's app in the new frontend system. The catalog and the MySQL
// plugin come from package discovery (`app.packages: all`), as the plugin's
// README says; the app adds only a sign-in page.

import { SignInPage } from '@backstage/core-components';
import { createApp } from '@backstage/frontend-defaults';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => props =>
          <SignInPage {...props} providers={['guest']} />,
      },
    }),
  ],
});

export default createApp({
  features: [signInModule],
});
