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
    backups?: {
      /**
       * Where backups go unless an instance says otherwise: `pvc` (a
       * claim per instance, `<name>-backups`) or `s3` (the cluster's
       * `backups.s3`). Default: `pvc`.
       */
      target?: 'pvc' | 's3';
      /** Five-field cron expression in UTC. Default: `0 3 * * *` (daily at 03:00). */
      schedule?: string;
      /** Completed backups kept per instance; older ones are removed. Default: 7. */
      retention?: number;
      /** Size of a new backup claim. Default: `5Gi`. */
      storageSize?: string;
      /** StorageClass of backup claims. Default: the cluster's default class. */
      storageClass?: string;
      /** A backup or restore Job running longer fails. Default: 3600. */
      timeoutSeconds?: number;
      /** The image S3 uploads and downloads run in. Default: `curlimages/curl:8.11.1`. */
      uploadImage?: string;
      /** Seconds between two checks of running backups and schedules. Default: 5. */
      checkSeconds?: number;
    };
  };
}
