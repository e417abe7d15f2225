export interface Config {
  mysql?: {
    reconciler?: {
      /**
       * `restart` (the default and, for now, the only mode): every applied
       * change restarts the server.
       */
      mode?: 'restart';
      /** A rollout not Ready after this many seconds has failed. Default: 180. */
      rolloutTimeoutSeconds?: number;
      /** Restore the last configuration that ran when a rollout fails. Default: true. */
      rollbackOnFailure?: boolean;
    };
    poller?: {
      /** Seconds between polls of every instance. Default: 30. */
      frequencySeconds?: number;
      /** Seconds one instance may take to answer. Default: 5. */
      timeoutSeconds?: number;
      /** Instances polled at once. Default: 8. */
      concurrency?: number;
    };
  };
}
