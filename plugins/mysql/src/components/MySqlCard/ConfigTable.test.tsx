import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfigTable } from './ConfigTable';

const serverDefaults = {
  max_connections: '151',
  innodb_buffer_pool_size: '134217728',
  max_allowed_packet: '67108864',
  character_set_server: 'utf8mb4',
  slow_query_log: 'OFF',
  wait_timeout: '28800',
  table_open_cache: '4000',
};

function config(desired: Record<string, string>) {
  return {
    desired,
    applied: serverDefaults,
    pending: [],
    restartRequired: false,
    mode: 'restart' as const,
  };
}

describe('ConfigTable', () => {
  it('shows the key running values when my.cnf sets nothing', async () => {
    await renderInTestApp(<ConfigTable config={config({})} />);
    expect(
      screen.getByText(
        'my.cnf sets no variables; the server runs its defaults.',
      ),
    ).toBeInTheDocument();
    for (const name of [
      'max_connections',
      'innodb_buffer_pool_size',
      'max_allowed_packet',
      'character_set_server',
      'slow_query_log',
    ]) {
      expect(
        screen.getByRole('row', { name: new RegExp(name) }),
      ).toBeInTheDocument();
    }
    expect(
      screen.getByRole('row', { name: /innodb_buffer_pool_size/ }),
    ).toHaveTextContent('128M');
    expect(
      screen.queryByRole('row', { name: /wait_timeout/ }),
    ).not.toBeInTheDocument();
  });

  it('shows the others on demand, and hides them again', async () => {
    await renderInTestApp(<ConfigTable config={config({})} />);
    await userEvent.click(
      screen.getByRole('button', { name: 'Show all 7 variables' }),
    );
    expect(screen.getByRole('row', { name: /wait_timeout/ })).toBeVisible();
    expect(screen.getByRole('row', { name: /table_open_cache/ })).toBeVisible();
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Show only key and configured variables',
      }),
    );
    expect(
      screen.queryByRole('row', { name: /wait_timeout/ }),
    ).not.toBeInTheDocument();
  });

  it('lists what my.cnf sets with the key values, in catalogue order', async () => {
    await renderInTestApp(
      <ConfigTable config={config({ wait_timeout: '600' })} />,
    );
    expect(
      screen.queryByText(/my\.cnf sets no variables/),
    ).not.toBeInTheDocument();
    const names = screen
      .getAllByRole('row')
      .slice(1)
      .map(row => row.querySelector('td')?.textContent);
    expect(names).toEqual([
      'max_connections',
      'innodb_buffer_pool_size',
      'max_allowed_packet',
      'wait_timeout',
      'slow_query_log',
      'character_set_server',
    ]);
  });

  it('keeps variable names and units on one line', async () => {
    await renderInTestApp(<ConfigTable config={config({})} />);
    const row = screen.getByRole('row', { name: /innodb_buffer_pool_size/ });
    const [name, , , unit] = Array.from(row.querySelectorAll('td'));
    expect(name).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(unit).toHaveTextContent('bytes');
    expect(unit).toHaveStyle({ whiteSpace: 'nowrap' });
  });

  it('says so when the server has not answered yet', async () => {
    await renderInTestApp(
      <ConfigTable config={{ ...config({}), applied: {} }} />,
    );
    expect(
      screen.getByText(
        /my\.cnf sets no variables; the server runs its defaults, which show here/,
      ),
    ).toBeInTheDocument();
  });
});
