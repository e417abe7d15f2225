import { signInProviders } from './SignInPage';

describe('signInProviders', () => {
  it('offers guest in development and GitHub in production', () => {
    expect(signInProviders(['guest'])).toEqual(['guest']);
    expect(signInProviders(['github'])).toEqual([
      expect.objectContaining({ id: 'github-auth-provider' }),
    ]);
    expect(signInProviders(['github', 'guest'])).toHaveLength(2);
  });

  it('falls back to guest when app-config names no provider it knows', () => {
    expect(signInProviders([])).toEqual(['guest']);
    expect(signInProviders(['oidc'])).toEqual(['guest']);
  });
});
