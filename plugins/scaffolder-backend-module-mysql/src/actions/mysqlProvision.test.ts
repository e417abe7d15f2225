import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  MysqlClusters,
  readMysqlProvisionConfig,
} from '@internal/plugin-mysql-node';
import { ConfigReader } from '@backstage/config';
import { http, HttpResponse } from 'msw';
import yaml from 'yaml';
import { kubeStatus, startMswApiServer } from '../__testUtils__/mswApiServer';
import { createMysqlProvisionAction } from './mysqlProvision';

type Call = { method: string; path: string; body?: any };

const PATHS = {
  secret: '/api/v1/namespaces/default/secrets',
  configMap: '/api/v1/namespaces/default/configmaps',
  service: '/api/v1/namespaces/default/services',
  statefulSet: '/apis/apps/v1/namespaces/default/statefulsets',
};

/**
 * A fake API server that stores what is created. `override` answers some
 * requests differently (errors, foreign objects).
 */
async function fakeCluster(override?: (call: Call) => Response | undefined) {
  const calls: Call[] = [];
  const store = new Map<string, any>();
  const handler = http.all('*', async ({ request }) => {
    const url = new URL(request.url);
    const body = request.method === 'POST' ? await request.json() : undefined;
    const call = { method: request.method, path: url.pathname, body };
    calls.push(call);
    const answer = override?.(call);
    if (answer) return answer;
    if (request.method === 'GET' && url.pathname.includes('/pods')) {
      return HttpResponse.json({ kind: 'PodList', items: [] });
    }
    if (request.method === 'GET') {
      const found = store.get(url.pathname);
      if (!found)
        return HttpResponse.json(kubeStatus(404, 'NotFound', 'not found'), {
          status: 404,
        });
      return HttpResponse.json(
        url.pathname.includes('statefulsets')
          ? { ...found, status: { readyReplicas: 1 } }
          : found,
      );
    }
    if (request.method === 'POST') {
      store.set(`${url.pathname}/${(body as any).metadata.name}`, body);
      return HttpResponse.json(body, { status: 201 });
    }
    if (request.method === 'DELETE') {
      store.delete(url.pathname);
      return HttpResponse.json(kubeStatus(200, '', 'deleted'));
    }
    return HttpResponse.json(kubeStatus(405, 'MethodNotAllowed', 'no'), {
      status: 405,
    });
  });
  const server = await startMswApiServer([handler]);
  return { server, calls, store };
}

function actionFor(url: string, entities: Entity[] = []) {
  const config = new ConfigReader({
    mysql: {
      clusters: [
        { name: 'test', url, token: 'test-token', skipTLSVerify: true },
      ],
    },
  });
  return createMysqlProvisionAction({
    clusters: MysqlClusters.fromConfig(config),
    provision: readMysqlProvisionConfig(config),
    catalog: catalogServiceMock({ entities }),
    auth: mockServices.auth(),
  });
}

/** createMockActionContext drops isDryRun, so it is added here. */
function context(actionInput: object, options: { isDryRun?: boolean } = {}) {
  return {
    ...createMockActionContext({
      input: actionInput as any,
      logger: mockServices.logger.mock(),
    }),
    ...options,
  };
}

const input = {
  name: 'orders-db',
  owner: 'group:default/team-a',
  config: { max_connections: 200 },
  waitForReady: false,
};

let cluster: Awaited<ReturnType<typeof fakeCluster>> | undefined;
afterEach(async () => {
  await cluster?.server.close();
  cluster = undefined;
});

