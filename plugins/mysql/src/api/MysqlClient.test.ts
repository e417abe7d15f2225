import { mockApis, registerMswTestHooks } from '@backstage/frontend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { makeDetail } from '../testData';
import { isBackendMissing, isConflict } from './errors';
import { MysqlClient } from './MysqlClient';

const baseUrl = 'http://backstage.test/api/mysql';
const ref = { cluster: 'local', namespace: 'db', name: 'orders' };

describe('MysqlClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = new MysqlClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage.test' }),
    fetchApi: { fetch: (...args) => fetch(...args) },
  });

  it('gets an instance', async () => {
    const detail = makeDetail();
    server.use(
      http.get(`${baseUrl}/instances/local/db/orders`, () =>
        HttpResponse.json(detail),
      ),
    );
    await expect(client.getInstance(ref)).resolves.toEqual(detail);
  });

  it('puts the configuration with the resource version', async () => {
    let body: unknown;
    server.use(
      http.put(
        `${baseUrl}/instances/local/db/orders/config`,
        async ({ request }) => {
          body = await request.json();
          return HttpResponse.json(makeDetail(), { status: 202 });
        },
      ),
    );
    await client.updateConfig(ref, {
      config: { max_connections: '300' },
      resourceVersion: '41',
    });
    expect(body).toEqual({
      config: { max_connections: '300' },
      resourceVersion: '41',
    });
  });

  it('posts a restart', async () => {
    const restart = jest.fn();
    server.use(
      http.post(`${baseUrl}/instances/local/db/orders/restart`, () => {
        restart();
        return HttpResponse.json(makeDetail(), { status: 202 });
      }),
    );
    await client.restart(ref);
    expect(restart).toHaveBeenCalledTimes(1);
  });

  it('turns a conflict into a ResponseError', async () => {
    server.use(
      http.put(`${baseUrl}/instances/local/db/orders/config`, () =>
        HttpResponse.json(
          {
            error: { name: 'ConflictError', message: 'stale' },
            request: { method: 'PUT', url: '/' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );
    const error = await client
      .updateConfig(ref, { config: {}, resourceVersion: '1' })
      .catch(e => e);
    expect(error.name).toBe('ResponseError');
    expect(isConflict(error)).toBe(true);
    expect(isBackendMissing(error)).toBe(false);
  });

  it('tells a missing backend from a missing instance', async () => {
    server.use(
      http.get(
        `${baseUrl}/instances/local/db/orders`,
        () => new HttpResponse(null, { status: 404 }),
      ),
      http.get(`${baseUrl}/instances/local/db/gone`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'no instance gone' },
            request: { method: 'GET', url: '/' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    const missing = await client.getInstance(ref).catch(e => e);
    expect(isBackendMissing(missing)).toBe(true);
    const gone = await client
      .getInstance({ ...ref, name: 'gone' })
      .catch(e => e);
    expect(isBackendMissing(gone)).toBe(false);
  });

  it('encodes the path parts', async () => {
    server.use(
      http.get(`${baseUrl}/instances/a%20b/db/orders`, () =>
        HttpResponse.json(makeDetail()),
      ),
    );
    await expect(
      client.getInstance({ ...ref, cluster: 'a b' }),
    ).resolves.toBeDefined();
  });
});
