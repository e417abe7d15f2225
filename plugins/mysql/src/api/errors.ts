import { ResponseError } from '@backstage/errors';

function isResponseError(error: unknown): error is ResponseError {
  return (error as Error | undefined)?.name === 'ResponseError';
}

/**
 * Whether the error is a 404 that did not come from the MySQL backend: its
 * own 404s carry a NotFoundError body, while a backend without the plugin
 * answers with an empty (or HTML) body.
 */
export function isBackendMissing(error: unknown): boolean {
  return (
    isResponseError(error) &&
    error.statusCode === 404 &&
    error.body.error.name !== 'NotFoundError'
  );
}

/** Whether the error is the backend refusing a stale `resourceVersion`. */
export function isConflict(error: unknown): boolean {
  return isResponseError(error) && error.statusCode === 409;
}

/** The server's own message when there is one, else the error's. */
export function errorMessage(error: Error): string {
  if (isResponseError(error)) {
    return error.body.error.message || error.message;
  }
  return error.message;
}
