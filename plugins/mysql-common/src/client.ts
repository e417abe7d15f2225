import { ResponseError } from '@backstage/errors';
import {
  CreateMysqlBackupResponse,
  CreateMysqlInstanceRequest,
  CreateMysqlInstanceResponse,
  DeleteMysqlInstanceRequest,
  DeleteMysqlInstanceResponse,
  MysqlBackupListResponse,
  MysqlBackupPolicy,
  MysqlInstanceDetail,
  MysqlInstanceListQuery,
  MysqlInstanceListResponse,
  MysqlInstanceRef,
  MysqlProvisionPlan,
  UpdateMysqlBackupPolicyRequest,
  UpdateMysqlConfigRequest,
  UpdateMysqlVersionRequest,
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

  /**
   * `GET /instances`: the instances the caller may read. Without a query
   * every one of them; with one, the page of those that match (see
   * {@link MysqlInstanceListQuery}). `token` is sent, not queried.
   */
  async listInstances(
    request?: MysqlInstanceListQuery & MysqlRequestOptions,
  ): Promise<MysqlInstanceListResponse> {
    return this.send(
      `/instances${listQueryString(request ?? {})}`,
      { method: 'GET' },
      request,
    );
  }

  /**
   * `POST /instances`: 202 and the new instance; 400 naming every bad
   * field; 409 when the name is taken or an object we do not manage holds
   * it. Repeating a request changes nothing.
   */
  async createInstance(
    body: CreateMysqlInstanceRequest,
    options?: MysqlRequestOptions,
  ): Promise<CreateMysqlInstanceResponse> {
    return this.send('/instances', jsonBody('POST', body), options);
  }

  /** `POST /instances?dryRun=true`: checks the request and renders the objects; creates nothing. */
  async planInstance(
    body: CreateMysqlInstanceRequest,
    options?: MysqlRequestOptions,
  ): Promise<MysqlProvisionPlan> {
    return this.send('/instances?dryRun=true', jsonBody('POST', body), options);
  }

  /**
   * `DELETE /instances/:cluster/:namespace/:name/runs/:id`: removes exactly
   * the objects that one create run made (never a volume that existed
   * before it), for a run whose instance never became Ready.
   */
  async undoProvisionRun(
    ref: MysqlInstanceRef,
    runId: string,
    options?: MysqlRequestOptions,
  ): Promise<void> {
    await this.send(
      `${instancePath(ref)}/runs/${encodeURIComponent(runId)}`,
      { method: 'DELETE' },
      options,
      false,
    );
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
    return this.request(ref, '/config', jsonBody('PUT', body), options);
  }

  /** `POST /instances/:cluster/:namespace/:name/restart`. */
  async restart(
    ref: MysqlInstanceRef,
    options?: MysqlRequestOptions,
  ): Promise<MysqlInstanceDetail> {
    return this.request(ref, '/restart', { method: 'POST' }, options);
  }

  /**
   * `DELETE /instances/:cluster/:namespace/:name`: deletes the instance's
   * objects and its entity; 400 unless `confirm` is its name.
   */
  async deleteInstance(
    ref: MysqlInstanceRef,
    body: DeleteMysqlInstanceRequest,
    options?: MysqlRequestOptions,
  ): Promise<DeleteMysqlInstanceResponse> {
    return this.send(instancePath(ref), jsonBody('DELETE', body), options);
  }

  /**
   * `POST /instances/:cluster/:namespace/:name/backups`: starts a backup
   * now (202); 409 while another one runs.
   */
  async createBackup(
    ref: MysqlInstanceRef,
    options?: MysqlRequestOptions,
  ): Promise<CreateMysqlBackupResponse> {
    return this.send(
      `${instancePath(ref)}/backups`,
      { method: 'POST' },
      options,
    );
  }

  /** `GET /instances/:cluster/:namespace/:name/backups`: the newest first, with the policy. */
  async listBackups(
    ref: MysqlInstanceRef,
    options?: MysqlRequestOptions,
  ): Promise<MysqlBackupListResponse> {
    return this.send(
      `${instancePath(ref)}/backups`,
      { method: 'GET' },
      options,
    );
  }

  /** `PUT /instances/:cluster/:namespace/:name/backups/policy`: schedule, retention and target. */
  async updateBackupPolicy(
    ref: MysqlInstanceRef,
    body: UpdateMysqlBackupPolicyRequest,
    options?: MysqlRequestOptions,
  ): Promise<MysqlBackupPolicy> {
    return this.send(
      `${instancePath(ref)}/backups/policy`,
      jsonBody('PUT', body),
      options,
    );
  }

  /**
   * `PUT /instances/:cluster/:namespace/:name/version`: upgrades the server
   * to `image` after a backup (202); 400 for a path MySQL does not
   * support, 409 when `resourceVersion` is stale.
   */
  async updateVersion(
    ref: MysqlInstanceRef,
    body: UpdateMysqlVersionRequest,
    options?: MysqlRequestOptions,
  ): Promise<MysqlInstanceDetail> {
    return this.request(ref, '/version', jsonBody('PUT', body), options);
  }

  private async request(
    ref: MysqlInstanceRef,
    suffix: string,
    init: RequestInit,
    options?: MysqlRequestOptions,
  ): Promise<MysqlInstanceDetail> {
    return this.send(`${instancePath(ref)}${suffix}`, init, options);
  }

  private async send<T>(
    path: string,
    init: RequestInit,
    options?: MysqlRequestOptions,
    parse = true,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mysql');
    const headers: Record<string, string> = {
      ...(init.headers as Record<string, string>),
    };
    if (options?.token) headers.Authorization = `Bearer ${options.token}`;
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      ...init,
      headers,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (parse ? await response.json() : undefined) as T;
  }
}

const LIST_QUERY_KEYS: Array<keyof MysqlInstanceListQuery> = [
  'owner',
  'cluster',
  'phase',
  'needsAttention',
  'q',
  'limit',
  'offset',
];

/**
 * `?owner=…&limit=…` of the query's defined values, or '' when there are
 * none; request options (the token) are never sent in the address.
 */
function listQueryString(query: MysqlInstanceListQuery): string {
  const params = new URLSearchParams();
  for (const key of LIST_QUERY_KEYS) {
    const value = query[key];
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function instancePath(ref: MysqlInstanceRef): string {
  const parts = [ref.cluster, ref.namespace, ref.name].map(encodeURIComponent);
  return `/instances/${parts.join('/')}`;
}

function jsonBody(method: string, body: unknown): RequestInit {
  return {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}
