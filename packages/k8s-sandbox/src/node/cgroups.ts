import fs from 'node:fs';
import path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The mounted cgroup v1 hierarchies (cpu, memory, pids…), as folders. */
function hierarchies(): string[] {
  if (!fs.existsSync(CGROUP_ROOT)) return [];
  return fs
    .readdirSync(CGROUP_ROOT)
    .map(name => path.join(CGROUP_ROOT, name))
    .filter(dir => {
      try {
        return (
          fs.statSync(dir).isDirectory() &&
          fs.existsSync(path.join(dir, 'cgroup.procs'))
        );
      } catch {
        return false;
      }
    });
}

/**
 * Makes the node's cgroup (`--cgroup-root`) in every hierarchy: the
 * kubelet puts every pod below it, so pods of sandboxes side by side stay
 * apart, and `down` finds every process the node ran in it.
 */
export function createNodeCgroup(name: string): void {
  for (const hierarchy of hierarchies()) {
    const dir = path.join(hierarchy, name);
    fs.mkdirSync(dir, { recursive: true });
    // A new cpuset has no CPUs or memory nodes until it is given its parent's.
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const parent = path.join(hierarchy, file);
      if (fs.existsSync(parent)) {
        fs.writeFileSync(path.join(dir, file), fs.readFileSync(parent));
      }
    }
  }
}

/** Every process in the node's cgroup or below it. */
export function nodeCgroupPids(name: string): number[] {
  const pids = new Set<number>();
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    try {
      for (const line of fs
        .readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
        .split('\n')) {
        if (line.trim()) pids.add(Number(line));
      }
    } catch {
      // gone meanwhile
    }
    for (const entry of entries) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
    }
  };
  const pidsHierarchy = path.join(CGROUP_ROOT, 'pids');
  walk(path.join(pidsHierarchy, name));
  return [...pids];
}

/** Removes the node's cgroup, deepest first, in every hierarchy. */
export function removeNodeCgroup(name: string): void {
  const remove = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) remove(path.join(dir, entry.name));
    }
    try {
      fs.rmdirSync(dir);
    } catch {
      // still has a process: the caller killed them, so it goes shortly
    }
  };
  for (const hierarchy of hierarchies()) remove(path.join(hierarchy, name));
}
