import { Entity } from '@backstage/catalog-model';
import { fetchApiRef } from '@backstage/frontend-plugin-api';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { MysqlInstanceSummary } from '@mysql-portal/plugin-mysql-common';
import { screen, within } from '@testing-library/react';
import { YourDatabases } from './YourDatabases';

const guestsDb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'demo-guests-db', namespace: 'default' },
  spec: { type: 'database', owner: 'group:default/guests' },
};

const guestsInstance: MysqlInstanceSummary = {
  cluster: 'sandbox',
  namespace: 'default',
  name: 'demo-guests-db',
  entityRef: 'resource:default/demo-guests-db',
  owner: 'group:default/guests',
  status: {
    phase: 'Reconciling',
    message: 'rolling out the new configuration',
    since: '2026-01-01T00:00:00Z',
  },
  version: { image: 'mysql:9.7', server: '9.7.4' },
};

function render(options: {
  entities: Entity[];
  instances?: MysqlInstanceSummary[];
  mysqlStatus?: number;
}) {
  const getEntities = jest.fn().mockResolvedValue({ items: options.entities });
  const fetch = jest.fn(
    async () =>
      new Response(JSON.stringify({ items: options.instances ?? [] }), {
        status: options.mysqlStatus ?? 200,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
  const rendered = renderInTestApp(<YourDatabases />, {
    apis: [
      [catalogApiRef, catalogApiMock.mock({ getEntities })],
      [fetchApiRef, { fetch }],
      mockApis.discovery({ baseUrl: 'http://backend' }),
      mockApis.identity({
        userEntityRef: 'user:default/guest',
        ownershipEntityRefs: ['user:default/guest', 'group:default/guests'],
      }),
    ],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
  return { ...rendered, getEntities, fetch };
}

// The test app loads lazily, and the machines running the tests are busy.
jest.setTimeout(30_000);

describe('YourDatabases', () => {
  it('lists the databases the user owns, with links and their status', async () => {
    const { getEntities, fetch } = render({
      entities: [guestsDb],
      instances: [guestsInstance],
    });

    const table = await screen.findByRole(
      'table',
      { name: 'Your databases' },
      { timeout: 10_000 },
    );
    const link = within(table).getByRole('link', { name: /demo-guests-db/ });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/resource/demo-guests-db',
    );
    expect(within(table).getByText('Reconciling')).toBeInTheDocument();
    expect(
      within(table).getByText('rolling out the new configuration'),
    ).toBeInTheDocument();
    expect(within(table).getByText('9.7.4')).toBeInTheDocument();

    expect(getEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: expect.objectContaining({
          'relations.ownedBy': ['user:default/guest', 'group:default/guests'],
        }),
      }),
    );
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/mysql/instances',
      expect.anything(),
    );
  });

  it('offers to create one when the user owns none', async () => {
    render({ entities: [] });
    expect(
      await screen.findByText(
        /You own no databases yet/,
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'create one' })).toHaveAttribute(
      'href',
      '/create/templates/default/mysql-database',
    );
  });

  it('still lists the databases when their status cannot be read', async () => {
    render({ entities: [guestsDb], mysqlStatus: 500 });
    const table = await screen.findByRole(
      'table',
      { name: 'Your databases' },
      { timeout: 10_000 },
    );
    expect(within(table).getByText('Unavailable')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Status unavailable');
  });
});
