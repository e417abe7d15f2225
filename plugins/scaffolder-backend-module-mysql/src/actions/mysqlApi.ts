import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  MysqlApiClient,
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
  private readonly client: MysqlApiClient;

  constructor(
    discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly credentials: BackstageCredentials,
  ) {
    this.client = new MysqlApiClient({ discoveryApi: discovery });
  }

  /** `GET /instances/:cluster/:namespace/:name`. */
  async getInstance(ref: MysqlInstanceRef): Promise<MysqlInstanceDetail> {
    return this.call(async token => this.client.getInstance(ref, { token }));
  }

  /** `PUT /instances/:cluster/:namespace/:name/config`. */
  async updateConfig(
    ref: MysqlInstanceRef,
    body: UpdateMysqlConfigRequest,
  ): Promise<MysqlInstanceDetail> {
    return this.call(token => this.client.updateConfig(ref, body, { token }));
  }

  private async call(
    send: (token: string) => Promise<MysqlInstanceDetail>,
  ): Promise<MysqlInstanceDetail> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: this.credentials,
      targetPluginId: 'mysql',
    });
    try {
      return await send(token);
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      throw new Error(
        `Could not reach the mysql backend: ${(error as Error).message}`,
      );
    }
  }
}
