import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runWithProgress } from './processes';

/**
 * Where the real MySQL of the sandbox comes from: Debian sid's
 * `mysql-server-core` (bookworm and trixie have none), in a minimal sid root
 * filesystem that `debootstrap` makes once per machine, with
 * `mysql-client-core` (mysql, mysqldump, mysqladmin) for the Jobs of mysql
 * images, and curl for those of curl images (bookworm's curl 7.88 cannot
 * sign S3 requests as curl 8 does).
 */
const PACKAGE = 'mysql-server-core';
const PACKAGES = [PACKAGE, 'mysql-client-core', 'curl'];
/** A file of each package: a cache without one of them is built again. */
const REQUIRED_FILES = ['usr/sbin/mysqld', 'usr/bin/mysqldump', 'usr/bin/curl'];
const COMPLETE = '.sandbox-complete';

/** The cached root filesystem with real MySQL, or why there is none. */
export type MysqlRootfs =
  | { dir: string; version: string }
  | { unavailable: string };

/** Where the root filesystem is cached. */
export function mysqlRootfsDir(cacheRoot: string): string {
  return path.join(cacheRoot, 'debian-sid-mysql');
}

/** The version of `mysql-server-core` in a root filesystem, e.g. `9.7.4-2`. */
function packageVersion(rootfs: string): string {
  const query = spawnSync(
    'dpkg-query',
    [`--admindir=${rootfs}/var/lib/dpkg`, '-W', '-f=${Version}', PACKAGE],
    { encoding: 'utf8' },
  );
  return query.status === 0 ? query.stdout.trim() : '';
}

/**
 * Returns the cached sid root filesystem with real MySQL, building it first
 * when it is missing or was left half-written (about 35 s; needs root and
 * Debian's mirror). Without root it returns why, and the agent runs MariaDB
 * instead.
 */
export async function ensureMysqlRootfs(
  cacheRoot: string,
  log: (line: string) => void,
): Promise<MysqlRootfs> {
  const dir = mysqlRootfsDir(cacheRoot);
  if (fs.existsSync(path.join(dir, COMPLETE))) {
    const version = fs.readFileSync(path.join(dir, COMPLETE), 'utf8').trim();
    if (
      version &&
      REQUIRED_FILES.every(f => fs.existsSync(path.join(dir, f)))
    ) {
      return { dir, version };
    }
  }
  if (process.getuid?.() !== 0) {
    return {
      unavailable:
        `real MySQL needs a Debian sid root filesystem in ${dir}, which debootstrap ` +
        'builds only as root; MySQL images run as MariaDB until `npm run sandbox -- up` runs once as root',
    };
  }
  if (spawnSync('test', ['-x', '/usr/sbin/debootstrap']).status !== 0) {
    log('installing debootstrap');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['install', '-y', '-qq', 'debootstrap'], {
      stdio: 'inherit',
      env,
    });
  }
  const mirror =
    process.env.SANDBOX_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  // Built beside the cache and renamed into place only when complete, so a
  // run that is interrupted never leaves a half-written one behind.
  const building = `${dir}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  log(
    `building a Debian sid root filesystem with real MySQL (${PACKAGES.join(
      ', ',
    )}) in ${dir}: first run only, about 40 s`,
  );
  const started = Date.now();
  try {
    // debootstrap prints one `I:` line per step; one every 5 s is enough.
    let shownAt = 0;
    await runWithProgress(
      'debootstrap',
      [
        '--variant=minbase',
        `--include=${PACKAGES.join(',')}`,
        'sid',
        building,
        mirror,
      ],
      log,
      line => {
        if (!/^I: [A-Z]/.test(line) || Date.now() - shownAt < 5000) {
          return undefined;
        }
        shownAt = Date.now();
        return line.slice(3);
      },
    );
    const version = packageVersion(building);
    if (!version)
      throw new Error(`${PACKAGE} is not in the new root filesystem`);
    fs.rmSync(path.join(building, 'var', 'cache', 'apt', 'archives'), {
      recursive: true,
      force: true,
    });
    fs.writeFileSync(path.join(building, COMPLETE), `${version}\n`);
    // An older cache is moved aside, not removed first: servers of running
    // sandboxes start from this path, and two renames leave it missing for
    // the shortest while.
    const old = `${dir}.old-${process.pid}`;
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(building, dir);
    fs.rmSync(old, { recursive: true, force: true });
    log(
      `built MySQL ${version} in ${Math.round((Date.now() - started) / 1000)}s`,
    );
    return { dir, version };
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    throw error;
  }
}
