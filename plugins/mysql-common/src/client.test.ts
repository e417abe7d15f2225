import { MysqlApiClient } from './client';

function clientWith(answer: object = { items: [], totalCount: 0 }) {
  const fetch = jest.fn(
    async (_url: string, _init?: RequestInit) =>
      new Response(JSON.stringify(answer), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
  const client = new MysqlApiClient({
    discoveryApi: { getBaseUrl: async () => 'http://backstage.test/api/mysql' },
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
  });
  return { client, fetch };
}

describe('MysqlApiClient.listInstances', () => {
  it('asks for every instance without a query, as before', async () => {
    const { client, fetch } = clientWith();
    await expect(client.listInstances()).resolves.toEqual({
      items: [],
      totalCount: 0,
    });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage.test/api/mysql/instances',
    );
  });

  it('sends the token as a header, never in the query', async () => {
    const { client, fetch } = clientWith();
    await client.listInstances({ token: 'secret' });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('http://backstage.test/api/mysql/instances');
    expect((init!.headers as Record<string, string>).Authorization).toBe(
      'Bearer secret',
    );
  });

  it('turns the filters and the page into query parameters, leaving out empty ones', async () => {
    const { client, fetch } = clientWith();
    await client.listInstances({
      owner: 'group:default/team-a',
      cluster: '',
      phase: 'Degraded',
      needsAttention: true,
      q: 'orders db',
      limit: 50,
      offset: 100,
    });
    const url = new URL(fetch.mock.calls[0][0]);
    expect(url.pathname).toBe('/api/mysql/instances');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      owner: 'group:default/team-a',
      phase: 'Degraded',
      needsAttention: 'true',
      q: 'orders db',
      limit: '50',
      offset: '100',
    });
  });
});
