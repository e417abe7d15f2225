import path from 'node:path';

const MYSQL_IMAGES = new Set([
  'mysql',
  'mysql-server',
  'percona',
  'percona-server',
]);
const MARIADB_IMAGES = new Set(['mariadb']);

function imageName(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.split('/').pop() ?? '';
  return lastSegment.split(':')[0];
}

/**
 * Whether a container image is a MySQL-protocol server image that the agent
 * runs: `mysql`, `mariadb` or `percona`, any registry and tag.
 */
export function runsServer(image: string | undefined): boolean {
  if (!image) return false;
  const name = imageName(image);
  return MYSQL_IMAGES.has(name) || MARIADB_IMAGES.has(name);
}

/** How the agent runs the server of one image. */
export interface ServerRuntime {
  family: 'mysql' | 'mariadb';
  /** What really runs, as the container status's `imageID`. */
  imageID: string;
  /** The server binary, with whatever must come before its own arguments. */
  command: string[];
  /** `[mysqld]` settings the family needs to run from where it lives. */
  settings: string[];
  /** Why a MySQL image runs as MariaDB, when it does. */
  fallback?: string;
}

const MARIADB: Omit<ServerRuntime, 'imageID'> = {
  family: 'mariadb',
  command: ['/usr/sbin/mariadbd'],
  settings: [],
};

/**
 * The runtime for an image: `mysql` and `percona` images run the real MySQL
 * of the cached Debian sid root filesystem (through its own dynamic loader,
 * so it needs no chroot), `mariadb` images the machine's MariaDB. Without
 * that root filesystem a MySQL image falls back to MariaDB and says so in
 * its imageID.
 */
export function serverRuntime(
  image: string,
  env: NodeJS.ProcessEnv = process.env,
): ServerRuntime {
  const rootfs = env.SANDBOX_MYSQL_ROOTFS;
  if (!MYSQL_IMAGES.has(imageName(image))) {
    return { ...MARIADB, imageID: 'sandbox://debian-bookworm/mariadb-server' };
  }
  if (!rootfs) {
    const why = env.SANDBOX_MYSQL_UNAVAILABLE ?? 'no MySQL root filesystem';
    return {
      ...MARIADB,
      imageID: 'sandbox://debian-bookworm/mariadb-server;fallback',
      fallback: why,
    };
  }
  const usr = path.join(rootfs, 'usr');
  const libs = [
    path.join(usr, 'lib', 'x86_64-linux-gnu'),
    path.join(rootfs, 'lib', 'x86_64-linux-gnu'),
  ].join(':');
  return {
    family: 'mysql',
    imageID: `sandbox://debian-sid/mysql-server-core@${env.SANDBOX_MYSQL_VERSION}`,
    command: [
      path.join(rootfs, 'lib64', 'ld-linux-x86-64.so.2'),
      '--library-path',
      libs,
      path.join(usr, 'sbin', 'mysqld'),
    ],
    settings: [
      `basedir=${usr}`,
      `lc-messages-dir=${path.join(usr, 'share', 'mysql')}`,
      `character-sets-dir=${path.join(usr, 'share', 'mysql', 'charsets')}`,
      `plugin-dir=${path.join(usr, 'lib', 'mysql', 'plugin')}`,
      // X Protocol would listen on 33060 of every address, once per pod.
      'mysqlx=OFF',
    ],
  };
}
