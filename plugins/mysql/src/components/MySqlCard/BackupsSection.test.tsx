import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { makeBackup, makeBackupList, makeDetail } from '../../testData';
import {
  clickWhenEnabled,
  ENABLED_TIMEOUT_MS,
  mockMysqlApi,
  renderCard,
  responseError,
  errorBody,
} from './__testUtils__/renderCard';

// The card renders its configuration table beside the backups; on a busy
// machine that takes seconds in jsdom.
jest.setTimeout(20_000);

const ref = { cluster: 'local', namespace: 'db', name: 'orders' };

async function backupRow(status: RegExp) {
  const table = await screen.findByRole(
    'table',
    { name: 'Backups' },
    { timeout: ENABLED_TIMEOUT_MS },
  );
  return within(table).getByRole('row', { name: status });
}

describe('Backups on the card', () => {
  it('lists the backups with the policy, and a failed one with its message', async () => {
    const api = mockMysqlApi();
    api.listBackups.mockResolvedValue(
      makeBackupList({
        items: [
          makeBackup({
            id: 'b2',
            status: 'Failed',
            startedAt: '2025-01-02T03:00:00Z',
            completedAt: '2025-01-02T03:00:05Z',
            sizeBytes: undefined,
            location: 'pvc://orders-backups/b2.sql.gz',
            message: 'mysqldump: Got error: 1045: Access denied',
          }),
          makeBackup({ id: 'b1' }),
        ],
      }),
    );
    await renderCard(api);
    const completed = await backupRow(/Completed/);
    const cells = within(completed).getAllByRole('cell');
    expect(cells[2]).toHaveTextContent('42s');
    expect(cells[3]).toHaveTextContent('3 MiB');
    expect(cells[4]).toHaveTextContent(
      'pvc://orders-backups/b-20250101-0300.sql.gz',
    );
    expect(cells[1]).toHaveTextContent('schedule');
    const failed = await backupRow(/Failed/);
    expect(failed).toHaveTextContent(
      'mysqldump: Got error: 1045: Access denied',
    );
    expect(
      within(failed).queryByRole('button', { name: 'Restore' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText('schedule 0 3 * * * (UTC) · keeps 7 · pvc'),
    ).toBeInTheDocument();
    expect(api.listBackups).toHaveBeenCalledWith(ref);
  });

  it('shows a size rounded for reading, with the exact bytes as its title', async () => {
    const api = mockMysqlApi();
    api.listBackups.mockResolvedValue(
      makeBackupList({ items: [makeBackup({ sizeBytes: 2_147_483_123 })] }),
    );
    await renderCard(api);
    const row = await backupRow(/Completed/);
    const size = within(within(row).getAllByRole('cell')[3]).getByText('2 GiB');
    expect(size).toHaveAttribute('title', '2147483123 bytes');
  });

  it('warns when the backups are stale', async () => {
    const api = mockMysqlApi();
    const stale =
      'The last good backup is from 2025-01-01T03:00:42Z; the schedule "0 3 * * *" promised one at 2025-01-02T03:00:00.000Z';
    api.listBackups.mockResolvedValue(makeBackupList({ stale }));
    await renderCard(api);
    expect(await screen.findByText(stale)).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(stale);
  });

  it('says when there are no backups yet', async () => {
    const api = mockMysqlApi();
    api.listBackups.mockResolvedValue(makeBackupList({ items: [] }));
    await renderCard(api);
    expect(await screen.findByText('No backups yet.')).toBeInTheDocument();
  });

  it('backs up now, showing the running backup at once, then refreshes', async () => {
    const api = mockMysqlApi();
    api.listBackups
      .mockResolvedValueOnce(makeBackupList())
      // The refresh after the click never answers: the row must not need it.
      .mockReturnValue(new Promise(() => {}));
    await renderCard(api);
    const button = await clickWhenEnabled('Back up now');
    await waitFor(() => expect(api.createBackup).toHaveBeenCalledWith(ref));
    const running = await backupRow(/Running/);
    expect(running).toHaveAttribute('data-backup-id', 'b-new');
    expect(running).toHaveTextContent('manual');
    expect(button).toBeDisabled();
    await waitFor(() => expect(api.listBackups).toHaveBeenCalledTimes(2));
  });

  it('polls fast while a backup runs, and keeps Back up now disabled', async () => {
    const api = mockMysqlApi();
    api.listBackups.mockResolvedValue(
      makeBackupList({
        items: [
          makeBackup({
            id: 'b3',
            status: 'Running',
            startedAt: new Date(Date.now() - 5000).toISOString(),
            completedAt: undefined,
            sizeBytes: undefined,
          }),
        ],
      }),
    );
    await renderCard(api);
    const row = await backupRow(/Running/);
    expect(row).toHaveTextContent(/running for \ds/);
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeDisabled();
    await waitFor(() => expect(api.listBackups).toHaveBeenCalledTimes(2), {
      timeout: 4000,
    });
  });

  it('shows why a backup could not start', async () => {
    const api = mockMysqlApi();
    api.createBackup.mockRejectedValue(
      await responseError(
        409,
        errorBody(
          409,
          'ConflictError',
          'local/db/orders has no Ready server to back up',
        ),
      ),
    );
    await renderCard(api);
    await clickWhenEnabled('Back up now');
    expect(
      await screen.findByText(
        /Could not start a backup: local\/db\/orders has no Ready server/,
      ),
    ).toBeInTheDocument();
  });

  it('disables Back up now without the backup permission', async () => {
    const api = mockMysqlApi(
      makeDetail({ entityRef: 'resource:default/orders-no-backup' }),
    );
    await renderCard(api, {
      name: 'orders-no-backup',
      authorize: request =>
        request.permission.name === 'mysql.instance.backup.create'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });
    await backupRow(/Completed/);
    // Edit is allowed: once it is enabled, every answer has come.
    await waitFor(
      () =>
        expect(
          screen.getByRole('button', { name: 'Edit configuration' }),
        ).toBeEnabled(),
      { timeout: ENABLED_TIMEOUT_MS },
    );
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Restore' })).toBeEnabled();
  });
});

describe('Restore into a new database', () => {
  async function openRestore() {
    const row = await backupRow(/Completed/);
    const restore = within(row).getByRole('button', { name: 'Restore' });
    await waitFor(() => expect(restore).toBeEnabled(), {
      timeout: ENABLED_TIMEOUT_MS,
    });
    await userEvent.click(restore);
    return screen.getByRole('dialog', {
      name: 'Restore backup b-20250101-0300 into a new database',
    });
  }

  it('checks the name as it is typed', async () => {
    await renderCard(mockMysqlApi());
    const dialog = await openRestore();
    const confirm = within(dialog).getByRole('button', {
      name: 'Create database',
    });
    expect(confirm).toBeDisabled();
    const name = within(dialog).getByRole('textbox', {
      name: 'Name of the new database',
    });
    await userEvent.type(name, 'Orders_Copy');
    expect(
      within(dialog).getByText(/Lower-case letters, digits and '-'/),
    ).toBeVisible();
    expect(confirm).toBeDisabled();
    await userEvent.clear(name);
    await userEvent.type(name, 'a'.repeat(41));
    expect(within(dialog).getByText('At most 40 characters')).toBeVisible();
    expect(confirm).toBeDisabled();
    await userEvent.clear(name);
    await userEvent.type(name, 'orders-copy');
    expect(confirm).toBeEnabled();
    const owner = within(dialog).getByRole('textbox', { name: 'Owner' });
    expect(owner).toHaveValue('group:default/team-a');
    await userEvent.clear(owner);
    expect(confirm).toBeDisabled();
  });

  it('creates the database from the backup and links to it', async () => {
    const api = mockMysqlApi();
    await renderCard(api);
    const dialog = await openRestore();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Name of the new database' }),
      'orders-copy',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create database' }),
    );
    await waitFor(() =>
      expect(api.createInstance).toHaveBeenCalledWith({
        name: 'orders-copy',
        owner: 'group:default/team-a',
        cluster: 'local',
        namespace: 'db',
        version: 'mysql:8.4',
        restoreFrom: { instance: 'local/db/orders', backup: 'b-20250101-0300' },
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    const link = screen.getByRole('link', { name: 'orders-copy' });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/resource/orders-copy',
    );
    expect(
      screen.getByText(/its data loads once its server is up/),
    ).toBeVisible();
  });

  it("shows the backend's refusal naming the field", async () => {
    const api = mockMysqlApi();
    api.createInstance.mockRejectedValue(
      await responseError(
        400,
        errorBody(400, 'InputError', 'owner: "nobody" is not an entity ref'),
      ),
    );
    await renderCard(api);
    const dialog = await openRestore();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Name of the new database' }),
      'orders-copy',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create database' }),
    );
    expect(
      await within(dialog).findByText('owner: "nobody" is not an entity ref'),
    ).toBeVisible();
  });
});
