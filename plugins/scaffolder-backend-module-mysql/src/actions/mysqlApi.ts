import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { assertError, ResponseError } from '@backstage/errors';
import {
  CreateMysqlBackupResponse,
  CreateMysqlInstanceRequest,
  CreateMysqlInstanceResponse,
  MysqlApiClient,
  MysqlBackupListResponse,
  MysqlInstanceDetail,
  MysqlInstanceRef,
  MysqlProvisionPlan,
  UpdateMysqlConfigRequest,
} from '@mysql-portal/plugin-mysql-common';

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
    return this.call(token => this.client.getInstance(ref, { token }));
  }

  /** `PUT /instances/:cluster/:namespace/:name/config`. */
  async updateConfig(
    ref: MysqlInstanceRef,
    body: UpdateMysqlConfigRequest,
  ): Promise<MysqlInstanceDetail> {
    return this.call(token => this.client.updateConfig(ref, body, { token }));
  }

  /** `POST /instances`. */
  async createInstance(
    body: CreateMysqlInstanceRequest,
  ): Promise<CreateMysqlInstanceResponse> {
    return this.call(token => this.client.createInstance(body, { token }));
  }

  /** `POST /instances?dryRun=true`. */
  async planInstance(
    body: CreateMysqlInstanceRequest,
  ): Promise<MysqlProvisionPlan> {
    return this.call(token => this.client.planInstance(body, { token }));
  }

  /** `DELETE /instances/:cluster/:namespace/:name/runs/:id`. */
  async undoProvisionRun(ref: MysqlInstanceRef, runId: string): Promise<void> {
    return this.call(token =>
      this.client.undoProvisionRun(ref, runId, { token }),
    );
  }

  /** `POST /instances/:cluster/:namespace/:name/backups`: starts a backup now. */
  async createBackup(
    ref: MysqlInstanceRef,
  ): Promise<CreateMysqlBackupResponse> {
    return this.call(token => this.client.createBackup(ref, { token }));
  }

  /** `GET /instances/:cluster/:namespace/:name/backups`: the newest first. */
  async listBackups(ref: MysqlInstanceRef): Promise<MysqlBackupListResponse> {
    return this.call(token => this.client.listBackups(ref, { token }));
  }

  private async call<T>(send: (token: string) => Promise<T>): Promise<T> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: this.credentials,
      targetPluginId: 'mysql',
    });
    try {
      return await send(token);
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      assertError(error);
      throw new Error(`Could not reach the mysql backend: ${error.message}`, {
        cause: error,
      });
    }
  }
}