describe('mysql:provision', () => {
  it('creates the five objects with the shared labels and outputs where to connect', async () => {
    cluster = await fakeCluster();
    const ctx = context(input);
    await actionFor(cluster.server.url).handler(ctx);

    const posts = cluster.calls.filter(c => c.method === 'POST');
    expect(posts.map(c => `${c.body.kind}/${c.body.metadata.name}`)).toEqual([
      'Secret/orders-db',
      'ConfigMap/orders-db',
      'Service/orders-db-headless',
      'Service/orders-db',
      'StatefulSet/orders-db',
    ]);
    for (const post of posts) {
      expect(post.body.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'mysql',
        'app.kubernetes.io/instance': 'orders-db',
        'app.kubernetes.io/managed-by': 'backstage-mysql',
        'backstage.io/kubernetes-id': 'orders-db',
      });
      expect(post.body.metadata.annotations['mysql.backstage.io/owner']).toBe(
        'group:default/team-a',
      );
    }
    const secret = posts[0].body.stringData;
    expect(secret['root-password']).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(
      new Set([
        secret['root-password'],
        secret.password,
        secret['monitor-password'],
      ]).size,
    ).toBe(3);
    expect(posts[1].body.data['my.cnf']).toContain('max_connections = 200');
    const sts = posts[4].body;
    expect(sts.spec.replicas).toBe(1);
    expect(
      sts.spec.template.metadata.annotations['mysql.backstage.io/config-hash'],
    ).toMatch(/^[0-9a-f]{16}$/);
    expect(sts.spec.template.spec.securityContext.runAsNonRoot).toBe(true);

    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'resource:default/orders-db',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'host',
      'orders-db.default.svc.cluster.local',
    );
    expect(ctx.output).toHaveBeenCalledWith('port', 3306);
    expect(ctx.output).toHaveBeenCalledWith('secretName', 'orders-db');

    const logged =
      JSON.stringify((ctx.logger.info as jest.Mock).mock.calls) +
      JSON.stringify((ctx.output as jest.Mock).mock.calls);
    const passwords = [
      secret['root-password'],
      secret.password,
      secret['monitor-password'],
    ];
    for (const password of passwords) expect(logged).not.toContain(password);
  });

  it('changes nothing when run again with the same input', async () => {
    cluster = await fakeCluster();
    const action = actionFor(cluster.server.url);
    await action.handler(context(input));
    const before = cluster.calls.length;
    await action.handler(context({ ...input, waitForReady: true }));
    const rerun = cluster.calls.slice(before);
    expect(rerun.filter(c => c.method !== 'GET')).toEqual([]);
  });

  it('waits for the StatefulSet to be ready', async () => {
    cluster = await fakeCluster();
    const ctx = context({ ...input, waitForReady: true });
    await actionFor(cluster.server.url).handler(ctx);
    expect(ctx.logger.info).toHaveBeenCalledWith('orders-db is ready');
  });

  it('refuses a name taken by an object it does not manage and touches nothing', async () => {
    cluster = await fakeCluster(call =>
      call.method === 'GET' && call.path === `${PATHS.statefulSet}/orders-db`
        ? HttpResponse.json({
            kind: 'StatefulSet',
            metadata: { name: 'orders-db', labels: { app: 'theirs' } },
          })
        : undefined,
    );
    await expect(
      actionFor(cluster.server.url).handler(context(input)),
    ).rejects.toThrow(
      /StatefulSet default\/orders-db in cluster test already exists and is not managed by Backstage/,
    );
    expect(cluster.calls.filter(c => c.method !== 'GET')).toEqual([]);
  });

  it('refuses a name that another database entity has', async () => {
    cluster = await fakeCluster();
    const other: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'orders-db',
        namespace: 'default',
        annotations: { 'mysql.backstage.io/instance': 'prod/shop/orders-db' },
      },
      spec: { type: 'database', owner: 'group:default/other' },
    };
    await expect(
      actionFor(cluster.server.url, [other]).handler(context(input)),
    ).rejects.toThrow(
      /name: "orders-db" is taken: the catalog already has resource:default\/orders-db for prod\/shop\/orders-db/,
    );
    expect(cluster.calls).toEqual([]);
  });

  it('returns the manifests as YAML on a dry run and creates nothing', async () => {
    cluster = await fakeCluster();
    const ctx = context(input, { isDryRun: true });
    await actionFor(cluster.server.url).handler(ctx);
    expect(cluster.calls).toEqual([]);
    const manifests = (ctx.output as jest.Mock).mock.calls.find(
      c => c[0] === 'manifests',
    )[1];
    const docs = yaml.parseAllDocuments(manifests).map(d => d.toJS());
    expect(docs.map(d => d.kind)).toEqual([
      'Secret',
      'ConfigMap',
      'Service',
      'Service',
      'StatefulSet',
    ]);
    expect(Object.keys(docs[0].stringData)).not.toContain('root-password');
  });

  it('names every bad field at once', async () => {
    cluster = await fakeCluster();
    const bad = {
      name: 'Orders_DB',
      owner: '',
      version: 'mysql:5.7',
      storageSize: 'lots',
      config: {
        max_connections: 0,
        no_such_variable: 1,
        sql_mode: 'ANSI\n[client]',
      },
    };
    const error = await actionFor(cluster.server.url)
      .handler(context(bad))
      .catch(e => e);
    expect(error.name).toBe('InputError');
    for (const field of [
      'name:',
      'owner:',
      'version:',
      'storageSize:',
      'config.max_connections:',
      'config.no_such_variable:',
      'config.sql_mode:',
    ]) {
      expect(error.message).toContain(field);
    }
    expect(cluster.calls).toEqual([]);
  });

  describe('Kubernetes errors', () => {
    const failWith =
      (status: number, reason: string, when: (c: Call) => boolean) =>
      (c: Call) =>
        when(c)
          ? HttpResponse.json(
              kubeStatus(status, reason, `${reason} from the fake API server`),
              { status },
            )
          : undefined;

    it('401: says the cluster rejected the credentials', async () => {
      cluster = await fakeCluster(failWith(401, 'Unauthorized', () => true));
      await expect(
        actionFor(cluster.server.url).handler(context(input)),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('401 Unauthorized'),
      });
    });

    it('403 halfway: reports it and removes what the run created', async () => {
      cluster = await fakeCluster(
        failWith(
          403,
          'Forbidden',
          c => c.method === 'POST' && c.path === PATHS.statefulSet,
        ),
      );
      await expect(
        actionFor(cluster.server.url).handler(context(input)),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('Forbidden from the fake API server'),
      });
      const deletes = cluster.calls
        .filter(c => c.method === 'DELETE')
        .map(c => c.path);
      expect(deletes).toEqual([
        `${PATHS.service}/orders-db`,
        `${PATHS.service}/orders-db-headless`,
        `${PATHS.configMap}/orders-db`,
        `${PATHS.secret}/orders-db`,
      ]);
      expect(cluster.store.size).toBe(0);
    });

    it('409: a conflict while creating', async () => {
      cluster = await fakeCluster(
        failWith(
          409,
          'AlreadyExists',
          c => c.method === 'POST' && c.path === PATHS.configMap,
        ),
      );
      await expect(
        actionFor(cluster.server.url).handler(context(input)),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect(cluster.store.size).toBe(0);
    });

    it('422: the API server refuses an object', async () => {
      cluster = await fakeCluster(
        failWith(
          422,
          'Invalid',
          c => c.method === 'POST' && c.path === PATHS.statefulSet,
        ),
      );
      await expect(
        actionFor(cluster.server.url).handler(context(input)),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          '(422): Invalid from the fake API server',
        ),
      });
      expect(cluster.store.size).toBe(0);
    });

    it('network error: says the cluster did not answer', async () => {
      cluster = await fakeCluster(() => HttpResponse.error());
      await expect(
        actionFor(cluster.server.url).handler(context(input)),
      ).rejects.toMatchObject({
        name: 'ServiceUnavailableError',
        message: expect.stringContaining('did not answer'),
      });
    });
  });
});
