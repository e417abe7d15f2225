/**
 * The portal's permission policy: signed-in users create MySQL instances for
 * any owner, only the owners of an instance's entity change, restart, back up
 * or delete it, and every other permission is allowed.
 *
 * @packageDocumentation
 */

export { permissionModuleMysqlPolicy as default } from './module';
export { mysqlPolicyDecision } from './policy/mysqlPolicyDecision';
export { MysqlPortalPermissionPolicy } from './policy/MysqlPortalPermissionPolicy';
