import { setTimeout as sleep } from 'node:timers/promises';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  formatInstanceRef,
  MysqlInstanceDetail,
  MysqlInstanceRef,
  MysqlInstanceStatus,
} from '@mysql-portal/plugin-mysql-common';

/**
 * How long a 404 right after creation means "not seen yet": the backend
 * learns of new objects through its watches, a moment after it wrote them.
 */
const NOT_SEEN_GRACE_MS = 30_000;

function describeStatus(status: MysqlInstanceStatus): string {
  return status.message ? `${status.phase}: ${status.message}` : status.phase;
}

function isNotFound(error: unknown): boolean {
  return error instanceof ResponseError && error.statusCode === 404;
}

/** Waits `ms`, or less when `signal` aborts meanwhile (the loop then stops). */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Follows the instance through the mysql backend until its phase is
 * `Running`, logging each change of phase or message. Fails early when the
 * server crash-loops (quoting the server's errors the backend reports),
 * after `timeoutSeconds`, and when `signal` aborts. `explain` turns the
 * backend's error answers into the action's messages.
 */
export async function waitForReady(options: {
  getInstance(ref: MysqlInstanceRef): Promise<MysqlInstanceDetail>;
  ref: MysqlInstanceRef;
  timeoutSeconds: number;
  pollIntervalMs: number;
  logger: LoggerService;
  signal?: AbortSignal;
  explain(error: unknown): Error;
}): Promise<void> {
  const { ref, timeoutSeconds, logger, signal } = options;
  const instanceRef = formatInstanceRef(ref);
  const started = Date.now();
  let last = '';
  for (;;) {
    if (signal?.aborted) {
      throw new Error(`cancelled while waiting for ${instanceRef} to be ready`);
    }
    let state: string;
    try {
      const { status } = await options.getInstance(ref);
      if (status.phase === 'Running') {
        logger.info(`${instanceRef} is running`);
        return;
      }
      // A new server that crash-loops will not start by itself, whether
      // the backend calls it Degraded or (after one failed poll) Unreachable.
      if (status.message?.includes('CrashLoopBackOff')) {
        throw new Error(`${instanceRef} does not start: ${status.message}`);
      }
      // Adopted data keeps the passwords it was made with.
      if (status.message?.includes('Access denied')) {
        throw new Error(
          `${instanceRef} runs, but refuses the passwords in its Secret ${ref.namespace}/${ref.name}: ${status.message}. ` +
            'Data adopted with adoptExistingData keeps the passwords it was created with; put those into the Secret and run again.',
        );
      }
      state = describeStatus(status);
    } catch (error) {
      if (!isNotFound(error) || Date.now() - started >= NOT_SEEN_GRACE_MS) {
        throw options.explain(error);
      }
      state = 'the mysql backend does not see the new instance yet';
    }
    if (state !== last) {
      logger.info(`${instanceRef}: ${state}`);
      last = state;
    }
    if (Date.now() - started >= timeoutSeconds * 1000) {
      throw new Error(
        `${instanceRef} was not ready after ${timeoutSeconds}s (${state}); raise timeoutSeconds or check the pod's events`,
      );
    }
    await pause(options.pollIntervalMs, signal);
  }
}
