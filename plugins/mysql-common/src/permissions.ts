import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Permission to create a MySQL instance, for any owner. A basic permission:
 * there is no instance yet to check it against.
 *
 * @public
 */
export const mysqlInstanceCreatePermission = createPermission({
  name: 'mysql.instance.create',
  attributes: { action: 'create' },
});

/**
 * Permission to change an instance's configuration, restart it and upgrade
 * it. A resource permission on the instance's catalog entity (the one the
 * backend recorded for that exact cluster, namespace and name); the resource
 * type is the catalog's `catalog-entity`, written out to avoid depending on
 * the catalog packages.
 *
 * @public
 */
export const mysqlInstanceConfigUpdatePermission = createPermission({
  name: 'mysql.instance.config.update',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Permission to back up an instance. A resource permission on the
 * instance's catalog entity.
 *
 * @public
 */
export const mysqlInstanceBackupCreatePermission = createPermission({
  name: 'mysql.instance.backup.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Permission to delete an instance. A resource permission on the
 * instance's catalog entity.
 *
 * @public
 */
export const mysqlInstanceDeletePermission = createPermission({
  name: 'mysql.instance.delete',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
});

/**
 * Every permission of the MySQL plugins.
 *
 * @public
 */
export const mysqlPermissions = [
  mysqlInstanceCreatePermission,
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceBackupCreatePermission,
  mysqlInstanceDeletePermission,
];

/**
 * The resource permissions that only the owners of an instance's entity
 * hold in the portal's policy: every write to an existing instance.
 *
 * @public
 */
export const mysqlOwnerPermissions = [
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceBackupCreatePermission,
  mysqlInstanceDeletePermission,
];
