import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_DIR } from '../packageDir';
import { COREDNS_IMAGE, LOCAL_PATH_IMAGE } from './addons';
import { ensureNodeBinaries, NodeBinaries } from './binaries';
import {
  binaryImage,
  BuiltImage,
  ensureImage,
  PAUSE_IMAGE,
  SANDBOX_IMAGES,
} from './images';

/** The pause image: the sandbox's own static `pause`, built with gcc. */
function pauseImage(cacheRoot: string): BuiltImage {
  const dir = path.join(cacheRoot, 'images', 'pause-build');
  const binary = path.join(dir, 'pause');
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(dir, { recursive: true });
    const gcc = spawnSync(
      'gcc',
      [
        '-Os',
        '-static',
        '-o',
        binary,
        path.join(PACKAGE_DIR, 'images', 'pause.c'),
      ],
      { encoding: 'utf8' },
    );
    if (gcc.status !== 0) throw new Error(`gcc pause.c: ${gcc.stderr}`);
  }
  return binaryImage({
    cacheRoot,
    key: 'pause',
    binary,
    name: PAUSE_IMAGE,
    entrypoint: ['/usr/local/bin/pause'],
  });
}

/**
 * Everything a node needs before it starts, built once per machine and
 * cached: the Kubernetes binaries and every image it can run.
 */
export async function prepareNode(
  cacheRoot: string,
  log: (line: string) => void,
): Promise<{ bins: NodeBinaries; images: BuiltImage[] }> {
  const bins = await ensureNodeBinaries(cacheRoot, log);
  const images = [
    pauseImage(cacheRoot),
    binaryImage({
      cacheRoot,
      key: 'coredns',
      binary: bins.coredns,
      name: COREDNS_IMAGE,
      entrypoint: ['/usr/local/bin/coredns'],
    }),
    binaryImage({
      cacheRoot,
      key: 'local-path-provisioner',
      binary: bins['local-path-provisioner'],
      name: LOCAL_PATH_IMAGE,
      entrypoint: ['/usr/local/bin/local-path-provisioner'],
    }),
  ];
  for (const spec of SANDBOX_IMAGES) {
    images.push(await ensureImage(cacheRoot, spec, log));
  }
  return { bins, images };
}
