import fs from 'node:fs';
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

/** Commands that start the server, as the images' entrypoint sees them. */
const SERVER_COMMANDS = new Set([
  'mysqld',
  'mariadbd',
  'docker-entrypoint.sh',
  'mysqld_safe',
  'mariadbd-safe',
]);

/**
 * The command line a container of a MySQL-family image runs instead of its
 * server, or undefined when it runs the server. As with the official
 * images: `command` replaces their entrypoint; `args` alone go to the
 * entrypoint, which starts the server when the first is an option or the
 * server's name, and runs them as a command otherwise.
 */
export function containerCommand(container: {
  image?: string;
  command?: string[];
  args?: string[];
}): string[] | undefined {
  if (!runsServer(container.image)) return undefined;
  const argv = container.command?.length
    ? [...container.command, ...(container.args ?? [])]
    : container.args ?? [];
  if (argv.length === 0 || argv[0].startsWith('-')) return undefined;
  return SERVER_COMMANDS.has(path.posix.basename(argv[0])) ? undefined : argv;
}

/** How the agent runs a command container of one image: its client programs. */
export interface ClientRuntime {
  family: 'mysql' | 'mariadb';
  /** What really runs, as the container status's `imageID`. */
  imageID: string;
  /**
   * The programs first on the container's PATH, by name, each as the command
   * line (as the container sees it) that its arguments follow.
   */
  programs: Record<string, string[]>;
  /** Host folders the programs need: host path, read-only, at container path. */
  mounts: { source: string; target: string }[];
  /** Why a MySQL image's clients are MariaDB's, when they are. */
  fallback?: string;
}

/** Where the root filesystem with real MySQL appears inside a container. */
export const CONTAINER_MYSQL_ROOTFS = '/.sandbox/mysql';

const MYSQL_CLIENTS = [
  'mysql',
  'mysqldump',
  'mysqladmin',
  'mysqlcheck',
  'mysqlimport',
  'mysqlshow',
  'mysqlslap',
  'mysqlbinlog',
  'mysql_config_editor',
];

/** The MySQL name of each MariaDB client, which the mariadb images also have. */
const MARIADB_CLIENTS: Record<string, string> = {
  mariadb: 'mysql',
  'mariadb-dump': 'mysqldump',
  'mariadb-admin': 'mysqladmin',
  'mariadb-check': 'mysqlcheck',
  'mariadb-import': 'mysqlimport',
  'mariadb-show': 'mysqlshow',
  'mariadb-slap': 'mysqlslap',
  'mariadb-binlog': 'mysqlbinlog',
};

function mariadbClients(exists: (file: string) => boolean) {
  const programs: Record<string, string[]> = {};
  for (const [name, alias] of Object.entries(MARIADB_CLIENTS)) {
    const binary = `/usr/bin/${name}`;
    if (!exists(binary)) continue;
    programs[name] = [binary];
    programs[alias] = [binary];
  }
  return programs;
}

/**
 * The client programs of a command container: for `mysql` and `percona`
 * images the real MySQL clients of the cached sid root filesystem (mounted
 * at {@link CONTAINER_MYSQL_ROOTFS}, run through its own dynamic loader) and
 * bash as `sh`, since those images' /bin/sh is bash; for `mariadb` images
 * the machine's MariaDB clients under both names, and the machine's sh
 * (dash, as the images' Ubuntu has). Without the root filesystem a MySQL
 * image gets MariaDB's clients and says so in its imageID.
 */
export function clientRuntime(
  image: string,
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = fs.existsSync,
): ClientRuntime {
  const rootfs = env.SANDBOX_MYSQL_ROOTFS;
  if (!MYSQL_IMAGES.has(imageName(image))) {
    return {
      family: 'mariadb',
      imageID: 'sandbox://debian-bookworm/mariadb-client',
      programs: mariadbClients(exists),
      mounts: [],
    };
  }
  if (!rootfs || !exists(path.join(rootfs, 'usr', 'bin', 'mysqldump'))) {
    return {
      family: 'mariadb',
      imageID: 'sandbox://debian-bookworm/mariadb-client;fallback',
      programs: mariadbClients(exists),
      mounts: [],
      fallback:
        env.SANDBOX_MYSQL_UNAVAILABLE ??
        'no MySQL clients in the MySQL root filesystem',
    };
  }
  const inside = CONTAINER_MYSQL_ROOTFS;
  const loader = [
    `${inside}/lib64/ld-linux-x86-64.so.2`,
    '--library-path',
    `${inside}/usr/lib/x86_64-linux-gnu:${inside}/lib/x86_64-linux-gnu`,
  ];
  const programs: Record<string, string[]> = { sh: ['/bin/bash', '--posix'] };
  for (const name of MYSQL_CLIENTS) {
    if (exists(path.join(rootfs, 'usr', 'bin', name))) {
      programs[name] = [
        ...loader,
        '--argv0',
        name,
        `${inside}/usr/bin/${name}`,
      ];
    }
  }
  return {
    family: 'mysql',
    imageID: `sandbox://debian-sid/mysql-client-core@${env.SANDBOX_MYSQL_VERSION}`,
    programs,
    mounts: [{ source: rootfs, target: inside }],
  };
}
