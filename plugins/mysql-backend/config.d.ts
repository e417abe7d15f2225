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
      /**
       * A rollout not Ready after this many seconds is reported as slow.
       * It is not rolled back for that: only a crash (CrashLoopBackOff, after
       * the startup probe gave up) fails a rollout. Default: 180.
       */
      rolloutTimeoutSeconds?: number;
      /** Restore the last configuration that ran when a rollout fails. Default: true. */
      rollbackOnFailure?: boolean;
      /**
       * Seconds a server must stay Ready before its my.cnf becomes the
       * rollback target. Default: 30.
       */
      stableSeconds?: number;
      /**
       * Seconds between two checks of every instance, besides the watch
       * events, to catch anything missed. Default: 300.
       */
      resyncSeconds?: number;
    };
    poller?: {
      /** Seconds between two polls of one instance. Default: 30. */
      frequencySeconds?: number;
      /**
       * Seconds one instance may take to answer, connection and queries
       * together; then its socket is destroyed. Default: 5.
       */
      timeoutSeconds?: number;
      /**
       * Servers polled at once, which bounds the sockets the poller holds.
       * Default: 100.
       */
      concurrency?: number;
    };
  };
}
