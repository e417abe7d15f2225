import { nextRun, staleness } from './schedule';

const HOUR = 3_600_000;

describe('backup schedules', () => {
  it('fires at the next matching minute, in UTC', () => {
    expect(nextRun('0 3 * * *', new Date('2026-12-01T21:00:00Z'))).toEqual(
      new Date('2026-12-02T03:00:00Z'),
    );
    expect(nextRun('*/15 * * * *', new Date('2026-12-01T21:07:10Z'))).toEqual(
      new Date('2026-12-01T21:15:00Z'),
    );
  });

  it('is stale only once a scheduled time is more than a period (at most the grace limit) behind', () => {
    const daily = {
      schedule: '0 3 * * *',
      since: new Date('2026-12-01T03:05:00Z'),
      lastCompleted: true,
      graceLimitMs: HOUR,
    };
    // Next due 2026-12-02 03:00; grace one hour (the day is longer).
    expect(
      staleness({ ...daily, now: new Date('2026-12-02T03:59:00Z') }),
    ).toBeUndefined();
    expect(staleness({ ...daily, now: new Date('2026-12-02T04:01:00Z') })).toBe(
      'The last good backup is from 2026-12-01T03:05:00.000Z; the schedule "0 3 * * *" promised one at 2026-12-02T03:00:00.000Z',
    );
    // Every minute: the grace is the minute.
    const often = {
      schedule: '* * * * *',
      since: new Date('2026-12-01T21:00:30Z'),
      lastCompleted: false,
      graceLimitMs: HOUR,
    };
    expect(
      staleness({ ...often, now: new Date('2026-12-01T21:01:59Z') }),
    ).toBeUndefined();
    expect(
      staleness({ ...often, now: new Date('2026-12-01T21:02:01Z') }),
    ).toMatch(
      /^No backup has completed; the schedule "\* \* \* \* \*" promised one at 2026-12-01T21:01:00.000Z$/,
    );
  });
});
