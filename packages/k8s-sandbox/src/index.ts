/**
 * A one-node Kubernetes of real, current components (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, and a kubelet with containerd,
 * runc, the CNI bridge, kube-proxy and CoreDNS), with MySQL and MariaDB
 * images built from Debian's packages, for tests and demos.
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
export { NODE_NAME, STORAGE_CLASS, PROVISIONER } from './clusterObjects';
export {
  describeSandbox,
  killContainer,
  sandboxKubectl,
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
export {
  startSimulatedNodes,
  SIMULATED_NODE_SCHEDULING,
  KWOK_VERSION,
} from './simulatedNodes';
export type { SimulatedNodesOptions } from './simulatedNodes';
export { startFakeS3, sandboxHostAddress } from './fakeS3';
export type { FakeS3 } from './fakeS3';
