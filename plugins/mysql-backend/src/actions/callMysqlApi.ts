import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  MysqlApiClient,
  MysqlRequestOptions,
} from '@mysql-portal/plugin-mysql-common';
import { VIA_HEADER, viaLabel } from './via';

/** What every action needs to call the REST API. */
export interface MysqlActionsOptions {
  discovery: DiscoveryService;
  auth: AuthService;
}

/**
 * Calls this plugin's own REST API on behalf of the user an action runs
 * for, so that an action meets exactly the validation, permission checks,
 * audit events and history of the REST API; the request says which action
 * made it, for the history. An error answer is thrown as the REST API's
 * error (a NotAllowedError stays one), so the agent reads why.
 */
export async function callMysqlApi<T>(
  options: MysqlActionsOptions,
  credentials: BackstageCredentials,
  action: string,
  send: (client: MysqlApiClient, request: MysqlRequestOptions) => Promise<T>,
): Promise<T> {
  const { token } = await options.auth.getPluginRequestToken({
    onBehalfOf: credentials,
    targetPluginId: 'mysql',
  });
  const via = viaLabel(credentials, action);
  const client = new MysqlApiClient({
    discoveryApi: options.discovery,
    fetchApi: {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init?.headers as Record<string, string>),
            [VIA_HEADER]: via,
          },
        }),
    },
  });
  try {
    return await send(client, { token });
  } catch (error) {
    throw error instanceof ResponseError ? error.cause : error;
  }
}
