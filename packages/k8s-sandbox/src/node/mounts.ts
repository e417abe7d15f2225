import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** The mount points of this mount namespace at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map(line => line.split(' ')[4])
    .filter(
      (point): point is string =>
        !!point && (point === dir || point.startsWith(prefix)),
    )
    .map(point => point.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
}

/**
 * Unmounts everything at or below `dir`: the kubelet's volume mounts,
 * containerd's container root filesystems and shared memory, and the
 * pods' network namespaces. Lazily, so a mount still in use goes once its
 * last user does.
 */
export function unmountUnder(dir: string): void {
  for (const point of mountsUnder(dir)) {
    spawnSync('umount', ['--lazy', point]);
  }
}
