import { createRouteRef } from '@backstage/core-plugin-api';

/** The fleet page (legacy frontend system), mounted at `/mysql`. */
export const fleetRouteRef = createRouteRef({ id: 'mysql' });
