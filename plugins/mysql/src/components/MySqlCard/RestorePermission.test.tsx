import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import {
  ENABLED_TIMEOUT_MS,
  mockMysqlApi,
  renderCard,
} from './__testUtils__/renderCard';

jest.setTimeout(20_000);

// usePermission caches the answer about a basic permission (one without a
// resource) for every later test of a file, so the test that is refused
// mysql.instance.create has a file of its own.
describe('Restore without permission to create databases', () => {
  it('is disabled', async () => {
    await renderCard(mockMysqlApi(), {
      name: 'orders-no-create',
      authorize: request =>
        request.permission.name === 'mysql.instance.create'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });
    const table = await screen.findByRole(
      'table',
      { name: 'Backups' },
      { timeout: ENABLED_TIMEOUT_MS },
    );
    await waitFor(
      () =>
        expect(
          screen.getByRole('button', { name: 'Back up now' }),
        ).toBeEnabled(),
      { timeout: ENABLED_TIMEOUT_MS },
    );
    expect(
      within(table).getByRole('button', { name: 'Restore' }),
    ).toBeDisabled();
  });
});
