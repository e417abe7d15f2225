import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  AuditorEvent,
  DefaultAuditorService,
} from '@backstage/backend-defaults/auditor';
import { mockCredentials } from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import permissionModuleMysqlPolicy from '@mysql-portal/plugin-permission-backend-module-mysql-policy';
import { TestSandbox, useSandbox, waitUntil } from '@mysql-portal/k8s-sandbox';
import * as k8s from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  authKeepingActors,
  userInfoFromGroups,
} from './__testUtils__/permissionServices';
import {
  NAMESPACE,
  startMysqlTestBackend,
} from './__testUtils__/mysqlTestBackend';

jest.setTimeout(600_000);

// Issue 15: the mysql plugin's actions for agents, through the real MCP
// endpoint of the MCP actions backend, with the real permission backend and
// the portal's policy: only the owners of an instance may change it.

const RUN = randomBytes(2).toString('hex');
const NAME = `it-mcp-${RUN}`;
const TEAM = 'group:default/dba-team';
const OWNER = 'user:default/alice';
const STRANGER = 'user:default/bob';

let sandbox: TestSandbox;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let backend: Awaited<ReturnType<typeof startMysqlTestBackend>>;

/** Every audit event of every plugin, as the real auditor makes them. */
const audit: AuditorEvent[] = [];
const recordingAuditor = createServiceFactory({
  service: coreServices.auditor,
  deps: {
    auth: coreServices.auth,
    httpAuth: coreServices.httpAuth,
    plugin: coreServices.pluginMetadata,
  },
  factory: deps =>
    DefaultAuditorService.create(event => {
      audit.push(event);
    }, deps),
});

const base = `/api/mysql/instances/sandbox/${NAMESPACE}/${NAME}`;

function api(method: 'get' | 'post', url: string, body?: object) {
  const req = request(backend.server)
    [method](url)
    .set('Authorization', mockCredentials.user.header());
  return body ? req.send(body) : req;
}

/** An MCP client signed in as `user`, on the MCP actions backend's endpoint. */
async function mcpAs(user: string) {
  const { port } = backend.server.address() as AddressInfo;
  const client = new Client({ name: 'mysql-actions-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(`http://localhost:${port}/api/mcp-actions/v1`),
      {
        requestInit: {
          headers: { Authorization: mockCredentials.user.header(user) },
        },
      },
    ),
  );
  return client;
}

async function callTool(user: string, name: string, args: object = {}) {
  const client = await mcpAs(user);
  try {
    return await client.callTool({
      name,
      arguments: args as Record<string, unknown>,
    });
  } finally {
    await client.close();
  }
}

const instance = { cluster: 'sandbox', namespace: NAMESPACE, name: NAME };

/**
 * The instance, created by the default mock user for a team that user is
 * not in; it returns once the server runs, has been polled, and its entity
 * (on which owners' writes are decided) is in the catalog.
 */
async function create() {
  const res = await api('post', '/api/mysql/instances', {
    name: NAME,
    owner: TEAM,
    version: 'mysql:9.7',
    size: 'small',
    storageSize: '1Gi',
  });
  expect({ status: res.status, error: res.body.error?.message }).toEqual({
    status: 202,
    error: undefined,
  });
  await waitUntil(
    `${NAME} to run and be polled`,
    async () => {
      const detail = await api('get', base);
      return detail.body.status?.phase === 'Running' &&
        detail.body.version?.server
        ? detail.body
        : undefined;
    },
    240_000,
  );
  await waitUntil(`the entity of ${NAME}`, async () => {
    const entity = await api(
      'get',
      `/api/catalog/entities/by-name/resource/default/${NAME}`,
    );
    return entity.body?.relations?.length ? entity.body : undefined;
  });
}

beforeAll(async () => {
  sandbox = await useSandbox();
  core = sandbox.kc.makeApiClient(k8s.CoreV1Api);
  apps = sandbox.kc.makeApiClient(k8s.AppsV1Api);
  backend = await startMysqlTestBackend(sandbox, {
    config: {
      backend: { actions: { pluginSources: ['mysql'] } },
      permission: { enabled: true },
    },
    features: [
      // The test backend's actions registry and actions service are the
      // real ones; the MCP actions backend serves what they list.
      mcpActionsPlugin,
      permissionPlugin,
      permissionModuleMysqlPolicy,
      authKeepingActors,
      userInfoFromGroups({ [OWNER]: [TEAM] }),
      recordingAuditor,
    ],
  });
  await create();
});

