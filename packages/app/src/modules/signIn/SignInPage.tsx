import {
  SignInPage as CoreSignInPage,
  SignInProviderConfig,
} from '@backstage/core-components';
import type { SignInPageProps } from '@backstage/plugin-app-react';
import {
  configApiRef,
  githubAuthApiRef,
  useApi,
} from '@backstage/core-plugin-api';

const GITHUB: SignInProviderConfig = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your GitHub account',
  apiRef: githubAuthApiRef,
};

/**
 * The sign-in choices of `app.signInProviders`, which matches the auth
 * providers the backend enables: guest in development (app-config.yaml),
 * GitHub in production (app-config.production.yaml), so the page never
 * offers a door the backend keeps shut.
 */
export function signInProviders(
  providers: string[],
): Array<'guest' | SignInProviderConfig> {
  const choices: Array<'guest' | SignInProviderConfig> = [];
  if (providers.includes('github')) choices.push(GITHUB);
  if (providers.includes('guest')) choices.push('guest');
  return choices.length > 0 ? choices : ['guest'];
}

/** The portal's sign-in page. */
export function SignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const providers = config.getOptionalStringArray('app.signInProviders') ?? [
    'guest',
  ];
  return <CoreSignInPage {...props} providers={signInProviders(providers)} />;
}
