import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serverRuntime } from './agent/images';
import { up } from './controlPlane';
import { mysqlRootfsDir } from './mysqlRootfs';
import { sandboxPaths } from './paths';

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

/**
 * The `VERSION()` the sandbox's server for `image` answers: real MySQL from
 * the cached sid root filesystem for `mysql` and `percona` images, the
 * machine's MariaDB for `mariadb` ones.
 *
 * @public
 */
export function sandboxServerVersion(image: string): string {
  const runtime = serverRuntime(image, {
    SANDBOX_MYSQL_ROOTFS: mysqlRootfsDir(sandboxPaths().cache),
  });
  if (runtime.family === 'mysql') {
    return fs
      .readFileSync(
        path.join(mysqlRootfsDir(sandboxPaths().cache), '.sandbox-complete'),
        'utf8',
      )
      .trim();
  }
  const out = spawnSync('/usr/sbin/mariadbd', ['--version'], {
    encoding: 'utf8',
  }).stdout;
  return out.match(/Ver (\S+)/)![1];
}
