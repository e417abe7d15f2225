import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Permission to change an instance's configuration (and restart it). A
 * resource permission on the instance's catalog entity; the resource type is
 * the catalog's `catalog-entity`, written out to avoid depending on the
 * catalog packages.
 *
 * @public
 */
export const mysqlInstanceConfigUpdatePermission = createPermission({
  name: 'mysql.instance.config.update',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Every permission of the MySQL plugins.
 *
 * @public
 */
export const mysqlPermissions = [mysqlInstanceConfigUpdatePermission];
