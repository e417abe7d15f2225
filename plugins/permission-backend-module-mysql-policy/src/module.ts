import { createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { MysqlPortalPermissionPolicy } from './policy/MysqlPortalPermissionPolicy';

/**
 * Sets {@link MysqlPortalPermissionPolicy} as the permission backend's
 * policy. The permission backend takes exactly one policy, so this module
 * replaces the allow-all policy module rather than sitting beside it.
 *
 * @public
 */
export const permissionModuleMysqlPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'mysql-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new MysqlPortalPermissionPolicy());
      },
    });
  },
});
