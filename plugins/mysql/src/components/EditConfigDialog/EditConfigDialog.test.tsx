import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MysqlApi, mysqlApiRef } from '../../api';
import { instanceRef, makeDetail } from '../../testData';
import { EditConfigDialog } from './EditConfigDialog';

// Rendering the edit dialog's two dozen fields in jsdom takes seconds when
// the machine is busy (a full `npm test` on 2 cores); 5 s is too tight.
jest.setTimeout(20_000);

function mockMysqlApi(): jest.Mocked<MysqlApi> {
  return {
    listInstances: jest.fn(),
    getInstance: jest.fn().mockResolvedValue(makeDetail()),
    updateConfig: jest.fn().mockResolvedValue(makeDetail()),
    restart: jest.fn(),
    deleteInstance: jest.fn(),
    createInstance: jest.fn(),
    createBackup: jest.fn(),
    listBackups: jest.fn(),
    updateVersion: jest.fn(),
  };
}

async function renderDialog(api: MysqlApi) {
  const props = {
    onClose: jest.fn(),
    onSaved: jest.fn(),
    onReload: jest.fn(),
  };
  await renderInTestApp(
    <EditConfigDialog
      instanceRef={instanceRef}
      detail={makeDetail()}
      {...props}
    />,
    { apis: [[mysqlApiRef, api]] },
  );
  return props;
}

async function setMaxConnections(value: string) {
  const field = screen.getByLabelText('max_connections');
  await userEvent.clear(field);
  await userEvent.type(field, value);
}

