import { act, screen, waitFor } from '@testing-library/react';
import { makeBackupList, makeDetail } from '../../testData';
import {
  fakeSignalApi,
  mockMysqlApi,
  renderCard,
} from './__testUtils__/renderCard';
import {
  FAST_POLL_MS,
  pollDelay,
  SIGNALS_FALLBACK_POLL_MS,
  SLOW_POLL_MS,
} from './useInstance';

const CHANNEL = 'mysql:instance:local/db/orders';

describe('MySqlCard with signals', () => {
  it('listens on the channel of its instance', async () => {
    const signals = fakeSignalApi();
    await renderCard(mockMysqlApi(), { signals });
    await screen.findByRole('status');
    expect(signals.subscribe).toHaveBeenCalledWith(
      CHANNEL,
      expect.any(Function),
    );
  });

  it('shows a change within a second of its signal, without a reload', async () => {
    const api = mockMysqlApi();
    const signals = fakeSignalApi();
    await renderCard(api, { signals });
    expect(await screen.findByRole('status')).toHaveTextContent('Running');
    api.getInstance.mockResolvedValue(
      makeDetail({
        status: {
          phase: 'Degraded',
          message: 'rolling back: unknown variable bogus_option=1',
          since: '2025-01-01T00:01:00Z',
        },
      }),
    );
    act(() =>
      signals.send(CHANNEL, {
        ref: 'local/db/orders',
        reasons: ['objects', 'status'],
      }),
    );
    await waitFor(
      () => expect(screen.getByRole('status')).toHaveTextContent('Degraded'),
      { timeout: 1000 },
    );
    expect(
      screen.getByText('rolling back: unknown variable bogus_option=1'),
    ).toBeInTheDocument();
  });

  it('fetches the backups again when a backup started or ended', async () => {
    const api = mockMysqlApi();
    const signals = fakeSignalApi();
    await renderCard(api, { signals });
    await screen.findByRole('status');
    await waitFor(() => expect(api.listBackups).toHaveBeenCalledTimes(1));
    api.listBackups.mockResolvedValue(makeBackupList());
    act(() =>
      signals.send(CHANNEL, { ref: 'local/db/orders', reasons: ['poll'] }),
    );
    act(() =>
      signals.send(CHANNEL, { ref: 'local/db/orders', reasons: ['backup'] }),
    );
    await waitFor(() => expect(api.listBackups).toHaveBeenCalledTimes(2), {
      timeout: 1000,
    });
  });
});

describe('pollDelay', () => {
  it('polls only as a fallback once signals tell of changes', () => {
    expect(pollDelay(true, true)).toBe(SIGNALS_FALLBACK_POLL_MS);
    expect(pollDelay(false, true)).toBe(SIGNALS_FALLBACK_POLL_MS);
  });

  it('polls as before without the signals plugin', () => {
    expect(pollDelay(true, false)).toBe(FAST_POLL_MS);
    expect(pollDelay(false, false)).toBe(SLOW_POLL_MS);
  });
});
