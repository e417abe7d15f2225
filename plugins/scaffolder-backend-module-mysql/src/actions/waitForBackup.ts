import { setTimeout as sleep } from 'node:timers/promises';
import { LoggerService } from '@backstage/backend-plugin-api';
import { MysqlBackup } from '@mysql-portal/plugin-mysql-common';

/** How often a backup that is still running is logged, at most. */
const PROGRESS_INTERVAL_MS = 10_000;

/** Waits `ms`, or less when `signal` aborts meanwhile (the loop then stops). */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Follows one backup through the mysql backend until it is no longer
 * `Running`, and returns it as it ended (Completed or Failed: the caller
 * decides what a failure means). Logs that it still runs about every 10 s.
 * Throws after `timeoutSeconds` and when `signal` aborts; neither stops the
 * backup itself, which the backend's Job finishes either way, so the
 * messages say so. `subject` names the backup in messages, e.g.
 * `backup 12 of resource:default/orders-db`.
 */
export async function waitForBackup(options: {
  /** The backup as the backend sees it now. */
  getBackup(): Promise<MysqlBackup>;
  subject: string;
  timeoutSeconds: number;
  pollIntervalMs: number;
  logger: LoggerService;
  signal?: AbortSignal;
}): Promise<MysqlBackup> {
  const { subject, timeoutSeconds, logger, signal } = options;
  const started = Date.now();
  let lastLogged = started;
  for (;;) {
    if (signal?.aborted) {
      throw new Error(
        `cancelled while waiting for ${subject}; the backup itself goes on in the backend`,
      );
    }
    const backup = await options.getBackup();
    if (backup.status !== 'Running') return backup;
    const now = Date.now();
    const waited = Math.round((now - started) / 1000);
    if (now - started >= timeoutSeconds * 1000) {
      throw new Error(
        `${subject} was still running after ${timeoutSeconds}s; it goes on in the backend, and the entity page shows how it ends. Raise timeoutSeconds, or set wait: false to not wait for it.`,
      );
    }
    if (now - lastLogged >= PROGRESS_INTERVAL_MS) {
      logger.info(`${subject} is still running (${waited}s)`);
      lastLogged = now;
    }
    await pause(options.pollIntervalMs, signal);
  }
}
