import { Entity } from '@backstage/catalog-model';
import { MYSQL_INSTANCE_ANNOTATION } from '@internal/plugin-mysql-common';
import { http, HttpResponse, RequestHandler } from 'msw';

/** Where `mockServices.discovery()` puts the mysql backend. */
export const MYSQL_BASE_URL = 'http://localhost:0/api/mysql';

/** A request the fake backend answered. */
export type BackendCall = {
  method: string;
  path: string;
  authorization: string | null;
  body?: any;
};

/** The catalog entity of `sandbox/databases/orders-db`. */
export const ordersDbEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    annotations: {
      [MYSQL_INSTANCE_ANNOTATION]: 'sandbox/databases/orders-db',
    },
  },
  spec: { type: 'database', owner: 'group:default/team-a' },
};

/** Backstage's error body, as the backend's error handler sends it. */
export function errorBody(status: number, name: string, message: string) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'PUT', url: '/instances' },
      response: { statusCode: status },
    },
    { status },
  );
}

/** The fake backend's handlers, what it holds and what it was asked. */
export interface FakeMysqlBackend {
  handlers: RequestHandler[];
  calls: BackendCall[];
  state: { desired: Record<string, string>; resourceVersion: number };
  /** Someone else saves a configuration, as with the entity page's form. */
  edit(desired: Record<string, string>): void;
}

/**
 * Stands in for the mysql backend's detail and config endpoints of
 * `sandbox/databases/orders-db`: it keeps the desired configuration and the
 * ConfigMap's resourceVersion, answers a stale PUT with 409 like the real
 * one, and records every call. `override` answers some calls differently.
 */
export function fakeMysqlBackend(options: {
  desired: Record<string, string>;
  override?: (call: BackendCall) => Response | undefined;
  mode?: 'restart' | 'online';
}): FakeMysqlBackend {
  const state = { desired: { ...options.desired }, resourceVersion: 7 };
  const calls: BackendCall[] = [];
  const detail = (restartRequired: boolean) => ({
    cluster: 'sandbox',
    namespace: 'databases',
    name: 'orders-db',
    entityRef: 'resource:default/orders-db',
    status: { phase: 'Running', since: '2025-01-01T00:00:00Z' },
    version: { image: 'mysql:8.4', server: '8.4.3' },
    config: {
      desired: state.desired,
      applied: {},
      pending: [],
      restartRequired,
      mode: options.mode ?? 'restart',
    },
    resourceVersion: String(state.resourceVersion),
    history: [],
  });
  const path = `${MYSQL_BASE_URL}/instances/sandbox/databases/orders-db`;
  const record = async (request: Request) => {
    const call: BackendCall = {
      method: request.method,
      path: new URL(request.url).pathname,
      authorization: request.headers.get('authorization'),
      body: request.method === 'PUT' ? await request.json() : undefined,
    };
    calls.push(call);
    return call;
  };
  const handlers: RequestHandler[] = [
    http.get(path, async ({ request }) => {
      const call = await record(request);
      return options.override?.(call) ?? HttpResponse.json(detail(false));
    }),
    http.put(`${path}/config`, async ({ request }) => {
      const call = await record(request);
      const answer = options.override?.(call);
      if (answer) return answer;
      if (call.body.resourceVersion !== String(state.resourceVersion)) {
        return errorBody(
          409,
          'ConflictError',
          'the configuration of sandbox/databases/orders-db was changed by someone else',
        );
      }
      state.desired = call.body.config;
      state.resourceVersion += 1;
      return HttpResponse.json(detail(true), { status: 202 });
    }),
  ];
  return {
    handlers,
    calls,
    state,
    edit(desired: Record<string, string>) {
      state.desired = desired;
      state.resourceVersion += 1;
    },
  };
}
