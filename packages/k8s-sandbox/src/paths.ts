import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_DIR } from './packageDir';

/**
 * Where the sandbox keeps things.
 *
 * @public
 */
export interface SandboxPaths {
  /** The repository root. */
  root: string;
  /** Runtime state, git-ignored: `<root>/.sandbox`. */
  state: string;
  /** The admin kubeconfig written by `up`. */
  kubeconfig: string;
  /** Built binaries, outside the repo so every clone on the machine shares them. */
  cache: string;
}

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (pkg.workspaces) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no workspace root above ${start}`);
    dir = parent;
  }
}

/**
 * Resolves the sandbox paths for the repository that holds this package.
 * `stateDir` (a sandbox of its own), then `SANDBOX_STATE_DIR`, override the
 * state folder; `SANDBOX_CACHE_DIR` overrides the cache.
 *
 * @public
 */
export function sandboxPaths(stateDir?: string): SandboxPaths {
  const root = findRoot(PACKAGE_DIR);
  const state = path.resolve(
    stateDir ?? process.env.SANDBOX_STATE_DIR ?? path.join(root, '.sandbox'),
  );
  const cacheBase =
    process.env.SANDBOX_CACHE_DIR ??
    path.join(
      process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'),
      'mysql-portal-sandbox',
    );
  return {
    root,
    state,
    kubeconfig: path.join(state, 'kubeconfig'),
    cache: cacheBase,
  };
}
