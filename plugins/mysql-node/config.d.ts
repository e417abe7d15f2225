export interface Config {
  /** Self-service MySQL on Kubernetes (microk8s). */
  mysql?: {
    /**
     * Clusters that databases can run on; the first one is the default.
     * Each one is reached through a kubeconfig file, a URL with a token, or
     * the service account of a backend that runs inside the cluster.
     */
    clusters?: Array<{
      /** Unique name, used in instance refs (`<cluster>/<namespace>/<name>`). A DNS label. */
      name: string;
      /** Path of a kubeconfig file, such as the output of `microk8s config`. */
      kubeconfig?: string;
      /** Context to use from `kubeconfig`; defaults to its current context. */
      context?: string;
      /** API server URL, used with `token` (and `caData`). */
      url?: string;
      /** Base64-encoded PEM CA bundle of the API server, used with `url`. */
      caData?: string;
      /**
       * Bearer token of a service account, used with `url`.
       * @visibility secret
       */
      token?: string;
      /** Skip TLS verification of the API server (development only). */
      skipTLSVerify?: boolean;
      /** Use the pod's service account: the backend runs in this cluster. */
      inCluster?: boolean;
      /** Namespace for new databases when the form gives none. Default: `default`. */
      defaultNamespace?: string;
      /**
       * Namespaces where databases may be created; the backend watches only
       * these. Must include `defaultNamespace`. Default: `[defaultNamespace]`.
       */
      allowedNamespaces?: string[];
      /**
       * How the backend reaches a pod's server to poll it: `podIP` (the
       * backend runs on the microk8s host, or in the sandbox) or
       * `serviceDns` (the backend runs in the cluster). Default: `podIP`.
       */
      podAccess?: 'podIP' | 'serviceDns';
      /**
       * How long a call to the API server may wait for its answer before it
       * fails and is retried (watches excepted). From 1 to 600. Default: 30.
       */
      requestTimeoutSeconds?: number;
      backups?: {
        /**
         * An S3-compatible bucket for the backups of this cluster's
         * instances whose target is `s3`. Jobs upload with curl and AWS
         * Signature V4, path-style: `<endpoint>/<bucket>/<prefix><cluster>/<namespace>/<name>/<id>.sql.gz`.
         */
        s3?: {
          /** E.g. `https://s3.eu-west-1.amazonaws.com` or a MinIO URL, reachable from pods. */
          endpoint: string;
          bucket: string;
          /** Default: `us-east-1`. */
          region?: string;
          /** Put before each key, e.g. `mysql/`. Default: none. */
          prefix?: string;
          /**
           * Name of a Secret, in every namespace that has instances, with
           * the keys `access-key-id` and `secret-access-key`.
           */
          credentialsSecret: string;
        };
      };
    }>;
    /**
     * Images the create form offers, the first being the default.
     * Default: `mysql:9.7`, `mysql:8.4`, `mariadb:10.11`.
     */
    images?: string[];
    provision?: {
      /** StorageClass for data volumes. Default: `microk8s-hostpath`. */
      storageClass?: string;
      /** How long `mysql:provision` waits for Ready by default. Default: 300. */
      readyTimeoutSeconds?: number;
      /**
       * The sizes the create form offers, each with its volume size and the
       * container's resources; a key given here replaces that part of the
       * built-in size. Built in: small 5Gi, requests 250m CPU and 512Mi,
       * limits 1 CPU and 1Gi; medium 20Gi, 500m/1Gi, 2/2Gi; large 100Gi,
       * 1/4Gi, 4/8Gi. A node of 2 cores holds seven small instances.
       */
      sizes?: {
        [size in 'small' | 'medium' | 'large']?: {
          storage?: string;
          resources?: {
            requests?: { cpu?: string; memory?: string };
            limits?: { cpu?: string; memory?: string };
          };
        };
      };
    };
  };
}
