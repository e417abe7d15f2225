import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { mysqlPolicyDecision } from './mysqlPolicyDecision';

/**
 * The portal's permission policy: {@link mysqlPolicyDecision} for the MySQL
 * permissions, and allow for everything else (what the portal did with the
 * allow-all policy before).
 *
 * @public
 */
export class MysqlPortalPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    return (
      mysqlPolicyDecision(request, user) ?? { result: AuthorizeResult.ALLOW }
    );
  }
}
