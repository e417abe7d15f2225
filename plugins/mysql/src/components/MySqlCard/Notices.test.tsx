import { screen } from '@testing-library/react';
import { makeDetail } from '../../testData';
import { mockMysqlApi, renderCard } from './__testUtils__/renderCard';

jest.setTimeout(20_000);

const source = { instance: 'local/db/orders', backup: 'b1' };

describe('Upgrade and restore on the card', () => {
  it('shows a restore under way', async () => {
    await renderCard(
      mockMysqlApi(makeDetail({ restore: { source, status: 'Running' } })),
    );
    expect(
      await screen.findByText('Restoring from backup b1 of local/db/orders…'),
    ).toBeVisible();
  });

  it('shows a failed restore with its message', async () => {
    await renderCard(
      mockMysqlApi(
        makeDetail({
          restore: {
            source,
            status: 'Failed',
            message: 'ERROR 1064 at line 12',
          },
        }),
      ),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Restoring from backup b1 of local/db/orders failed: ERROR 1064 at line 12',
    );
  });

  it('shows a completed restore as a plain line', async () => {
    await renderCard(
      mockMysqlApi(makeDetail({ restore: { source, status: 'Completed' } })),
    );
    expect(
      await screen.findByText('Restored from backup b1 of local/db/orders.'),
    ).toBeVisible();
  });

  it('shows a rolled back upgrade with its message and backup', async () => {
    await renderCard(
      mockMysqlApi(
        makeDetail({
          upgrade: {
            from: 'mysql:8.4',
            to: 'mysql:9.7',
            status: 'RolledBack',
            backup: 'b7',
            message: 'the new server exited with code 1; mysql:8.4 runs again',
            at: '2025-01-01T00:00:00Z',
          },
        }),
      ),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The upgrade from mysql:8.4 to mysql:9.7 was rolled back. the new server exited with code 1; mysql:8.4 runs again. Backup b7 was taken first.',
    );
  });

  it('shows an upgrade waiting for the new server', async () => {
    await renderCard(
      mockMysqlApi(
        makeDetail({
          upgrade: {
            from: 'mysql:8.4',
            to: 'mysql:9.7',
            status: 'Upgrading',
            backup: 'b7',
            at: '2025-01-01T00:00:00Z',
          },
        }),
      ),
    );
    expect(
      await screen.findByText(
        'Upgrading from mysql:8.4 to mysql:9.7: waiting for the new server to start… Backup b7 was taken first.',
      ),
    ).toBeVisible();
  });
});
