// An adopter's backend: Backstage's core plugins, then the MySQL plugins
// exactly as their READMEs say to add them.

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@mysql-portal/plugin-permission-backend-module-mysql-policy'),
);

backend.add(import('@mysql-portal/plugin-mysql-backend'));
backend.add(import('@mysql-portal/plugin-scaffolder-backend-module-mysql'));
backend.add(import('@mysql-portal/plugin-catalog-backend-module-mysql'));

backend.start();
