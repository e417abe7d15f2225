/** The HTTP status of a failed API call, if the API server answered at all. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Whether a failed API call is worth repeating as it was: the API server did
 * not answer (stopped, restarting, frozen past a timeout) or answered that it
 * cannot serve now (5xx while etcd is away, 429).
 */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500 || status === 429;
}

/** How long to wait before the next attempt: 0.5 s doubling to 5 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 5_000);
}
