import { nextRun } from '../backups/schedule';
import { nextRunMemo } from './nextRunMemo';

describe('nextRunMemo', () => {
  it.each(['0 3 * * *', '*/15 * * * *', '0 0 * * 0', '0 0 1 1 *'])(
    'gives what nextRun gives for %s, in any order of asking',
    schedule => {
      const next = nextRunMemo();
      const start = Date.parse('2026-11-28T02:50:00Z');
      // Every seven minutes over four days, shuffled, and the runs themselves.
      const times = Array.from(
        { length: (4 * 24 * 60) / 7 },
        (_, i) => new Date(start + i * 7 * 60_000),
      ).sort(
        (a, b) => ((a.getTime() * 7919) % 997) - ((b.getTime() * 7919) % 997),
      );
      for (const after of times) {
        const expected = nextRun(schedule, after);
        expect(next(schedule, after)).toEqual(expected);
        expect(next(schedule, expected)).toEqual(nextRun(schedule, expected));
      }
    },
  );

  it('keeps schedules apart', () => {
    const next = nextRunMemo();
    const after = new Date('2026-12-01T02:00:00Z');
    expect(next('0 3 * * *', after).toISOString()).toBe(
      '2026-12-01T03:00:00.000Z',
    );
    expect(next('0 4 * * *', after).toISOString()).toBe(
      '2026-12-01T04:00:00.000Z',
    );
  });
});
