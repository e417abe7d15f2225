/**
 * A real Kubernetes control plane (etcd, kube-apiserver,
 * kube-controller-manager) with a node agent that runs MySQL pods as real
 * MySQL (and MariaDB pods as mariadbd), for tests and demos on machines without a container runtime.
 *
 * @packageDocumentation
 */

export { up, down, status } from './controlPlane';
export type { SandboxInfo, SandboxLogOptions } from './controlPlane';
export { sandboxPaths } from './paths';
export type { SandboxPaths } from './paths';
export { LocalMysqlServer, localServerUnavailable } from './localServer';
export type {
  LocalMysqlServerOptions,
  SandboxServerFamily,
} from './localServer';
export { NODE_NAME, STORAGE_CLASS, PROVISIONER } from './clusterObjects';
export { sandboxServerVersion, useSandbox } from './testing';
export type { TestSandbox } from './testing';
