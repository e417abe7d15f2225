import { isTransient, retryDelayMs, statusOf } from './apiErrors';

describe('API errors', () => {
  it('repeats calls the API server did not answer, or could not serve', () => {
    expect(isTransient(new TypeError('fetch failed'))).toBe(true);
    expect(isTransient({ code: 503 })).toBe(true);
    expect(isTransient({ code: 500 })).toBe(true);
    expect(isTransient({ code: 429 })).toBe(true);
  });

  it('does not repeat answers that will not change', () => {
    expect(isTransient({ code: 404 })).toBe(false);
    expect(isTransient({ code: 409 })).toBe(false);
    expect(isTransient({ code: 403 })).toBe(false);
    expect(isTransient({ code: 422 })).toBe(false);
  });

  it('reads only numeric HTTP statuses', () => {
    expect(statusOf({ code: 'ECONNREFUSED' })).toBeUndefined();
    expect(statusOf({ code: 409 })).toBe(409);
    expect(statusOf(undefined)).toBeUndefined();
  });

  it('backs off from half a second to five', () => {
    expect([0, 1, 2, 3, 4, 10].map(retryDelayMs)).toEqual([
      500, 1000, 2000, 4000, 5000, 5000,
    ]);
  });
});
