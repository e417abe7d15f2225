import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { makeDetail } from '../../testData';
import {
  clickWhenEnabled,
  ENABLED_TIMEOUT_MS,
  mockMysqlApi,
  renderCard,
  responseError,
} from './__testUtils__/renderCard';

// Rendering the edit dialog's two dozen fields in jsdom takes seconds when
// the machine is busy (a full `npm test` on 2 cores); 5 s is too tight.
jest.setTimeout(20_000);

async function editEnabled() {
  await waitFor(
    () =>
      expect(
        screen.getByRole('button', { name: 'Edit configuration' }),
      ).toBeEnabled(),
    { timeout: ENABLED_TIMEOUT_MS },
  );
}

describe('MySqlCard', () => {
  it('shows progress while loading', async () => {
    const api = mockMysqlApi();
    api.getInstance.mockReturnValue(new Promise(() => {}));
    await renderCard(api);
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('asks for the annotation when it is missing', async () => {
    const api = mockMysqlApi();
    await renderCard(api, { annotated: false });
    expect(
      await screen.findByText(/mysql\.backstage\.io\/instance/),
    ).toBeInTheDocument();
    expect(api.getInstance).not.toHaveBeenCalled();
  });

  it('shows a backend error', async () => {
    const api = mockMysqlApi();
    api.getInstance.mockRejectedValue(
      await responseError(500, {
        error: { name: 'Error', message: 'database is on fire' },
        request: { method: 'GET', url: '/' },
        response: { statusCode: 500 },
      }),
    );
    await renderCard(api);
    expect(
      await screen.findByText(/Request failed with 500/),
    ).toBeInTheDocument();
  });

  it('explains how to install a missing backend', async () => {
    const api = mockMysqlApi();
    api.getInstance.mockRejectedValue(await responseError(404));
    await renderCard(api);
    expect(
      await screen.findByText('The MySQL backend plugin is not installed'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('@mysql-portal/plugin-mysql-backend'),
    ).toBeInTheDocument();
  });

  it('shows a running instance', async () => {
    const api = mockMysqlApi();
    await renderCard(api);
    expect(await screen.findByRole('status')).toBeInTheDocument();
    expect(screen.getByText('MySQL')).toBeInTheDocument();
    expect(screen.getByTestId('mysql-server-version')).toHaveTextContent(
      '8.4.3',
    );
    expect(screen.getByText('mysql:8.4')).toBeInTheDocument();
    expect(screen.getByText(/Up 3h 5m/)).toBeInTheDocument();
    expect(screen.getByText(/polled 1\d s ago/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByText('provision: created')).toBeInTheDocument();
    expect(screen.getByText(/by user:default\/alice/)).toBeInTheDocument();
    expect(api.getInstance).toHaveBeenCalledWith({
      cluster: 'local',
      namespace: 'db',
      name: 'orders',
    });
    expect(screen.getByText('orders.db.svc.cluster.local:3306')).toBeVisible();
    expect(
      screen.getByText('Environment for a pod in this namespace'),
    ).toBeVisible();

    const row = screen.getByRole('row', { name: /max_connections/ });
    const cells = within(row).getAllByRole('cell');
    expect(cells[0]).toHaveTextContent('max_connections');
    expect(cells[2]).toHaveTextContent('200');
    expect(cells[3]).toHaveTextContent('connections');
    expect(cells[4]).toHaveTextContent('restart');
    const sizeRow = screen.getByRole('row', {
      name: /innodb_buffer_pool_size/,
    });
    expect(within(sizeRow).getAllByRole('cell')[2]).toHaveTextContent('256M');
    expect(
      within(
        screen.getByRole('row', { name: /lower_case_table_names/ }),
      ).getAllByRole('cell')[4],
    ).toHaveTextContent('fixed');
  });

  it('keeps the poll age moving', async () => {
    await renderCard(mockMysqlApi());
    const first = await screen.findByText(/polled \d+ s ago/);
    const text = first.textContent;
    await waitFor(
      () =>
        expect(screen.getByText(/polled \d+ s ago/).textContent).not.toBe(text),
      { timeout: 2500 },
    );
  });

  it('shows a reconciling instance with progress and polls fast', async () => {
    const api = mockMysqlApi(
      makeDetail({
        status: {
          phase: 'Reconciling',
          message: 'restarting to apply the configuration',
          since: '2025-01-01T00:00:00Z',
        },
      }),
    );
    await renderCard(api);
    expect(await screen.findByRole('status')).toHaveTextContent('Reconciling');
    expect(
      screen.getByText('restarting to apply the configuration'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: 'Reconciling progress' }),
    ).toBeInTheDocument();
    await waitFor(() => expect(api.getInstance).toHaveBeenCalledTimes(2), {
      timeout: 4000,
    });
  });

  it('shows a degraded instance with its message', async () => {
    await renderCard(
      mockMysqlApi(
        makeDetail({
          status: {
            phase: 'Degraded',
            message: 'rolling back: the pod did not become ready',
            since: '2025-01-01T00:00:00Z',
          },
        }),
      ),
    );
    expect(await screen.findByRole('status')).toHaveTextContent('Degraded');
    expect(
      screen.getByText('rolling back: the pod did not become ready'),
    ).toBeInTheDocument();
  });

  it('shows an unreachable instance', async () => {
    await renderCard(
      mockMysqlApi(
        makeDetail({
          status: {
            phase: 'Unreachable',
            message: 'cluster local does not answer',
            since: '2025-01-01T00:00:00Z',
          },
        }),
      ),
    );
    expect(await screen.findByRole('status')).toHaveTextContent('Unreachable');
    expect(
      screen.getByText('cluster local does not answer'),
    ).toBeInTheDocument();
  });

  it('shows a provisioning instance', async () => {
    await renderCard(
      mockMysqlApi(
        makeDetail({
          status: { phase: 'Provisioning', since: '2025-01-01T00:00:00Z' },
        }),
      ),
    );
    expect(await screen.findByRole('status')).toHaveTextContent('Provisioning');
  });

  it('warns when the server version does not match the image', async () => {
    const detail = makeDetail();
    await renderCard(
      mockMysqlApi({
        ...detail,
        version: { ...detail.version, server: '8.0.36' },
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The server runs 8.0.36, which is not the version the image mysql:8.4 declares.',
    );
  });

  it("shows the server's comment once in brackets, as Debian's builds bracket it themselves", async () => {
    const detail = makeDetail();
    await renderCard(
      mockMysqlApi({
        ...detail,
        version: { ...detail.version, server: '9.7.4-2', comment: '(Debian)' },
      }),
    );
    const server = await screen.findByTestId('mysql-server-version');
    expect(server.parentElement).toHaveTextContent(
      /^Server: 9\.7\.4-2 \(Debian\) ·/,
    );
  });

  it('marks pending rows', async () => {
    const detail = makeDetail();
    await renderCard(
      mockMysqlApi({
        ...detail,
        config: {
          ...detail.config,
          desired: { ...detail.config.desired, max_connections: '300' },
          pending: ['max_connections'],
          restartRequired: true,
        },
      }),
    );
    const row = await screen.findByRole('row', { name: /max_connections/ });
    expect(row).toHaveAttribute('data-pending', 'true');
    expect(within(row).getByText('pending')).toBeInTheDocument();
    const cells = within(row).getAllByRole('cell');
    expect(cells[1]).toHaveTextContent('300');
    expect(cells[2]).toHaveTextContent('200');
    expect(
      screen.getByRole('row', { name: /innodb_buffer_pool_size/ }),
    ).not.toHaveAttribute('data-pending');
  });

  it('shows server variables my.cnf does not set on demand', async () => {
    await renderCard(mockMysqlApi());
    await screen.findByRole('status');
    expect(
      screen.queryByRole('row', { name: /wait_timeout/ }),
    ).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Show all 4 variables' }),
    );
    expect(
      screen.getByRole('row', { name: /wait_timeout/ }),
    ).toBeInTheDocument();
  });

  it('disables the actions without permission', async () => {
    await renderCard(
      mockMysqlApi(makeDetail({ entityRef: 'resource:default/orders-denied' })),
      { allowed: false },
    );
    await screen.findByRole('status');
    expect(
      screen.getByRole('button', { name: 'Edit configuration' }),
    ).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Restart' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Delete' })).toBeDisabled();
  });

  it('asks about the entity the backend recorded for the instance', async () => {
    const asked: string[] = [];
    const recorded = 'resource:default/orders-recorded';
    await renderCard(mockMysqlApi(makeDetail({ entityRef: recorded })), {
      name: 'orders-shown',
      authorize: request => {
        asked.push(request.resourceRef ?? '');
        return request.resourceRef === recorded
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY;
      },
    });
    await editEnabled();
    expect(asked).toContain(recorded);
  });

  it('enables the actions with permission', async () => {
    await renderCard(mockMysqlApi());
    await editEnabled();
    expect(screen.getByRole('button', { name: 'Restart' })).toBeEnabled();
  });

  it('restarts after confirmation', async () => {
    const api = mockMysqlApi();
    await renderCard(api);
    const restart = await clickWhenEnabled('Restart');
    const dialog = screen.getByRole('dialog', { name: 'Restart orders?' });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    expect(api.restart).not.toHaveBeenCalled();

    await userEvent.click(restart);
    await userEvent.click(
      screen.getByRole('button', { name: 'Restart server' }),
    );
    await waitFor(() =>
      expect(api.restart).toHaveBeenCalledWith({
        cluster: 'local',
        namespace: 'db',
        name: 'orders',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('deletes only when the name is typed, keeping the data unless unticked', async () => {
    const api = mockMysqlApi();
    await renderCard(api);
    await clickWhenEnabled('Delete');
    const dialog = screen.getByRole('dialog', { name: 'Delete orders?' });
    const confirm = within(dialog).getByRole('button', {
      name: 'Delete database',
    });
    expect(confirm).toBeDisabled();
    const typed = within(dialog).getByRole('textbox', {
      name: 'Type orders to confirm',
    });
    await userEvent.type(typed, 'order');
    expect(confirm).toBeDisabled();
    await userEvent.type(typed, 's');
    expect(confirm).toBeEnabled();
    expect(
      within(dialog).getByRole('checkbox', { name: /Keep the data volume/ }),
    ).toBeChecked();
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(api.deleteInstance).toHaveBeenCalledWith(
        { cluster: 'local', namespace: 'db', name: 'orders' },
        { confirm: 'orders', keepData: true },
      ),
    );
    expect(await screen.findByText('orders was deleted')).toBeVisible();
    expect(
      screen.getByText(/Kept: PersistentVolumeClaim db\/data-orders-0/),
    ).toBeVisible();
  });

  it('asks for a final backup first when ticked, and shows the instance Deleting instead of deleted', async () => {
    const api = mockMysqlApi();
    api.deleteInstance.mockResolvedValue({
      deleted: [],
      kept: [],
      pending: {
        backup: '20261207101500-ab12',
        message:
          'deleting once the final backup 20261207101500-ab12 has completed',
      },
    });
    await renderCard(api);
    const reads = api.getInstance.mock.calls.length;
    api.getInstance.mockResolvedValue(
      makeDetail({
        status: {
          phase: 'Deleting',
          message:
            'deleting once the final backup 20261207101500-ab12 has completed',
          since: '2025-01-01T00:00:00Z',
        },
      }),
    );
    await clickWhenEnabled('Delete');
    const dialog = screen.getByRole('dialog', { name: 'Delete orders?' });
    await userEvent.click(
      within(dialog).getByRole('checkbox', { name: /Take a final backup/ }),
    );
    await userEvent.type(within(dialog).getByRole('textbox'), 'orders');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete database' }),
    );
    await waitFor(() =>
      expect(api.deleteInstance).toHaveBeenCalledWith(
        { cluster: 'local', namespace: 'db', name: 'orders' },
        { confirm: 'orders', keepData: true, finalBackup: true },
      ),
    );
    expect(
      await screen.findByText(
        'deleting once the final backup 20261207101500-ab12 has completed',
      ),
    ).toBeVisible();
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('status')).toHaveTextContent('Deleting');
    expect(api.getInstance.mock.calls.length).toBeGreaterThan(reads);
    expect(screen.queryByText('orders was deleted')).not.toBeInTheDocument();
  });

  it('warns that unticking deletes the data, and shows a refusal in the dialog', async () => {
    const api = mockMysqlApi();
    api.deleteInstance.mockRejectedValue(
      await responseError(403, {
        error: { name: 'NotAllowedError', message: 'not yours' },
      }),
    );
    await renderCard(api);
    await clickWhenEnabled('Delete');
    const dialog = screen.getByRole('dialog', { name: 'Delete orders?' });
    await userEvent.click(
      within(dialog).getByRole('checkbox', { name: /Keep the data volume/ }),
    );
    expect(within(dialog).getByText(/the data is gone for good/)).toBeVisible();
    await userEvent.type(within(dialog).getByRole('textbox'), 'orders');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete database' }),
    );
    expect(await within(dialog).findByText(/not yours/)).toBeVisible();
    expect(api.deleteInstance).toHaveBeenCalledWith(
      { cluster: 'local', namespace: 'db', name: 'orders' },
      { confirm: 'orders', keepData: false },
    );
  });

  it('edits the configuration from the card', async () => {
    const api = mockMysqlApi();
    const saved = makeDetail({
      status: {
        phase: 'Reconciling',
        message: 'restarting to apply the configuration',
        since: '2025-01-01T00:00:00Z',
      },
    });
    saved.config.desired.max_connections = '300';
    saved.config.pending = ['max_connections'];
    api.updateConfig.mockResolvedValue(saved);
    await renderCard(api);
    await clickWhenEnabled('Edit configuration');
    const field = screen.getByLabelText('max_connections');
    await userEvent.clear(field);
    await userEvent.type(field, '300');
    await userEvent.click(
      screen.getByRole('button', { name: 'Review changes' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.updateConfig).toHaveBeenCalledWith(
      { cluster: 'local', namespace: 'db', name: 'orders' },
      expect.objectContaining({ resourceVersion: '41' }),
    );
    expect(screen.getByRole('status')).toHaveTextContent('Reconciling');
    const row = screen.getByRole('row', { name: /max_connections/ });
    expect(row).toHaveAttribute('data-pending', 'true');
  });
});
