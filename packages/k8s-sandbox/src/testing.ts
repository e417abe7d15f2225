import * as k8s from '@kubernetes/client-node';
import { up } from './controlPlane';

/**
 * A sandbox for integration tests, with a client config for it.
 *
 * @public
 */
export interface TestSandbox {
  kubeconfig: string;
  kc: k8s.KubeConfig;
}

let shared: Promise<TestSandbox> | undefined;

/**
 * Starts the sandbox once per test run and shares it between suites: the
 * first caller starts it (parallel Jest workers wait on a lock), later
 * callers get the running one. `npm test` runs integration suites through
 * `k8s-sandbox exec`, which stops it afterwards.
 *
 * @public
 */
export function useSandbox(): Promise<TestSandbox> {
  shared ??= up({
    log: line => process.stderr.write(`[sandbox] ${line}\n`),
  }).then(info => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(info.kubeconfig);
    return { kubeconfig: info.kubeconfig, kc };
  });
  return shared;
}
