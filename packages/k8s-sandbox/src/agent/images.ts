import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const MYSQL_IMAGES = new Set([
  'mysql',
  'mysql-server',
  'percona',
  'percona-server',
]);
const MARIADB_IMAGES = new Set(['mariadb']);
const CURL_IMAGES = new Set(['curl']);

function imageName(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.split('/').pop() ?? '';
  return lastSegment.split(':')[0];
}

function imageTag(image: string): string | undefined {
  const lastSegment = image.split('@')[0].split('/').pop() ?? '';
  return lastSegment.split(':')[1];
}

/** Whether a container image is curl's (`curlimages/curl`, any registry and tag). */
export function isCurlImage(image: string | undefined): boolean {
  return !!image && CURL_IMAGES.has(imageName(image));
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
 * The command line the agent runs for a container: for a MySQL-family image
 * its own command instead of its server (undefined when it runs the
 * server), for a curl image always one; undefined for other images. As with
 * the official images: `command` replaces their entrypoint; `args` alone go
 * to the entrypoint, which starts the server (runs curl) when the first is
 * an option or the server's name (a URL), and runs them as a command
 * otherwise.
 */
export function containerCommand(container: {
  image?: string;
  command?: string[];
  args?: string[];
}): string[] | undefined {
  const argv = container.command?.length
    ? [...container.command, ...(container.args ?? [])]
    : container.args ?? [];
  if (isCurlImage(container.image)) {
    return argv.length === 0 || /^-|:\/\//.test(argv[0])
      ? ['curl', ...argv]
      : argv;
  }
  if (!runsServer(container.image)) return undefined;
  if (argv.length === 0 || argv[0].startsWith('-')) return undefined;
  return SERVER_COMMANDS.has(path.posix.basename(argv[0])) ? undefined : argv;
}

/** How the agent runs a command container of one image: its client programs. */
export interface ClientRuntime {
  family: 'mysql' | 'mariadb' | 'curl';
  /** What really runs, as the container status's `imageID`. */
  imageID: string;
  /**
   * The programs first on the container's PATH, by name, each as the command
   * line (as the container sees it) that its arguments follow.
   */
  programs: Record<string, string[]>;
  /** Host folders the programs need: host path, read-only, at container path. */
  mounts: { source: string; target: string }[];
  /** Why a MySQL image's clients are MariaDB's (curl's the machine's), when they are. */
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
  if (isCurlImage(image)) return curlRuntime(env, exists);
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
  const programs: Record<string, string[]> = { sh: ['/bin/bash', '--posix'] };
  for (const name of MYSQL_CLIENTS) {
    if (exists(path.join(rootfs, 'usr', 'bin', name))) {
      programs[name] = rootfsProgram(name);
    }
  }
  return {
    family: 'mysql',
    imageID: `sandbox://debian-sid/mysql-client-core@${env.SANDBOX_MYSQL_VERSION}`,
    programs,
    mounts: [{ source: rootfs, target: CONTAINER_MYSQL_ROOTFS }],
  };
}

/** A program of the sid root filesystem, run through its own dynamic loader. */
function rootfsProgram(name: string): string[] {
  const inside = CONTAINER_MYSQL_ROOTFS;
  return [
    `${inside}/lib64/ld-linux-x86-64.so.2`,
    '--library-path',
    `${inside}/usr/lib/x86_64-linux-gnu:${inside}/lib/x86_64-linux-gnu`,
    '--argv0',
    name,
    `${inside}/usr/bin/${name}`,
  ];
}

/**
 * curl images: the curl of the cached sid root filesystem (curl 8, which
 * signs S3 requests with `--aws-sigv4` as the images' curl does) and the
 * machine's sh. Without it the machine's curl stands in and says so: Debian
 * bookworm's curl 7.88 sends no `x-amz-content-sha256` header, which S3
 * requires, unless the script passes one itself.
 */
function curlRuntime(
  env: NodeJS.ProcessEnv,
  exists: (file: string) => boolean,
): ClientRuntime {
  const rootfs = env.SANDBOX_MYSQL_ROOTFS;
  if (!rootfs || !exists(path.join(rootfs, 'usr', 'bin', 'curl'))) {
    return {
      family: 'curl',
      imageID: 'sandbox://debian-bookworm/curl;fallback',
      programs: {},
      mounts: [],
      fallback:
        "no curl in the sid root filesystem; the machine's curl signs no S3 payload hash",
    };
  }
  return {
    family: 'curl',
    imageID: 'sandbox://debian-sid/curl',
    programs: { curl: rootfsProgram('curl') },
    mounts: [{ source: rootfs, target: CONTAINER_MYSQL_ROOTFS }],
  };
}

/** The upstream versions of the servers the sandbox runs, e.g. `9.7.4`. */
export interface ServerVersions {
  mysql?: string;
  mariadb?: string;
}

let machineMariadb: string | undefined;

/**
 * The versions the agent can run: MySQL's from the root filesystem's
 * package version (`9.7.4-2`), MariaDB's from the machine's `mariadbd`.
 */
export function serverVersions(
  env: NodeJS.ProcessEnv = process.env,
): ServerVersions {
  if (machineMariadb === undefined) {
    const out = spawnSync('/usr/sbin/mariadbd', ['--version'], {
      encoding: 'utf8',
    }).stdout;
    machineMariadb = /Ver (\d+\.\d+\.\d+)/.exec(out ?? '')?.[1] ?? '';
  }
  return {
    mysql: env.SANDBOX_MYSQL_ROOTFS
      ? /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(env.SANDBOX_MYSQL_VERSION ?? '')?.[1]
      : undefined,
    mariadb: machineMariadb || undefined,
  };
}

/**
 * Why a server image cannot be pulled here, as a kubelet reports an image
 * that does not exist, or undefined when it can run. A tag with a full
 * version (`mysql:9.7.5`, `mariadb:11.8.2-noble`) names one release, and
 * the sandbox has one of each family; a tag without a patch version
 * (`mysql:9.7`, `lts`) stands for whatever the sandbox runs.
 */
export function pullError(
  image: string | undefined,
  versions: ServerVersions,
): string | undefined {
  if (!image || !runsServer(image)) return undefined;
  const wanted = /^(\d+\.\d+\.\d+)(?:$|[-_.+])/.exec(
    imageTag(image) ?? '',
  )?.[1];
  const mysql = MYSQL_IMAGES.has(imageName(image));
  const have = mysql ? versions.mysql : versions.mariadb;
  if (!wanted || wanted === have) return undefined;
  const runs = [
    versions.mysql && `MySQL ${versions.mysql} (mysql:${versions.mysql})`,
    versions.mariadb &&
      `MariaDB ${versions.mariadb} (mariadb:${versions.mariadb})`,
  ].filter(Boolean);
  return (
    `failed to pull image "${image}": the sandbox has no ${
      mysql ? 'MySQL' : 'MariaDB'
    } ${wanted}; it runs ${runs.join(' and ') || 'no server'}, ` +
    'and tags without a patch version (mysql:9.7, mariadb:11.8, latest) stand for those'
  );
}
