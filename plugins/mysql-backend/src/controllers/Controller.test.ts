import { mockServices } from '@backstage/backend-test-utils';
import { Controller, ReconcileResult } from './Controller';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets the microtasks that follow a settled reconcile run. */
async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('Controller', () => {
  let logger: ReturnType<typeof mockServices.logger.mock>;
  let calls: string[];
  let controller: Controller;

  function start(
    reconcile: (key: string, signal: AbortSignal) => Promise<any>,
    options: { concurrency?: number; retryMaxMs?: number } = {},
  ) {
    controller = new Controller({
      name: 'test',
      logger,
      retryBaseMs: 500,
      ...options,
      reconcile: async (key, signal) => {
        calls.push(key);
        return reconcile(key, signal);
      },
    });
    return controller;
  }

  beforeEach(() => {
    jest.useFakeTimers();
    logger = mockServices.logger.mock();
    calls = [];
  });

  afterEach(async () => {
    await controller?.stop();
    jest.useRealTimers();
  });

  it('runs a key that waits for a worker once, however often it was enqueued', async () => {
    const first = deferred();
    start(key => (key === 'a' ? first.promise : Promise.resolve()), {
      concurrency: 1,
    });
    controller.enqueue('a');
    controller.enqueue('b');
    controller.enqueue('b');
    controller.enqueue('b');
    expect(calls).toEqual(['a']);
    first.resolve();
    await settle();
    expect(calls).toEqual(['a', 'b']);
  });

  it('never runs one key twice at once, and runs it once more when it was enqueued while running', async () => {
    const passes = [deferred(), deferred()];
    let pass = 0;
    start(() => passes[pass++].promise);
    controller.enqueue('a');
    controller.enqueue('a');
    controller.enqueue('a');
    expect(calls).toEqual(['a']);
    passes[0].resolve();
    await settle();
    expect(calls).toEqual(['a', 'a']);
    passes[1].resolve();
    await settle();
    expect(calls).toEqual(['a', 'a']);
    expect(controller.size).toBe(0);
  });

  it('runs at most `concurrency` keys at once', async () => {
    const gates = new Map(['a', 'b', 'c'].map(k => [k, deferred()]));
    start(key => gates.get(key)!.promise, { concurrency: 2 });
    ['a', 'b', 'c'].forEach(key => controller.enqueue(key));
    expect(calls).toEqual(['a', 'b']);
    gates.get('b')!.resolve();
    await settle();
    expect(calls).toEqual(['a', 'b', 'c']);
    gates.forEach(gate => gate.resolve());
  });

  it('comes back when the reconcile asks, and not before', async () => {
    const results: ReconcileResult[] = [{ requeueAfterMs: 1000 }, {}];
    start(async () => results.shift());
    controller.enqueue('a');
    await settle();
    jest.advanceTimersByTime(999);
    await settle();
    expect(calls).toEqual(['a']);
    jest.advanceTimersByTime(1);
    await settle();
    expect(calls).toEqual(['a', 'a']);
    jest.advanceTimersByTime(60_000);
    await settle();
    expect(calls).toEqual(['a', 'a']);
  });

  it('keeps the earlier of two delays', async () => {
    start(async () => undefined);
    controller.enqueueAfter('a', 5000);
    controller.enqueueAfter('a', 1000);
    controller.enqueueAfter('a', 3000);
    jest.advanceTimersByTime(1000);
    await settle();
    expect(calls).toEqual(['a']);
    jest.advanceTimersByTime(10_000);
    await settle();
    expect(calls).toEqual(['a']);
  });

  it('replaces a delay asked for before with the answer of the pass that saw the newest state', async () => {
    start(async () => ({}));
    controller.enqueueAfter('a', 10_000);
    controller.enqueue('a');
    await settle();
    jest.advanceTimersByTime(20_000);
    await settle();
    expect(calls).toEqual(['a']);
  });

  it('retries a failing key with doubling delays up to the cap, and starts over after a success', async () => {
    let failing = true;
    start(
      async () => {
        if (failing) throw new Error('API server unreachable');
      },
      { retryMaxMs: 3000 },
    );
    controller.enqueue('a');
    await settle();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = calls.length;
      let waited = 0;
      while (calls.length === before) {
        jest.advanceTimersByTime(100);
        waited += 100;
        await settle();
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 3000]);
    expect(logger.warn).toHaveBeenCalledWith(
      'test: reconciling a failed (Error: API server unreachable); retrying in 3s',
    );

    failing = false;
    jest.advanceTimersByTime(3000);
    await settle();
    failing = true;
    const before = calls.length;
    controller.enqueue('a');
    await settle();
    jest.advanceTimersByTime(500);
    await settle();
    expect(calls.length).toBe(before + 2);
  });

  it('retries a 409 after the base delay without a warning', async () => {
    let conflicts = 1;
    start(async () => {
      if (conflicts-- > 0)
        throw Object.assign(new Error('Conflict'), { code: 409 });
    });
    controller.enqueue('a');
    await settle();
    jest.advanceTimersByTime(500);
    await settle();
    expect(calls).toEqual(['a', 'a']);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('on stop, aborts the running reconciles, waits for them and starts nothing more', async () => {
    const running = deferred();
    let aborted = false;
    start(async (_key, signal) => {
      signal.addEventListener('abort', () => {
        aborted = true;
        running.resolve();
      });
      await running.promise;
      return { requeueAfterMs: 10 };
    });
    controller.enqueue('a');
    controller.enqueueAfter('b', 100);
    const stopped = controller.stop();
    await stopped;
    expect(aborted).toBe(true);
    controller.enqueue('c');
    jest.advanceTimersByTime(1000);
    await settle();
    expect(calls).toEqual(['a']);
    expect(controller.size).toBe(0);
  });
});
