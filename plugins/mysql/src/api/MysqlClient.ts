import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  MysqlInstanceDetail,
  MysqlInstanceRef,
  UpdateMysqlConfigRequest,
} from '@internal/plugin-mysql-common';
import { MysqlApi } from './MysqlApi';

/**
 * The {@link MysqlApi} over HTTP. Requests go through `fetchApi`, so they
 * carry the user's Backstage token.
 *
 * @public
 */
export class MysqlClient implements MysqlApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getInstance(ref: MysqlInstanceRef): Promise<MysqlInstanceDetail> {
    return this.request(ref, '', { method: 'GET' });
  }

  async updateConfig(
    ref: MysqlInstanceRef,
    request: UpdateMysqlConfigRequest,
  ): Promise<MysqlInstanceDetail> {
    return this.request(ref, '/config', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  async restart(ref: MysqlInstanceRef): Promise<MysqlInstanceDetail> {
    return this.request(ref, '/restart', { method: 'POST' });
  }

  private async request(
    ref: MysqlInstanceRef,
    suffix: string,
    init: RequestInit,
  ): Promise<MysqlInstanceDetail> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mysql');
    const path = [ref.cluster, ref.namespace, ref.name]
      .map(encodeURIComponent)
      .join('/');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/instances/${path}${suffix}`,
      init,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
