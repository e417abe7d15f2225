import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { MysqlInstanceSummary } from '@mysql-portal/plugin-mysql-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { MysqlApi, mysqlApiRef } from '../../api';
import { FleetContent } from './FleetContent';

// The test app loads lazily, and the machines running the tests are busy.
jest.setTimeout(30_000);

const HOUR = 3600_000;

function instance(
  name: string,
  extra: Partial<MysqlInstanceSummary> = {},
): MysqlInstanceSummary {
  return {
    cluster: 'sandbox',
    namespace: 'default',
    name,
    entityRef: `resource:default/${name}`,
    owner: 'group:default/team-a',
    status: {
      phase: 'Running',
      since: new Date(Date.now() - 2 * HOUR).toISOString(),
    },
    version: { image: 'mysql:8.4', server: '8.4.3' },
    createdAt: new Date(Date.now() - 3 * 24 * HOUR).toISOString(),
    drift: false,
    pendingRestart: false,
    lastBackup: {
      completedAt: new Date(Date.now() - 5 * HOUR).toISOString(),
    },
    needsAttention: [],
    ...extra,
  };
}

const healthy = instance('orders-db');
const troubled = instance('billing-db', {
  owner: 'group:default/payments',
  status: {
    phase: 'Degraded',
    message: 'the server does not start',
    since: new Date(Date.now() - 60_000).toISOString(),
  },
  version: { image: 'mysql:8.4', server: '8.0.36' },
  drift: true,
  pendingRestart: true,
  lastBackup: undefined,
  needsAttention: [
    { kind: 'phase', message: 'Degraded: the server does not start' },
    { kind: 'backup', message: 'no backup has completed yet' },
  ],
});

function Address() {
  const location = useLocation();
  return <div data-testid="address">{location.search}</div>;
}

function render(listInstances: jest.Mock, options: { address?: string } = {}) {
  const api: MysqlApi = {
    listInstances,
    getInstance: jest.fn(),
    updateConfig: jest.fn(),
    restart: jest.fn(),
    deleteInstance: jest.fn(),
    createInstance: jest.fn(),
    createBackup: jest.fn(),
    listBackups: jest.fn(),
    updateVersion: jest.fn(),
  };
  return renderInTestApp(
    <>
      <FleetContent />
      <Address />
    </>,
    {
      apis: [[mysqlApiRef, api], mockApis.permission()],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      initialRouteEntries: [options.address ?? '/mysql'],
    },
  );
}

const answer = (items: MysqlInstanceSummary[], totalCount = items.length) =>
  jest.fn().mockResolvedValue({ items, totalCount });

describe('FleetContent', () => {
  it('lists each instance with its status, age, versions, restart, last backup, owner and attention, linked to its entity page', async () => {
    const listInstances = answer([troubled, healthy]);
    render(listInstances);
    const table = await screen.findByRole(
      'table',
      { name: 'MySQL instances' },
      { timeout: 10_000 },
    );
    expect(listInstances).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    expect(screen.getByTestId('mysql-fleet-count')).toHaveTextContent(
      '2 instances',
    );

    const [, bad, good] = within(table).getAllByRole('row');
    expect(
      within(bad).getByRole('link', { name: 'billing-db' }),
    ).toHaveAttribute('href', '/catalog/default/resource/billing-db');
    expect(bad).toHaveTextContent('Degraded');
    expect(bad).toHaveTextContent('the server does not start');
    expect(bad).toHaveTextContent('3d');
    expect(bad).toHaveTextContent('mysql:8.4');
    expect(within(bad).getByTestId('mysql-fleet-drift')).toHaveTextContent(
      'runs 8.0.36 (drift)',
    );
    expect(bad).toHaveTextContent('pending');
    expect(bad).toHaveTextContent('never');
    expect(bad).toHaveTextContent('payments');
    expect(bad).toHaveTextContent('no backup has completed yet');

    expect(good).toHaveTextContent('Running');
    expect(good).toHaveTextContent('runs 8.4.3');
    expect(within(good).queryByTestId('mysql-fleet-drift')).toBeNull();
    expect(good).toHaveTextContent('5 h ago');
    expect(good).toHaveTextContent('team-a');
    expect(
      within(good).getByRole('link', { name: 'orders-db' }),
    ).toHaveAttribute('href', '/catalog/default/resource/orders-db');
  });

  it('asks the backend for what needs attention, from the first page, and keeps the filter in the address', async () => {
    const listInstances = answer([troubled, healthy], 60);
    render(listInstances, { address: '/mysql?page=2' });
    await screen.findByRole(
      'table',
      { name: 'MySQL instances' },
      { timeout: 10_000 },
    );
    expect(listInstances).toHaveBeenLastCalledWith({ limit: 25, offset: 25 });

    listInstances.mockResolvedValue({ items: [troubled], totalCount: 1 });
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Needs attention' }),
    );
    await waitFor(() =>
      expect(listInstances).toHaveBeenLastCalledWith({
        needsAttention: true,
        limit: 25,
        offset: 0,
      }),
    );
    expect(screen.getByTestId('address')).toHaveTextContent(
      '?needsAttention=true',
    );
    await waitFor(() =>
      expect(screen.getByTestId('mysql-fleet-count')).toHaveTextContent(
        '1 instance needs attention',
      ),
    );
    expect(screen.queryByRole('link', { name: 'orders-db' })).toBeNull();
  });

  it('starts from the filters in the address', async () => {
    const listInstances = answer([troubled]);
    render(listInstances, {
      address:
        '/mysql?owner=payments&cluster=sandbox&phase=Degraded&needsAttention=true&q=billing',
    });
    await screen.findByRole(
      'table',
      { name: 'MySQL instances' },
      { timeout: 10_000 },
    );
    expect(listInstances).toHaveBeenCalledWith({
      owner: 'payments',
      cluster: 'sandbox',
      phase: 'Degraded',
      needsAttention: true,
      q: 'billing',
      limit: 25,
      offset: 0,
    });
    expect(
      screen.getByRole('checkbox', { name: 'Needs attention' }),
    ).toBeChecked();
    expect(screen.getByLabelText('Owner')).toHaveValue('payments');
  });

  it('sends a typed name and owner once typing pauses', async () => {
    const listInstances = answer([healthy]);
    render(listInstances);
    await screen.findByRole(
      'table',
      { name: 'MySQL instances' },
      { timeout: 10_000 },
    );
    await userEvent.type(screen.getByLabelText('Name'), 'orders');
    await userEvent.type(screen.getByLabelText('Owner'), 'team-a{Enter}');
    await waitFor(() =>
      expect(listInstances).toHaveBeenLastCalledWith({
        q: 'orders',
        owner: 'team-a',
        limit: 25,
        offset: 0,
      }),
    );
    // Not one request per keystroke.
    expect(listInstances.mock.calls.length).toBeLessThan(6);
  });

  it('pages with the total the backend counted', async () => {
    const listInstances = answer([healthy], 60);
    render(listInstances);
    await screen.findByText('1-25 of 60', undefined, { timeout: 10_000 });
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() =>
      expect(listInstances).toHaveBeenLastCalledWith({ limit: 25, offset: 25 }),
    );
    expect(screen.getByTestId('address')).toHaveTextContent('?page=2');
  });

  it('says when nothing matches the filters', async () => {
    const empty = answer([]);
    render(empty, { address: '/mysql?needsAttention=true' });
    expect(
      await screen.findByText('No instance matches these filters', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
  });

  it('shows why the list could not be read', async () => {
    const failing = jest.fn().mockRejectedValue(new Error('backend down'));
    render(failing);
    expect(
      await screen.findByText('Error: backend down', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
