import fs from 'node:fs';
import path from 'node:path';
import { ensureDebianPackages } from './debian';
import { PACKAGE_DIR } from './packageDir';
import { runWithProgress } from './processes';

/**
 * The Kubernetes release the sandbox builds: Debian bookworm's `kubernetes`
 * source package. The cache folder is keyed by it.
 */
export const KUBERNETES_VERSION = '1.20.2';

/** Paths of the control-plane binaries. */
export interface ControlPlaneBinaries {
  apiserver: string;
  controllerManager: string;
}

/**
 * Returns the cached binaries, building them first when the cache is empty
 * (about 6 minutes on 2 cores, with progress on stderr).
 */
export async function ensureBinaries(
  cacheRoot: string,
  log: (line: string) => void,
): Promise<ControlPlaneBinaries> {
  const dir = path.join(cacheRoot, `kubernetes-${KUBERNETES_VERSION}`);
  const bins = {
    apiserver: path.join(dir, 'bin', 'kube-apiserver'),
    controllerManager: path.join(dir, 'bin', 'kube-controller-manager'),
  };
  if (fs.existsSync(bins.apiserver) && fs.existsSync(bins.controllerManager)) {
    return bins;
  }
  ensureDebianPackages(true, log);
  log(
    `building kube-apiserver and kube-controller-manager ${KUBERNETES_VERSION} ` +
      `from Debian's sources into ${dir}: first run only, about 6 minutes on 2 cores`,
  );
  const script = path.join(PACKAGE_DIR, 'scripts', 'build-kubernetes.sh');
  const started = Date.now();
  const ticker = setInterval(() => {
    log(`  still building… ${Math.round((Date.now() - started) / 1000)}s`);
  }, 30_000);
  try {
    await runWithProgress(script, [dir], log, line =>
      line.startsWith('[k8s-build] ') ? line.slice(12) : undefined,
    ).catch(error => {
      throw new Error(`building Kubernetes failed: ${error.message}`);
    });
  } finally {
    clearInterval(ticker);
  }
  log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
  return bins;
}
