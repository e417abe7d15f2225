import { checkMysqlUpgrade } from '@mysql-portal/plugin-mysql-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { makeDetail } from '../../testData';
import {
  clickWhenEnabled,
  mockMysqlApi,
  renderCard,
  responseError,
  errorBody,
} from './__testUtils__/renderCard';

jest.setTimeout(20_000);

const ref = { cluster: 'local', namespace: 'db', name: 'orders' };

async function openUpgrade() {
  await clickWhenEnabled('Upgrade version');
  const dialog = screen.getByRole('dialog', { name: 'Upgrade orders' });
  const field = within(dialog).getByRole('textbox', { name: 'New image' });
  const confirm = within(dialog).getByRole('button', { name: 'Upgrade' });
  return { dialog, field, confirm };
}

describe('Upgrade version', () => {
  it('says what happens and checks the path as it is typed', async () => {
    await renderCard(mockMysqlApi());
    const { dialog, field, confirm } = await openUpgrade();
    expect(dialog).toHaveTextContent('A backup is taken first');
    expect(dialog).toHaveTextContent(
      /cannot start is rolled back to mysql:8\.4/,
    );
    expect(confirm).toBeDisabled();

    await userEvent.type(field, 'mysql:8.0');
    const refused = checkMysqlUpgrade('mysql:8.4', 'mysql:8.0');
    expect(refused.allowed).toBe(false);
    expect(
      within(dialog).getByText(refused.allowed ? '' : refused.reason),
    ).toBeVisible();
    expect(confirm).toBeDisabled();

    await userEvent.clear(field);
    await userEvent.type(field, 'mariadb:11.8');
    expect(
      within(dialog).getByText(/^image: mariadb:11\.8 runs/),
    ).toBeVisible();
    expect(confirm).toBeDisabled();

    await userEvent.clear(field);
    await userEvent.type(field, 'mysql:8.4');
    expect(
      within(dialog).getByText('The server runs mysql:8.4 already'),
    ).toBeVisible();
    expect(confirm).toBeDisabled();

    await userEvent.clear(field);
    await userEvent.type(field, 'mysql:9.7');
    expect(within(dialog).getByText(/next series/)).toBeVisible();
    expect(confirm).toBeEnabled();
  });

  it('upgrades with the resource version of the detail', async () => {
    const api = mockMysqlApi();
    api.updateVersion.mockResolvedValue(
      makeDetail({
        upgrade: {
          from: 'mysql:8.4',
          to: 'mysql:9.7',
          status: 'BackingUp',
          at: new Date().toISOString(),
        },
      }),
    );
    await renderCard(api);
    const { field, confirm } = await openUpgrade();
    await userEvent.type(field, ' mysql:9.7 ');
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(api.updateVersion).toHaveBeenCalledWith(ref, {
        image: 'mysql:9.7',
        resourceVersion: '41',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(
      screen.getByText(
        'Upgrading from mysql:8.4 to mysql:9.7: taking a backup first…',
      ),
    ).toBeVisible();
  });

  it("shows the backend's refusal in the dialog", async () => {
    const api = mockMysqlApi();
    api.updateVersion.mockRejectedValue(
      await responseError(
        409,
        errorBody(
          409,
          'ConflictError',
          'local/db/orders is being upgraded to mysql:9.7 already',
        ),
      ),
    );
    await renderCard(api);
    const { dialog, field, confirm } = await openUpgrade();
    await userEvent.type(field, 'mysql:8.4.5');
    expect(within(dialog).getByText(/patch update/)).toBeVisible();
    await userEvent.click(confirm);
    expect(
      await within(dialog).findByText(/being upgraded to mysql:9\.7 already/),
    ).toBeVisible();
  });

  it('is disabled without permission to change the instance', async () => {
    await renderCard(
      mockMysqlApi(makeDetail({ entityRef: 'resource:default/orders-denied' })),
      { allowed: false },
    );
    await screen.findByRole('status');
    expect(
      screen.getByRole('button', { name: 'Upgrade version' }),
    ).toBeDisabled();
  });
});
