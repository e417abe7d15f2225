import {
  isPermission,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  mysqlInstanceConfigUpdatePermission,
  mysqlPermissions,
} from './permissions';

describe('permissions', () => {
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

  it('lists every permission once', () => {
    expect(mysqlPermissions).toHaveLength(1);
    expect(
      isPermission(mysqlPermissions[0], mysqlInstanceConfigUpdatePermission),
    ).toBe(true);
    const names = mysqlPermissions.map(permission => permission.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
