import {
  isPermission,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceCreatePermission,
  mysqlOwnerPermissions,
  mysqlPermissions,
} from './permissions';

describe('permissions', () => {
  it('defines create as a basic permission', () => {
    expect(mysqlInstanceCreatePermission).toEqual({
      type: 'basic',
      name: 'mysql.instance.create',
      attributes: { action: 'create' },
    });
  });

  it('defines the config update permission on catalog entities', () => {
    expect(mysqlInstanceConfigUpdatePermission).toEqual({
      type: 'resource',
      name: 'mysql.instance.config.update',
      attributes: { action: 'update' },
      resourceType: 'catalog-entity',
    });
    expect(
      isResourcePermission(
        mysqlInstanceConfigUpdatePermission,
        'catalog-entity',
      ),
    ).toBe(true);
  });

  it('makes every owner permission a resource permission on catalog entities', () => {
    expect(mysqlOwnerPermissions.map(p => p.name)).toEqual([
      'mysql.instance.config.update',
      'mysql.instance.backup.create',
      'mysql.instance.delete',
    ]);
    for (const permission of mysqlOwnerPermissions) {
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
    }
  });

  it('lists every permission once', () => {
    expect(mysqlPermissions).toHaveLength(4);
    expect(
      mysqlPermissions.some(p =>
        isPermission(p, mysqlInstanceConfigUpdatePermission),
      ),
    ).toBe(true);
    const names = mysqlPermissions.map(permission => permission.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
