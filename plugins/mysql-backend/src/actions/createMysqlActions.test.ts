import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { NotAllowedError } from '@backstage/errors';
import express from 'express';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createMysqlActions } from '.';
import { configChanges } from './createMysqlActions';

const ALICE = 'user:default/alice';
const viaMcp = mockCredentials.user(ALICE, {
  actor: { subject: 'plugin:mcp-actions' },
});

const summary = {
  cluster: 'sandbox',
  namespace: 'shop',
  name: 'orders-db',
  entityRef: 'resource:default/orders-db',
  owner: 'group:default/shop',
  status: { phase: 'Running', since: '2026-12-01T00:00:00.000Z' },
  version: { image: 'mysql:8.4', server: '8.4.3' },
};

function detail(desired: Record<string, string>) {
  return {
    ...summary,
    config: {
      desired,
      applied: {},
      pending: Object.keys(desired),
      restartRequired: true,
      mode: 'restart',
    },
    resourceVersion: JSON.stringify(desired),
    history: [],
    connection: {
      host: 'orders-db.shop.svc',
      port: 3306,
      secretName: 'orders-db',
      passwordKey: 'password',
      env: '',
    },
  };
}

/** The REST API, as far as the actions use it; it records what it was sent. */
async function restApi() {
  const requests: Array<{
    method: string;
    path: string;
    via?: string;
    authorization?: string;
    body?: unknown;
  }> = [];
  let desired: Record<string, string> = { max_connections: '151' };
  const app = express().use(express.json());
  app.use((req, _res, next) => {
    requests.push({
      method: req.method,
      path: req.path,
      via: req.get('x-mysql-via'),
      authorization: req.get('authorization'),
      body: req.body,
    });
    next();
  });
  app.get('/instances', (_req, res) => {
    res.json({ items: [summary] });
  });
  app.get('/instances/sandbox/shop/orders-db', (_req, res) => {
    res.json(detail(desired));
  });
  app.put('/instances/sandbox/shop/orders-db/config', (req, res) => {
    desired = Object.fromEntries(
      Object.entries(req.body.config).map(([k, v]) => [k, String(v)]),
    );
    res.status(202).json(detail(desired));
  });
  app.post('/instances/sandbox/shop/orders-db/restart', (_req, res) => {
    res.status(403).json({
      error: {
        name: 'NotAllowedError',
        message:
          'you may not change sandbox/shop/orders-db: mysql.instance.config.update on resource:default/orders-db is not granted to you',
      },
      request: { method: 'POST', url: '/restart' },
      response: { statusCode: 403 },
    });
  });
  const server: Server = await new Promise(resolve => {
    const s = app.listen(0, () => resolve(s));
  });
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const registry = actionsRegistryServiceMock();
  createMysqlActions({
    actionsRegistry: registry,
    auth: mockServices.auth({ pluginId: 'mysql' }),
    discovery: {
      getBaseUrl: async () => url,
      getExternalBaseUrl: async () => url,
    },
  });
  return { registry, requests, server };
}

describe('the mysql actions', () => {
  let api: Awaited<ReturnType<typeof restApi>>;
  beforeEach(async () => {
    api = await restApi();
  });
  afterEach(async () => {
    await new Promise(resolve => api.server.close(resolve));
  });

  it('are the five, with honest attributes', async () => {
    const { actions } = await api.registry.list();
    expect(
      Object.fromEntries(actions.map(a => [a.name, a.attributes])),
    ).toEqual({
      'list-instances': {
        readOnly: true,
        destructive: false,
        idempotent: true,
      },
      'get-instance': { readOnly: true, destructive: false, idempotent: true },
      'update-config': {
        readOnly: false,
        destructive: true,
        idempotent: true,
      },
      restart: { readOnly: false, destructive: true, idempotent: false },
      'create-backup': {
        readOnly: false,
        destructive: true,
        idempotent: false,
      },
    });
  });

  it('list the instances through the REST API, on behalf of the user and saying which action', async () => {
    const { output } = await api.registry.invoke({
      id: 'test:list-instances',
      input: {},
      credentials: viaMcp,
    });
    expect(output).toEqual({
      instances: [
        {
          cluster: 'sandbox',
          namespace: 'shop',
          name: 'orders-db',
          entityRef: 'resource:default/orders-db',
          owner: 'group:default/shop',
          phase: 'Running',
          image: 'mysql:8.4',
          serverVersion: '8.4.3',
        },
      ],
    });
    expect(api.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/instances',
        via: 'MCP action list-instances',
        authorization: expect.stringContaining(`"obo":"${ALICE}"`),
      }),
    ]);
  });

  it('set the requested variables on top of the current configuration', async () => {
    const { output } = await api.registry.invoke({
      id: 'test:update-config',
      input: {
        cluster: 'sandbox',
        namespace: 'shop',
        name: 'orders-db',
        config: { max_connections: 500, long_query_time: 2 },
      },
      credentials: viaMcp,
    });
    expect(output).toMatchObject({
      entityRef: 'resource:default/orders-db',
      changes: [
        { name: 'long_query_time', to: '2' },
        { name: 'max_connections', from: '151', to: '500' },
      ],
      pending: ['max_connections', 'long_query_time'],
    });
    expect(api.requests[1]).toEqual(
      expect.objectContaining({
        method: 'PUT',
        via: 'MCP action update-config',
        body: {
          config: { max_connections: 500, long_query_time: 2 },
          resourceVersion: '{"max_connections":"151"}',
        },
      }),
    );
  });

  it("pass the REST API's refusal on as it is", async () => {
    await expect(
      api.registry.invoke({
        id: 'test:restart',
        input: { cluster: 'sandbox', namespace: 'shop', name: 'orders-db' },
        credentials: viaMcp,
      }),
    ).rejects.toMatchObject({
      name: NotAllowedError.name,
      message: expect.stringContaining('mysql.instance.config.update'),
    });
  });
});

describe('configChanges', () => {
  it('names what was set, changed and removed', () => {
    expect(
      configChanges({ a: '1', b: '2' }, { a: '1', b: '3', c: '4' }),
    ).toEqual([
      { name: 'b', from: '2', to: '3' },
      { name: 'c', from: undefined, to: '4' },
    ]);
  });
});
