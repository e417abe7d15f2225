import { LoggerService } from '@backstage/backend-plugin-api';

/** What one pass of a reconcile asks for: to be run again after a while. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/**
 * Brings one key (an instance ref) towards what it should be, from what it
 * observes now, and says when to look again. Throwing retries it with
 * back-off. It must not depend on why it was called: the queue merges
 * triggers, so one pass may stand for many.
 */
export type Reconcile = (
  key: string,
  signal: AbortSignal,
) => Promise<ReconcileResult | void>;

/** How a {@link Controller} runs its reconcile. */
export interface ControllerOptions {
  /** Names the controller in logs. */
  name: string;
  reconcile: Reconcile;
  logger: LoggerService;
  /** Keys reconciled at once (never the same key twice at once); default 4. */
  concurrency?: number;
  /** The first retry's delay; each failure in a row doubles it. Default 500 ms. */
  retryBaseMs?: number;
  /** The longest retry delay. Default 5 minutes. */
  retryMaxMs?: number;
}

function isConflict(error: unknown) {
  return (error as { code?: unknown })?.code === 409;
}

/**
 * A level-triggered work queue with its workers, as controller-runtime
 * runs a Kubernetes controller: a key waits at most once however often it
 * is enqueued, is never reconciled twice at once (a key enqueued while it
 * runs runs once more after), comes back when its reconcile asks
 * (`requeueAfterMs`), and is retried with exponential back-off when its
 * reconcile throws. A 409 from the API server is a stale read, not a
 * failure: the key is retried after the base delay, without a warning.
 */
export class Controller {
  private readonly queue = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<
    string,
    { at: number; timer: ReturnType<typeof setTimeout> }
  >();
  private readonly failures = new Map<string, number>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly options: ControllerOptions) {}

  /** Reconciles `key` as soon as a worker is free. */
  enqueue(key: string) {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.queue.add(key);
    this.pump();
  }

  /** Reconciles `key` after `ms`, or sooner if it was due sooner already. */
  enqueueAfter(key: string, ms: number) {
    if (this.stopped) return;
    const at = Date.now() + Math.max(0, ms);
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.enqueue(key);
    }, at - Date.now());
    this.delayed.set(key, { at, timer });
  }

  /** Keys waiting for a worker, running, or waiting for their delay. */
  get size(): number {
    return new Set([
      ...this.queue,
      ...this.running.keys(),
      ...this.delayed.keys(),
    ]).size;
  }

  /**
   * Takes no more work, drops what waits, aborts the signal given to the
   * running reconciles and waits for them to return.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue.clear();
    this.dirty.clear();
    await Promise.all(this.running.values());
  }

  private pump() {
    const concurrency = this.options.concurrency ?? 4;
    for (const key of this.queue) {
      if (this.running.size >= concurrency) return;
      this.queue.delete(key);
      this.running.set(key, this.run(key));
    }
  }

  private async run(key: string) {
    const { reconcile, logger, name } = this.options;
    const base = this.options.retryBaseMs ?? 500;
    let next: number | undefined;
    try {
      const result = await reconcile(key, this.abort.signal);
      this.failures.delete(key);
      next = result?.requeueAfterMs;
    } catch (error) {
      if (isConflict(error)) {
        next = base;
      } else {
        const failures = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, failures);
        next = Math.min(
          this.options.retryMaxMs ?? 300_000,
          base * 2 ** (failures - 1),
        );
        logger.warn(
          `${name}: reconciling ${key} failed (${error}); retrying in ${Math.round(
            next / 1000,
          )}s`,
        );
      }
    } finally {
      this.running.delete(key);
    }
    if (this.stopped) return;
    // What this pass saw is the newest state, so its answer replaces any
    // delay asked for before.
    const pending = this.delayed.get(key);
    if (pending) {
      clearTimeout(pending.timer);
      this.delayed.delete(key);
    }
    if (next !== undefined) this.enqueueAfter(key, next);
    if (this.dirty.delete(key)) this.queue.add(key);
    this.pump();
  }
}
