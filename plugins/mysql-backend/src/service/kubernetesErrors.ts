import {
  ConflictError,
  ForwardedError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';

interface ApiFailure {
  code?: number;
  body?: unknown;
  message?: string;
  cause?: { code?: string; message?: string };
}

function apiMessage(body: unknown): string | undefined {
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    return (parsed as { message?: string })?.message;
  } catch {
    return typeof body === 'string' ? body : undefined;
  }
}

/** The HTTP status of a Kubernetes API failure, if it has one. */
export function statusOf(error: unknown): number | undefined {
  return (error as ApiFailure)?.code;
}

/**
 * Turns a Kubernetes client failure into an error that says what was being
 * done and what the API server answered, in Backstage's error types.
 */
export function describeKubernetesError(error: unknown, doing: string): Error {
  const failure = error as ApiFailure;
  const message =
    apiMessage(failure?.body) ?? failure?.message ?? String(error);
  // The backend's own access to the cluster failing is not the caller's
  // fault, so 401 and 403 from the cluster answer 503, not 403.
  switch (failure?.code) {
    case 401:
      return new ServiceUnavailableError(
        `${doing}: the cluster rejected the backend's credentials (401 Unauthorized)`,
      );
    case 403:
      return new ServiceUnavailableError(
        `${doing}: the backend's Kubernetes account is not allowed to do this (403 Forbidden): ${message}`,
      );
    case 404:
      return new InputError(`${doing}: not found (404): ${message}`);
    case 409:
      return new ConflictError(`${doing}: conflict (409): ${message}`);
    case 422:
      return new InputError(
        `${doing}: the API server refused the object (422): ${message}`,
      );
    default:
      if (failure?.code) {
        return new ForwardedError(`${doing}: HTTP ${failure.code}`, error);
      }
      return new ServiceUnavailableError(
        `${doing}: the cluster did not answer: ${
          failure?.cause?.message ?? message
        }`,
      );
  }
}
