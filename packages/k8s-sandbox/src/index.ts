/**
 * A real Kubernetes control plane (etcd, kube-apiserver,
 * kube-controller-manager) with a node agent that runs MySQL pods as real
 * MySQL (and MariaDB pods as mariadbd), for tests and demos on machines without a container runtime.
 *
 * @packageDocumentation
 */

export { up, down, status } from './controlPlane';
export type {
  SandboxInfo,
  SandboxLogOptions,
  SandboxOptions,
  SandboxUpOptions,
} from './controlPlane';
export type { SandboxUser } from './state';
export { freeze, thaw, kill, restart } from './faults';
export type {
  SandboxComponent,
  RestartableComponent,
  SandboxFaultOptions,
  SandboxRestart,
} from './faults';
export { readAuditLog, countAuditRequests } from './audit';
export type {
  SandboxAuditEvent,
  SandboxAuditQuery,
  SandboxAuditCounts,
} from './audit';
export { BACKEND_USER, KUBERNETES_PLUGIN_USER } from './users';
export { sandboxPaths } from './paths';
export type { SandboxPaths } from './paths';
export { LocalMysqlServer, localServerUnavailable } from './localServer';
export type {
  LocalMysqlServerOptions,
  SandboxServerFamily,
} from './localServer';
export { NODE_NAME, STORAGE_CLASS, PROVISIONER } from './clusterObjects';
export {
  sandboxServerVersion,
  useIsolatedSandbox,
  useSandbox,
  waitUntil,
} from './testing';
export type {
  IsolatedSandboxOptions,
  IsolatedTestSandbox,
  TestSandbox,
  TestSandboxUser,
} from './testing';
export { startFakeS3 } from './fakeS3';
export type { FakeS3 } from './fakeS3';