describe('EditConfigDialog', () => {
  it('shows a field per variable with units and restart notes', async () => {
    await renderDialog(mockMysqlApi());
    const field = screen.getByLabelText('max_connections');
    expect(field).toHaveValue(200);
    expect(field).toHaveAttribute('type', 'number');
    expect(screen.getAllByText('connections').length).toBeGreaterThan(0);
    expect(
      screen.getByText(/10 to 5000\..*Changing it restarts the server/),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('innodb_buffer_pool_size')).toHaveValue(
      '256M',
    );
    expect(screen.getByLabelText('slow_query_log')).not.toBeChecked();
    expect(screen.getByLabelText('innodb_flush_log_at_trx_commit')).toHaveValue(
      '',
    );
    expect(screen.getByLabelText('sql_mode')).toBeInTheDocument();
    expect(screen.getByText('STRICT_TRANS_TABLES')).toBeInTheDocument();
  });

  it('shows init-only variables read-only', async () => {
    await renderDialog(mockMysqlApi());
    expect(screen.getByLabelText('lower_case_table_names')).toBeDisabled();
    expect(screen.getByText(/it cannot change afterwards/)).toBeInTheDocument();
  });

  it('rejects an out-of-range value as you type', async () => {
    await renderDialog(mockMysqlApi());
    const review = screen.getByRole('button', { name: 'Review changes' });
    expect(review).toBeDisabled();
    await setMaxConnections('5001');
    expect(
      screen.getByText(
        /max_connections must be an integer between 10 and 5000/,
      ),
    ).toBeInTheDocument();
    expect(review).toBeDisabled();
    await setMaxConnections('300');
    expect(
      screen.queryByText(/max_connections must be an integer/),
    ).not.toBeInTheDocument();
    expect(review).toBeEnabled();
  });

  it('rejects a bad size', async () => {
    await renderDialog(mockMysqlApi());
    const field = screen.getByLabelText('innodb_buffer_pool_size');
    await userEvent.clear(field);
    await userEvent.type(field, '1M');
    expect(
      screen.getByText(/innodb_buffer_pool_size must be a size between 6M/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Review changes' }),
    ).toBeDisabled();
  });

  it('summarises the changes and saves them with the resource version', async () => {
    const api = mockMysqlApi();
    const props = await renderDialog(api);
    await setMaxConnections('300');
    await userEvent.click(screen.getByLabelText('slow_query_log'));
    const pool = screen.getByLabelText('innodb_buffer_pool_size');
    await userEvent.clear(pool);
    await userEvent.type(pool, '1G');
    await userEvent.click(
      screen.getByRole('button', { name: 'Review changes' }),
    );

    const changes = screen.getByRole('table', { name: 'Changes' });
    expect(
      within(changes).getByRole('row', { name: /max_connections/ }),
    ).toHaveTextContent('200 → 300');
    expect(
      within(changes).getByRole('row', { name: /innodb_buffer_pool_size/ }),
    ).toHaveTextContent('256M → 1G');
    expect(
      within(changes).getByRole('row', { name: /slow_query_log/ }),
    ).toHaveTextContent('default (OFF) → ON');
    expect(screen.getByText(/Saving restarts the server/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(props.onSaved).toHaveBeenCalled());
    expect(api.updateConfig).toHaveBeenCalledWith(instanceRef, {
      config: {
        max_connections: '300',
        innodb_buffer_pool_size: '1G',
        lower_case_table_names: '0',
        slow_query_log: 'ON',
      },
      resourceVersion: '41',
    });
  });

  it('removes a cleared variable', async () => {
    const api = mockMysqlApi();
    await renderDialog(api);
    await userEvent.clear(screen.getByLabelText('innodb_buffer_pool_size'));
    await userEvent.click(
      screen.getByRole('button', { name: 'Review changes' }),
    );
    expect(screen.getByText('256M → default (128M)')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.updateConfig).toHaveBeenCalled());
    expect(api.updateConfig.mock.calls[0][1].config).toEqual({
      max_connections: '200',
      lower_case_table_names: '0',
    });
  });

  it('edits a set and an enum', async () => {
    const api = mockMysqlApi();
    await renderDialog(api);
    await userEvent.selectOptions(
      screen.getByLabelText('innodb_flush_log_at_trx_commit'),
      '2',
    );
    const sqlMode = screen.getByLabelText('sql_mode');
    await userEvent.click(sqlMode);
    await userEvent.click(screen.getByRole('option', { name: 'ANSI_QUOTES' }));
    await userEvent.click(
      screen.getByRole('button', { name: 'Review changes' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.updateConfig).toHaveBeenCalled());
    expect(api.updateConfig.mock.calls[0][1].config).toMatchObject({
      innodb_flush_log_at_trx_commit: '2',
      sql_mode:
        'ANSI_QUOTES,ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',
    });
  });

  it('reports a conflict and reloads', async () => {
    const api = mockMysqlApi();
    api.updateConfig.mockRejectedValueOnce(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'ConflictError', message: 'stale' },
            request: { method: 'PUT', url: '/' },
            response: { statusCode: 409 },
          }),
          { status: 409, headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    );
    const props = await renderDialog(api);
    const latest = makeDetail({ resourceVersion: '42' });
    latest.config.desired.wait_timeout = '600';
    props.onReload.mockResolvedValue(latest);

    await setMaxConnections('300');
    await userEvent.click(
      screen.getByRole('button', { name: 'Review changes' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      await screen.findByText(/changed by someone else/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(props.onReload).toHaveBeenCalled();
    await waitFor(() =>
      expect(
        screen.queryByText(/changed by someone else/),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByLabelText('wait_timeout')).toHaveValue(600);
    expect(screen.getByLabelText('max_connections')).toHaveValue(300);

    await userEvent.click(
      screen.getByRole('button', { name: 'Review changes' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(props.onSaved).toHaveBeenCalled());
    expect(api.updateConfig.mock.calls[1][1]).toEqual({
      config: expect.objectContaining({
        max_connections: '300',
        wait_timeout: '600',
      }),
      resourceVersion: '42',
    });
  });

  it('shows the reason the backend refused the configuration', async () => {
    const api = mockMysqlApi();
    api.updateConfig.mockRejectedValueOnce(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'InputError', message: 'config.x: nope' },
            request: { method: 'PUT', url: '/' },
            response: { statusCode: 400 },
          }),
          { status: 400, headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    );
    await renderDialog(api);
    await setMaxConnections('300');
    await userEvent.click(
      screen.getByRole('button', { name: 'Review changes' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('config.x: nope')).toBeInTheDocument();
  });

  it('goes back from the summary and cancels', async () => {
    const api = mockMysqlApi();
    const props = await renderDialog(api);
    await setMaxConnections('300');
    await userEvent.click(
      screen.getByRole('button', { name: 'Review changes' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByLabelText('max_connections')).toHaveValue(300);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(props.onClose).toHaveBeenCalled();
    expect(api.updateConfig).not.toHaveBeenCalled();
  });
});
