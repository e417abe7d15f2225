import { mockCredentials } from '@backstage/backend-test-utils';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceCreatePermission,
} from '@mysql-portal/plugin-mysql-common';
import { MysqlPortalPermissionPolicy } from './MysqlPortalPermissionPolicy';

const guest: PolicyQueryUser = {
  credentials: mockCredentials.user('user:default/guest'),
  info: {
    userEntityRef: 'user:default/guest',
    ownershipEntityRefs: ['user:default/guest', 'group:default/guests'],
  },
};

describe('MysqlPortalPermissionPolicy', () => {
  const policy = new MysqlPortalPermissionPolicy();

  it('allows every permission that is not a MySQL one, as allow-all did', async () => {
    const others = [
      catalogEntityReadPermission,
      catalogEntityDeletePermission,
      createPermission({ name: 'scaffolder.task.read', attributes: {} }),
    ];
    for (const permission of others) {
      await expect(policy.handle({ permission }, guest)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
      await expect(policy.handle({ permission })).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('decides the MySQL permissions with mysqlPolicyDecision', async () => {
    await expect(
      policy.handle({ permission: mysqlInstanceCreatePermission }, guest),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy.handle({ permission: mysqlInstanceConfigUpdatePermission }, guest),
    ).resolves.toMatchObject({ result: AuthorizeResult.CONDITIONAL });
    await expect(
      policy.handle({ permission: mysqlInstanceConfigUpdatePermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });
});
