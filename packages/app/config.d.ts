export interface Config {
  app?: {
    /**
     * The sign-in choices the portal offers, matching the auth providers the
     * backend enables: `guest` in development, `github` in production.
     * Default: `[guest]`.
     * @visibility frontend
     */
    signInProviders?: Array<'guest' | 'github'>;
  };
}
