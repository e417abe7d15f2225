export interface Config {
  mysql?: {
    reconciler?: {
      /**
       * `restart` (the default): every applied change restarts the server.
       * `online`: a change of dynamic variables only is applied with
       * SET GLOBAL (as root, password from the instance Secret) and no
       * restart; any other change restarts the server. The ConfigMap stays
       * the persistent copy either way.
       */
      mode?: 'restart' | 'online';
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