afterAll(async () => {
  await backend?.stop();
  await apps
    .deleteNamespacedStatefulSet({ name: NAME, namespace: NAMESPACE })
    .catch(() => undefined);
  await core
    .deleteNamespacedPersistentVolumeClaim({
      name: `data-${NAME}-0`,
      namespace: NAMESPACE,
    })
    .catch(() => undefined);
});

it('offers the five MySQL tools, with honest hints', async () => {
  const client = await mcpAs(STRANGER);
  const { tools } = await client.listTools();
  await client.close();
  const mysqlTools = Object.fromEntries(
    tools
      .filter(tool => tool.name.startsWith('mysql.'))
      .map(tool => [
        tool.name,
        {
          readOnly: tool.annotations?.readOnlyHint,
          destructive: tool.annotations?.destructiveHint,
          idempotent: tool.annotations?.idempotentHint,
        },
      ]),
  );
  expect(mysqlTools).toEqual({
    'mysql.list-instances': {
      readOnly: true,
      destructive: false,
      idempotent: true,
    },
    'mysql.get-instance': {
      readOnly: true,
      destructive: false,
      idempotent: true,
    },
    'mysql.update-config': {
      readOnly: false,
      destructive: true,
      idempotent: true,
    },
    'mysql.restart': { readOnly: false, destructive: true, idempotent: false },
    'mysql.create-backup': {
      readOnly: false,
      destructive: true,
      idempotent: false,
    },
  });
});

it('lists the instance with the version its server really runs', async () => {
  const secret = await core.readNamespacedSecret({
    name: NAME,
    namespace: NAMESPACE,
  });
  const pod = await core.readNamespacedPod({
    name: `${NAME}-0`,
    namespace: NAMESPACE,
  });
  const db = await mysql.createConnection({
    host: pod.status!.podIP!,
    user: 'root',
    password: Buffer.from(secret.data!['root-password'], 'base64').toString(),
  });
  const [[{ version }]] = (await db.query(
    'SELECT VERSION() AS version',
  )) as any;
  await db.end();

  const result = await callTool(STRANGER, 'mysql.list-instances');
  expect(result.isError).toBeFalsy();
  const { instances } = result.structuredContent as { instances: object[] };
  expect(instances).toContainEqual({
    ...instance,
    entityRef: `resource:default/${NAME}`,
    owner: TEAM,
    phase: 'Running',
    image: 'mysql:9.7',
    serverVersion: version,
  });
  expect(version).toMatch(/^9\.7\./);
});

it("refuses a non-owner's update-config, audits the refusal and changes nothing", async () => {
  const result = await callTool(STRANGER, 'mysql.update-config', {
    ...instance,
    config: { max_connections: 321 },
  });
  expect(result.isError).toBe(true);
  expect((result.content as Array<{ text: string }>)[0].text).toMatch(
    /^NotAllowedError: you may not change .*mysql\.instance\.config\.update/,
  );
  expect(
    audit
      .filter(e => e.plugin === 'mysql' && e.eventId === 'config-update')
      .map(e => ({
        status: e.status,
        actor: e.actor.actorId,
        via: e.meta?.via,
      })),
  ).toEqual([
    { status: 'initiated', actor: STRANGER, via: undefined },
    { status: 'failed', actor: STRANGER, via: 'MCP action update-config' },
  ]);
  const detail = await api('get', base);
  expect(detail.body.config.desired.max_connections).toBeUndefined();
  expect(detail.body.history.filter((h: any) => h.kind === 'edit')).toEqual([]);
});

it("applies an owner's update-config, and the history says it came through the action", async () => {
  const result = await callTool(OWNER, 'mysql.update-config', {
    ...instance,
    config: { max_connections: 321 },
  });
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toMatchObject({
    ...instance,
    changes: [{ name: 'max_connections', to: '321' }],
  });
  expect(
    audit
      .filter(
        e =>
          e.plugin === 'mysql' &&
          e.eventId === 'config-update' &&
          e.status === 'succeeded',
      )
      .map(e => ({ actor: e.actor.actorId, via: e.meta?.via })),
  ).toEqual([{ actor: OWNER, via: 'MCP action update-config' }]);

  // The backend restarts the server with the new my.cnf.
  const detail = await waitUntil(
    'max_connections=321 to run',
    async () => {
      const res = await api('get', base);
      return res.body.config?.applied?.max_connections === '321'
        ? res.body
        : undefined;
    },
    240_000,
  );
  expect(detail.history).toContainEqual({
    at: expect.any(String),
    kind: 'edit',
    actor: `${OWNER} via MCP action update-config`,
    message: expect.stringContaining('max_connections'),
  });
});
