import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  mysqlInstanceCreatePermission,
  mysqlOwnerPermissions,
} from '@mysql-portal/plugin-mysql-common';

/**
 * The portal's decision for the MySQL permissions, and `undefined` for every
 * other permission, so that an existing policy can compose it:
 * `return mysqlPolicyDecision(request, user) ?? yourDecision`.
 *
 * @remarks
 *
 * - `mysql.instance.create`: allowed for any signed-in user, for any owner.
 * - `mysql.instance.config.update`, `mysql.instance.backup.create` and
 *   `mysql.instance.delete`: conditional on the user (or one of its groups)
 *   owning the instance's catalog entity.
 * - Without a user (no identity), every MySQL permission is denied: the
 *   MySQL plugins always act on behalf of a user. Services calling on their
 *   own behalf never get here; Backstage's permissions service answers them.
 *
 * @public
 */
export function mysqlPolicyDecision(
  request: PolicyQuery,
  user?: PolicyQueryUser,
): PolicyDecision | undefined {
  const { permission } = request;

  if (isPermission(permission, mysqlInstanceCreatePermission)) {
    return { result: user ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }

  if (!mysqlOwnerPermissions.some(owned => isPermission(permission, owned))) {
    return undefined;
  }
  // A request that carries one of our names with another resource type
  // cannot be checked against the instance's entity, so it gets nothing.
  if (!user || !isResourcePermission(permission, 'catalog-entity')) {
    return { result: AuthorizeResult.DENY };
  }
  return createCatalogConditionalDecision(
    permission,
    catalogConditions.isEntityOwner({
      // `info` is deprecated in PolicyQueryUser but still populated by the
      // permission backend; it is the only synchronous source of the claims.
      claims: user.info.ownershipEntityRefs,
    }),
  );
}
