import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDebianPackages } from './debian';
import { PACKAGE_DIR } from './packageDir';

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
    await new Promise<void>((resolve, reject) => {
      const child = spawn(script, [dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      const forward = (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.startsWith('[k8s-build] ')) log(`  ${line.slice(12)}`);
        }
      };
      const errors: string[] = [];
      child.stdout.on('data', forward);
      child.stderr.on('data', (chunk: Buffer) => {
        errors.push(chunk.toString());
        forward(chunk);
      });
      child.on('error', reject);
      child.on('exit', code =>
        code === 0
          ? resolve()
          : reject(
              new Error(
                `building Kubernetes failed (exit ${code}):\n${errors
                  .join('')
                  .slice(-4000)}`,
              ),
            ),
      );
    });
  } finally {
    clearInterval(ticker);
  }
  log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
  return bins;
}
