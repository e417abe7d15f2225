import { Entity } from '@backstage/catalog-model';
import {
  MYSQL_INSTANCE_ANNOTATION,
  MysqlBackup,
  MysqlInstancePhase,
} from '@mysql-portal/plugin-mysql-common';
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

/** What GET answers while an instance comes up: a status, or 404. */
export type FakeObservation =
  | { phase: MysqlInstancePhase; message?: string }
  | 'not seen yet';

/** The fake backend's handlers, what it holds and what it was asked. */
export interface FakeMysqlBackend {
  handlers: RequestHandler[];
  calls: BackendCall[];
  state: {
    desired: Record<string, string>;
    resourceVersion: number;
    /** Whether a create run made the instance. */
    created: boolean;
    /** The instance's backups, newest first. */
    backups: MysqlBackup[];
  };
  /** Someone else saves a configuration, as with the entity page's form. */
  edit(desired: Record<string, string>): void;
}

/** The objects the fake's first create run reports. */
export const CREATED_OBJECTS = [
  'Secret databases/orders-db',
  'ConfigMap databases/orders-db',
  'Service databases/orders-db-headless',
  'Service databases/orders-db',
  'StatefulSet databases/orders-db',
];

/** The backup policy the fake reports. */
export const BACKUP_POLICY = {
  target: 'pvc',
  schedule: '0 3 * * *',
  retention: 7,
} as const;

/** Where the fake puts backup `id`. */
export function backupLocation(id: string): string {
  return `pvc://orders-db-backups/orders-db-${id}.sql.gz`;
}

/**
 * Stands in for the mysql backend's endpoints of
 * `sandbox/databases/orders-db`: detail, config, create (a dry run plans
 * whatever name it is given), undo of a create run, and backups. It keeps
 * the desired configuration and the ConfigMap's resourceVersion, answers a
 * stale PUT with 409 like the real one, creates objects only on the first
 * create, and records every call. GET answers the `observations` in turn,
 * the last one repeating (default: Running). A backup starts Running (409
 * while another one runs, like the real one); each list of backups first
 * applies the next of `backupProgress` to the running one, the last
 * repeating (default: it completed). `override` answers some calls
 * differently.
 */
export function fakeMysqlBackend(
  options: {
    desired?: Record<string, string>;
    override?: (call: BackendCall) => Response | undefined;
    mode?: 'restart' | 'online';
    observations?: FakeObservation[];
    backupProgress?: Partial<MysqlBackup>[];
  } = {},
): FakeMysqlBackend {
  const state = {
    desired: { ...options.desired },
    resourceVersion: 7,
    created: false,
    backups: [] as MysqlBackup[],
  };
  const backupProgress = [
    ...(options.backupProgress ?? [
      {
        status: 'Completed',
        completedAt: '2025-01-01T00:01:00Z',
        sizeBytes: 1048576,
      } as const,
    ]),
  ];
  const progress = () =>
    backupProgress.length > 1 ? backupProgress.shift()! : backupProgress[0];
  const calls: BackendCall[] = [];
  const observations = [...(options.observations ?? [])];
  const observe = (): FakeObservation =>
    (observations.length > 1 ? observations.shift() : observations[0]) ?? {
      phase: 'Running',
    };
  const detail = (
    restartRequired: boolean,
    status: { phase: MysqlInstancePhase; message?: string } = {
      phase: 'Running',
    },
  ) => ({
    cluster: 'sandbox',
    namespace: 'databases',
    name: 'orders-db',
    entityRef: 'resource:default/orders-db',
    owner: 'group:default/team-a',
    status: { ...status, since: '2025-01-01T00:00:00Z' },
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
    const url = new URL(request.url);
    const call: BackendCall = {
      method: request.method,
      path: `${url.pathname}${url.search}`,
      authorization: request.headers.get('authorization'),
      body: await request
        .text()
        .then(text => (text ? JSON.parse(text) : undefined)),
    };
    calls.push(call);
    return call;
  };
  const handlers: RequestHandler[] = [
    http.get(path, async ({ request }) => {
      const call = await record(request);
      const answer = options.override?.(call);
      if (answer) return answer;
      const observation = observe();
      if (observation === 'not seen yet') {
        return errorBody(
          404,
          'NotFoundError',
          'no instance sandbox/databases/orders-db',
        );
      }
      return HttpResponse.json(detail(false, observation));
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
    http.post(`${MYSQL_BASE_URL}/instances`, async ({ request }) => {
      const call = await record(request);
      const answer = options.override?.(call);
      if (answer) return answer;
      const { name, owner } = call.body;
      if (call.path.endsWith('?dryRun=true')) {
        const namespace = call.body.namespace ?? 'databases';
        return HttpResponse.json({
          cluster: call.body.cluster ?? 'sandbox',
          namespace,
          name,
          entityRef: `resource:default/${name}`,
          owner,
          image: call.body.version ?? 'mysql:8.4',
          manifests: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n`,
        });
      }
      const run = state.created
        ? undefined
        : { id: 'run-1', created: CREATED_OBJECTS };
      state.created = true;
      return HttpResponse.json(
        { ...detail(false, { phase: 'Provisioning' }), run },
        { status: 202 },
      );
    }),
    http.delete(`${path}/runs/:id`, async ({ request }) => {
      const call = await record(request);
      const answer = options.override?.(call);
      if (answer) return answer;
      state.created = false;
      return new HttpResponse(null, { status: 204 });
    }),
    http.post(`${path}/backups`, async ({ request }) => {
      const call = await record(request);
      const answer = options.override?.(call);
      if (answer) return answer;
      const running = state.backups.find(b => b.status === 'Running');
      if (running) {
        return errorBody(
          409,
          'ConflictError',
          `backup ${running.id} of sandbox/databases/orders-db is still running; wait for it to end`,
        );
      }
      const id = String(state.backups.length + 1);
      state.backups.unshift({
        id,
        status: 'Running',
        startedAt: '2025-01-01T00:00:00Z',
        location: backupLocation(id),
        trigger: 'manual',
        actor: 'user:default/mock',
      });
      return HttpResponse.json({ id, status: 'Running' }, { status: 202 });
    }),
    http.get(`${path}/backups`, async ({ request }) => {
      const call = await record(request);
      const answer = options.override?.(call);
      if (answer) return answer;
      const running = state.backups.findIndex(b => b.status === 'Running');
      if (running >= 0) {
        state.backups[running] = { ...state.backups[running], ...progress() };
      }
      return HttpResponse.json({
        items: state.backups,
        policy: BACKUP_POLICY,
        lastCompletedAt: state.backups.find(b => b.status === 'Completed')
          ?.completedAt,
      });
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
