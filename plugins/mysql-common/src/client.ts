import { ResponseError } from '@backstage/errors';
import {
  MysqlInstanceDetail,
  MysqlInstanceRef,
  UpdateMysqlConfigRequest,
} from './types';

/**
 * Options of every {@link MysqlApiClient} call: a Backstage token to send,
 * for callers whose `fetchApi` does not add one (backend plugins).
 *
 * @public
 */
export interface MysqlRequestOptions {
  token?: string;
}

/**
 * The mysql backend plugin's REST API (`/api/mysql`) over HTTP, for the
 * frontend and for other backend plugins alike. Failed requests throw a
 * `ResponseError` carrying the backend's error body.
 *
 * @public
 */
export class MysqlApiClient {
  private readonly discoveryApi: {
    getBaseUrl(pluginId: string): Promise<string>;
  };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...args) => fetch(...args) };
  }

  /** `GET /instances/:cluster/:namespace/:name`. */
  async getInstance(
    ref: MysqlInstanceRef,
    options?: MysqlRequestOptions,
  ): Promise<MysqlInstanceDetail> {
    return this.request(ref, '', { method: 'GET' }, options);
  }

  /** `PUT /instances/:cluster/:namespace/:name/config`; 409 when `resourceVersion` is stale. */
  async updateConfig(
    ref: MysqlInstanceRef,
    body: UpdateMysqlConfigRequest,
    options?: MysqlRequestOptions,
  ): Promise<MysqlInstanceDetail> {
    return this.request(
      ref,
      '/config',
      {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      },
      options,
    );
  }

  /** `POST /instances/:cluster/:namespace/:name/restart`. */
  async restart(
    ref: MysqlInstanceRef,
    options?: MysqlRequestOptions,
  ): Promise<MysqlInstanceDetail> {
    return this.request(ref, '/restart', { method: 'POST' }, options);
  }

  private async request(
    ref: MysqlInstanceRef,
    suffix: string,
    init: RequestInit,
    options?: MysqlRequestOptions,
  ): Promise<MysqlInstanceDetail> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mysql');
    const path = [ref.cluster, ref.namespace, ref.name]
      .map(encodeURIComponent)
      .join('/');
    const headers: Record<string, string> = {
      ...(init.headers as Record<string, string>),
    };
    if (options?.token) headers.Authorization = `Bearer ${options.token}`;
    const response = await this.fetchApi.fetch(
      `${baseUrl}/instances/${path}${suffix}`,
      { ...init, headers },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as MysqlInstanceDetail;
  }
}
