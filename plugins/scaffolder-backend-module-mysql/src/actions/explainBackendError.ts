import {
  assertError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';

/**
 * What an action says about the mysql backend's error answers that depend
 * on the request; each gets the backend's own message as `reason`.
 */
export interface BackendErrorTexts {
  /** What the request was about, e.g. `resource:default/orders-db`. */
  subject: string;
  /** 400: the backend refused the input. */
  refused(reason: string): string;
  /** 403: the user who runs the template lacks a permission. */
  forbidden(reason: string): string;
  /** 404: the backend does not know the instance. */
  notFound(reason: string): string;
  /** 409: someone else's state stands in the way. */
  conflict(reason: string): string;
}

/**
 * Turns the mysql backend's error answers into errors of the same kind
 * whose messages say what to do. Anything that is not an answer of the
 * backend (a network failure, a bug) passes through unchanged.
 */
export function explainBackendError(
  error: unknown,
  texts: BackendErrorTexts,
): Error {
  if (!(error instanceof ResponseError)) {
    assertError(error);
    return error;
  }
  const reason = error.cause.message;
  switch (error.statusCode) {
    case 400:
      return new InputError(texts.refused(reason), error);
    case 401:
      return new NotAllowedError(
        `The mysql backend did not accept the credentials of the user who runs the template for ${texts.subject} (${reason}); writes need a signed-in user`,
        error,
      );
    case 403:
      return new NotAllowedError(texts.forbidden(reason), error);
    case 404:
      return new NotFoundError(texts.notFound(reason), error);
    case 409:
      return new ConflictError(texts.conflict(reason), error);
    default:
      return new Error(
        `The mysql backend failed for ${texts.subject}: ${error.message} (${reason})`,
        { cause: error },
      );
  }
}
