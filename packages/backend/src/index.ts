// The MySQL portal's backend: Backstage's core plugins and the MySQL plugins.

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder plugin
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

// self-service MySQL: mysql:provision and the instance entity provider
backend.add(import('@mysql-portal/plugin-scaffolder-backend-module-mysql'));
backend.add(import('@mysql-portal/plugin-catalog-backend-module-mysql'));
// the MySQL backend: reconciler, version poller, REST API under /api/mysql
backend.add(import('@mysql-portal/plugin-mysql-backend'));

// techdocs plugin
backend.add(import('@backstage/plugin-techdocs-backend'));

// auth plugin
backend.add(import('@backstage/plugin-auth-backend'));
// See https://backstage.io/docs/backend-system/building-backends/migrating#the-auth-plugin
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// GitHub sign-in, for production (app-config.production.yaml)
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));
// See https://backstage.io/docs/auth/guest/provider

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// See https://backstage.io/docs/features/software-catalog/configuration#subscribing-to-catalog-errors
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permission plugin
backend.add(import('@backstage/plugin-permission-backend'));
// the portal's policy: signed-in users create MySQL instances, only owners
// change them, everything else is allowed
backend.add(
  import('@mysql-portal/plugin-permission-backend-module-mysql-policy'),
);

// search plugin
backend.add(import('@backstage/plugin-search-backend'));

// search engine
// See https://backstage.io/docs/features/search/search-engines
backend.add(import('@backstage/plugin-search-backend-module-pg'));

// search collators
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

// kubernetes plugin
backend.add(import('@backstage/plugin-kubernetes-backend'));
// the sandbox's cluster for it, from the kubeconfig the sandbox rewrites at
// every start (kubernetes.sandbox in app-config.yaml)
backend.add(import('./modules/kubernetesSandboxClusters'));

// user settings plugin
backend.add(import('@backstage/plugin-user-settings-backend'));

// events plugin: lets signals and notifications reach every backend instance
backend.add(import('@backstage/plugin-events-backend'));

// notifications and signals plugins
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// mcp actions plugin
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
