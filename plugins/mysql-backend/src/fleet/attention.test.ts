import { MysqlInstancePhase } from '@mysql-portal/plugin-mysql-common';
import { attentionReasons, BackupFacts } from './attention';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAILY = '0 3 * * *';

function summary(
  extra: {
    phase?: MysqlInstancePhase;
    message?: string;
    drift?: boolean;
    pendingRestart?: boolean;
  } = {},
) {
  return {
    status: {
      phase: extra.phase ?? 'Running',
      message: extra.message,
      since: '2026-11-30T00:00:00.000Z',
    },
    version: { image: 'mysql:8.4', server: extra.drift ? '8.0.36' : '8.4.3' },
    drift: extra.drift ?? false,
    pendingRestart: extra.pendingRestart ?? false,
  };
}

const backedUp: BackupFacts = {
  lastCompletedAt: '2026-12-01T03:01:00.000Z',
  schedule: DAILY,
  graceLimitMs: 3600_000,
};

describe('attentionReasons', () => {
  it('has nothing to say of a Running instance backed up on schedule', () => {
    expect(attentionReasons(summary(), backedUp, NOW)).toEqual([]);
  });

  it.each(['Degraded', 'Unreachable'] as const)(
    'names the %s phase with its message',
    phase => {
      expect(
        attentionReasons(summary({ phase, message: 'boom' }), backedUp, NOW),
      ).toEqual([{ kind: 'phase', message: `${phase}: boom` }]);
    },
  );

  it.each(['Running', 'Reconciling', 'Provisioning'] as const)(
    'leaves the %s phase alone',
    phase => {
      expect(attentionReasons(summary({ phase }), backedUp, NOW)).toEqual([]);
    },
  );

  it('names a version drift with both versions', () => {
    expect(attentionReasons(summary({ drift: true }), backedUp, NOW)).toEqual([
      {
        kind: 'drift',
        message: 'runs 8.0.36, not the version its image mysql:8.4 declares',
      },
    ]);
  });

  it('names a rollout that has waited for its restart for more than ten minutes', () => {
    const stuck = summary({ pendingRestart: true, phase: 'Reconciling' });
    stuck.status.since = new Date(NOW.getTime() - 11 * 60_000).toISOString();
    expect(attentionReasons(stuck, backedUp, NOW).map(r => r.kind)).toEqual([
      'pendingRestart',
    ]);
  });

  it('names a pending restart unless a rollout is bringing it', () => {
    expect(
      attentionReasons(summary({ pendingRestart: true }), backedUp, NOW),
    ).toEqual([
      {
        kind: 'pendingRestart',
        message: 'its desired configuration waits for a restart',
      },
    ]);
    const rolling = summary({ pendingRestart: true, phase: 'Reconciling' });
    rolling.status.since = new Date(NOW.getTime() - 60_000).toISOString();
    expect(attentionReasons(rolling, backedUp, NOW)).toEqual([]);
  });

  it('names an instance no backup of which has completed, a new one too', () => {
    expect(
      attentionReasons(
        summary({ phase: 'Provisioning' }),
        { ...backedUp, lastCompletedAt: undefined },
        NOW,
      ),
    ).toEqual([{ kind: 'backup', message: 'no backup has completed yet' }]);
  });

  it("names a last backup older than the schedule allows, by the card's rule", () => {
    // Yesterday's 03:00 backup is good until today's 03:00 plus an hour.
    const yesterday = { ...backedUp, lastCompletedAt: '2026-11-30T03:01:00Z' };
    expect(
      attentionReasons(summary(), yesterday, new Date('2026-12-01T03:30:00Z')),
    ).toEqual([]);
    const [reason] = attentionReasons(
      summary(),
      yesterday,
      new Date('2026-12-01T04:30:00Z'),
    );
    expect(reason.kind).toBe('backup');
    expect(reason.message).toContain('the schedule "0 3 * * *" promised one');
  });

  it('lists every reason at once', () => {
    expect(
      attentionReasons(
        summary({ phase: 'Degraded', drift: true, pendingRestart: true }),
        { ...backedUp, lastCompletedAt: undefined },
        NOW,
      ).map(r => r.kind),
    ).toEqual(['phase', 'drift', 'pendingRestart', 'backup']);
  });
});
