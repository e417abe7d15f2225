import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  mysqlInstanceBackupCreatePermission,
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceCreatePermission,
  mysqlInstanceDeletePermission,
  mysqlOwnerPermissions,
} from '@mysql-portal/plugin-mysql-common';
import { mysqlPolicyDecision } from './mysqlPolicyDecision';
import { instanceEntity } from '../__testUtils__/instanceEntity';

function userOf(userEntityRef: string, groups: string[] = []): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: {
      userEntityRef,
      ownershipEntityRefs: [userEntityRef, ...groups],
    },
  };
}

// Evaluates a decision against an entity the way the catalog's
// apply-conditions endpoint does, with the catalog's own rule.
function allows(decision: PolicyDecision | undefined, entity: Entity) {
  if (decision?.result !== AuthorizeResult.CONDITIONAL) {
    return decision?.result === AuthorizeResult.ALLOW;
  }
  expect(decision).toMatchObject({
    pluginId: 'catalog',
    resourceType: 'catalog-entity',
  });
  const { conditions } = decision;
  if (!('rule' in conditions)) {
    throw new Error(
      `expected one condition, got ${JSON.stringify(conditions)}`,
    );
  }
  expect(conditions.rule).toBe(permissionRules.isEntityOwner.name);
  expect(conditions.params).toEqual({ claims: expect.any(Array) });
  const params = conditions.params as { claims: string[] };
  return permissionRules.isEntityOwner.apply(entity, params);
}

const guestsDb = instanceEntity('guests-db', 'group:default/guests');
const paymentsDb = instanceEntity('payments-db', 'group:default/payments');
const alexDb = instanceEntity('alex-db', 'user:default/alex');

const guest = userOf('user:default/guest', ['group:default/guests']);
const alex = userOf('user:default/alex', ['group:default/payments']);

describe('mysqlPolicyDecision', () => {
  it('allows any signed-in user to create an instance', () => {
    for (const user of [guest, alex, userOf('user:default/loner')]) {
      expect(
        mysqlPolicyDecision(
          { permission: mysqlInstanceCreatePermission },
          user,
        ),
      ).toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it.each(mysqlOwnerPermissions.map(p => [p.name, p]))(
    'returns a catalog ownership condition for %s',
    (_name, permission) => {
      expect(mysqlPolicyDecision({ permission }, guest)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: ['user:default/guest', 'group:default/guests'],
          },
        },
      });
    },
  );

  it('lets the user that owns the entity change it', () => {
    const decision = mysqlPolicyDecision(
      { permission: mysqlInstanceConfigUpdatePermission },
      alex,
    );
    expect(allows(decision, alexDb)).toBe(true);
  });

  it('lets a member of the owning group change, back up and delete it', () => {
    for (const permission of mysqlOwnerPermissions) {
      const decision = mysqlPolicyDecision({ permission }, guest);
      expect(allows(decision, guestsDb)).toBe(true);
    }
  });

  it('refuses a user that does not own the entity', () => {
    for (const permission of mysqlOwnerPermissions) {
      expect(
        allows(mysqlPolicyDecision({ permission }, guest), paymentsDb),
      ).toBe(false);
      expect(allows(mysqlPolicyDecision({ permission }, guest), alexDb)).toBe(
        false,
      );
      expect(allows(mysqlPolicyDecision({ permission }, alex), guestsDb)).toBe(
        false,
      );
    }
  });

  it('refuses an entity with no owner relation', () => {
    const { relations: _, ...unprocessed } = guestsDb;
    const decision = mysqlPolicyDecision(
      { permission: mysqlInstanceDeletePermission },
      guest,
    );
    expect(allows(decision, unprocessed)).toBe(false);
  });

  it('denies every MySQL permission without a user (no identity)', () => {
    for (const permission of [
      mysqlInstanceCreatePermission,
      mysqlInstanceConfigUpdatePermission,
      mysqlInstanceBackupCreatePermission,
      mysqlInstanceDeletePermission,
    ]) {
      expect(mysqlPolicyDecision({ permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it('denies an owner permission name that arrives without its resource type', () => {
    expect(
      mysqlPolicyDecision(
        {
          permission: {
            type: 'basic',
            name: mysqlInstanceDeletePermission.name,
            attributes: { action: 'delete' },
          },
        },
        guest,
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('has no opinion on other permissions', () => {
    expect(
      mysqlPolicyDecision({ permission: catalogEntityReadPermission }, guest),
    ).toBeUndefined();
    expect(
      mysqlPolicyDecision({ permission: catalogEntityReadPermission }),
    ).toBeUndefined();
  });
});
