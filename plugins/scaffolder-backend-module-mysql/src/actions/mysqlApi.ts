import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  MysqlInstanceDetail,
  MysqlInstanceRef,
  UpdateMysqlConfigRequest,
} from '@internal/plugin-mysql-common';

/**
 * Calls the mysql backend plugin's REST API on behalf of a user, so that its
 * permission check sees the user who runs the template. Failed requests
 * throw a ResponseError carrying the backend's error body.
 */
export class MysqlApi {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly credentials: BackstageCredentials,
  ) {}

  /** `GET /instances/:cluster/:namespace/:name`. */
  async getInstance(ref: MysqlInstanceRef): Promise<MysqlInstanceDetail> {
    return this.request(ref, '', { method: 'GET' });
  }

  /** `PUT /instances/:cluster/:namespace/:name/config`. */
  async updateConfig(
    ref: MysqlInstanceRef,
    body: UpdateMysqlConfigRequest,
  ): Promise<MysqlInstanceDetail> {
    return this.request(ref, '/config', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request(
    ref: MysqlInstanceRef,
    suffix: string,
    init: RequestInit,
  ): Promise<MysqlInstanceDetail> {
    const baseUrl = await this.discovery.getBaseUrl('mysql');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: this.credentials,
      targetPluginId: 'mysql',
    });
    const url = `${baseUrl}/instances/${[ref.cluster, ref.namespace, ref.name]
      .map(encodeURIComponent)
      .join('/')}${suffix}`;
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers: { ...init.headers, Authorization: `Bearer ${token}` },
      });
    } catch (error) {
      throw new Error(
        `Could not reach the mysql backend at ${url}: ${
          (error as Error).message
        }`,
      );
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as MysqlInstanceDetail;
  }
}
