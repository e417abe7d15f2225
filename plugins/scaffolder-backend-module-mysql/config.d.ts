export interface Config {
  mysql?: {
    provision?: {
      /**
       * How long `mysql:provision` waits for Ready when a template does not
       * say (`timeoutSeconds`): a whole number of seconds from 10 to 3600.
       * Default: 300.
       */
      readyTimeoutSeconds?: number;
    };
  };
}
