import { CronTime } from 'cron';

/** The first time `schedule` (five-field cron, UTC) fires after `after`. */
export function nextRun(schedule: string, after: Date): Date {
  return new CronTime(schedule, 'UTC').getNextDateFrom(after).toJSDate();
}

/**
 * Why backups are stale, or undefined: a scheduled time passed longer ago
 * than one period (or `graceLimitMs`, if shorter) and no backup completed
 * since. `since` is the last completed backup, or else when the instance
 * became Ready.
 */
export function staleness(options: {
  schedule: string;
  since: Date;
  lastCompleted: boolean;
  graceLimitMs: number;
  now?: Date;
  /** Another {@link nextRun}, such as a memo of it for many instances. */
  next?: typeof nextRun;
}): string | undefined {
  const { schedule, since } = options;
  const next = options.next ?? nextRun;
  const due = next(schedule, since);
  const period = next(schedule, due).getTime() - due.getTime();
  const grace = Math.min(period, options.graceLimitMs);
  const now = options.now ?? new Date();
  if (now.getTime() <= due.getTime() + grace) return undefined;
  return options.lastCompleted
    ? `The last good backup is from ${since.toISOString()}; the schedule "${schedule}" promised one at ${due.toISOString()}`
    : `No backup has completed; the schedule "${schedule}" promised one at ${due.toISOString()}`;
}
