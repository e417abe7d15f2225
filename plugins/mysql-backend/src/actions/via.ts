import {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import { Request } from 'express';

/**
 * The header with which this plugin's actions tell its REST API that a write
 * is made for an agent: `MCP action update-config`, or `action
 * update-config` when something other than the MCP actions backend invoked
 * the action.
 */
export const VIA_HEADER = 'x-mysql-via';

const VIA_PATTERN = /^(MCP )?action [a-z][a-z0-9-]*$/;

/** The subject of tokens this plugin issues on behalf of a user. */
const OWN_SUBJECT = 'plugin:mysql';

/** The subject the MCP actions backend has when it invokes an action for a user. */
const MCP_SUBJECT = 'plugin:mcp-actions';

/** What an action sends in {@link VIA_HEADER}, given the credentials it was invoked with. */
export function viaLabel(
  credentials: BackstageCredentials,
  action: string,
): string {
  const principal = credentials.principal as Partial<BackstageUserPrincipal>;
  return principal.actor?.subject === MCP_SUBJECT
    ? `MCP action ${action}`
    : `action ${action}`;
}

/**
 * The agent action a write came through, if any. The header counts only on
 * a token this plugin issued on the user's behalf (its actor is
 * `plugin:mysql`): a user's own token, or another plugin's, cannot label a
 * write as an agent's.
 */
export function viaOf(
  req: Request,
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as Partial<BackstageUserPrincipal>;
  const via = req.get(VIA_HEADER);
  if (
    principal.type !== 'user' ||
    principal.actor?.subject !== OWN_SUBJECT ||
    !via ||
    !VIA_PATTERN.test(via)
  ) {
    return undefined;
  }
  return via;
}

/**
 * Who made a write, for the instance's history: the user's entity ref, and
 * for a write an agent made through one of this plugin's actions on the
 * user's behalf, which action (`user:default/alice via MCP action
 * update-config`).
 */
export function actorOf(
  req: Request,
  credentials: BackstageCredentials<BackstageUserPrincipal>,
): string {
  const user = credentials.principal.userEntityRef;
  const via = viaOf(req, credentials);
  return via ? `${user} via ${via}` : user;
}
