export interface Config {
  kubernetes?: {
    /**
     * A cluster for the Kubernetes plugin from a kubeconfig file that is
     * rewritten while the backend runs: the sandbox cluster's
     * `kubernetes-plugin.kubeconfig`, with a new port and token at every
     * start (packages/backend/src/modules/kubernetesSandboxClusters.ts).
     * The file is looked at on every request; while it does not exist the
     * cluster is left out. Set to null in a later config file to turn it
     * off.
     */
    sandbox?: {
      /**
       * The kubeconfig, relative to the backend's working folder
       * (packages/backend). Its current context's user needs a token.
       */
      kubeconfig: string;
      /** The cluster's name in the Kubernetes tab; defaults to `sandbox`. */
      name?: string;
      /** The cluster's title in the Kubernetes tab. */
      title?: string;
      /**
       * Whether to skip asking for pod metrics; defaults to true (the
       * sandbox has no metrics server).
       */
      skipMetricsLookup?: boolean;
    };
  };
}
