import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_DIR } from '../packageDir';
import { runWithProgress } from '../processes';
import { ImageConfig, packOciArchive } from './ociImage';

/**
 * One image of the sandbox: a minimal Debian root filesystem with the
 * packages of one server (or of curl), loaded into containerd under the
 * names the product's manifests use. Nothing can be pulled here, so these
 * are all the images the node has; any other name fails as `ErrImagePull`.
 */
export interface SandboxImageSpec {
  /** The cache folder's name. */
  key: string;
  suite: 'bookworm' | 'trixie' | 'sid';
  packages: string[];
  /** The package whose version becomes the patch tag, e.g. `mysql:9.7.4`. */
  versionPackage: string;
  /** Names loaded for every build (the patch tag is added to them). */
  names: string[];
  /** The repository of the patch tag, e.g. `mysql`. */
  patchRepository?: string;
  server?: 'mysql' | 'mariadb';
  /**
   * Drop the `mysql*` names of MariaDB's tools, as the official images do
   * from 11.0 on: `mysqladmin` and `mysql` exist there only as
   * `mariadb-admin` and `mariadb`.
   */
  mariadbNamesOnly?: boolean;
}

/**
 * The images the product names: `mysql:8.4` runs the only MySQL Debian has
 * (sid's 9.7.x), as the README says; MariaDB 10.11 is bookworm's and 11.8
 * trixie's, so that an upgrade changes the server's version for real.
 */
export const SANDBOX_IMAGES: SandboxImageSpec[] = [
  {
    key: 'mysql-sid',
    suite: 'sid',
    packages: ['mysql-server-core', 'mysql-client-core'],
    versionPackage: 'mysql-server-core',
    names: ['mysql:9.7', 'mysql:8.4'],
    patchRepository: 'mysql',
    server: 'mysql',
  },
  {
    key: 'mariadb-bookworm',
    suite: 'bookworm',
    packages: ['mariadb-server-core', 'mariadb-client'],
    versionPackage: 'mariadb-server-core',
    names: ['mariadb:10.11'],
    patchRepository: 'mariadb',
    server: 'mariadb',
  },
  {
    key: 'mariadb-trixie',
    suite: 'trixie',
    packages: ['mariadb-server-core', 'mariadb-client'],
    versionPackage: 'mariadb-server-core',
    names: ['mariadb:11.8'],
    patchRepository: 'mariadb',
    server: 'mariadb',
    mariadbNamesOnly: true,
  },
  {
    key: 'curl-trixie',
    suite: 'trixie',
    packages: ['curl', 'ca-certificates'],
    versionPackage: 'curl',
    names: ['curlimages/curl:8.11.1'],
  },
];

/** The sandbox's pause image: a static `pause` of its own, built with gcc. */
export const PAUSE_IMAGE = 'sandbox.local/pause:3.10';

/** A name as containerd stores it: `mysql:9.7` → `docker.io/library/mysql:9.7`. */
export function normalizeImageName(name: string): string {
  const [first, ...rest] = name.split('/');
  const hasRegistry =
    rest.length > 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return name;
  return rest.length === 0 ? `docker.io/library/${name}` : `docker.io/${name}`;
}

/** `9.7.4-2` → `9.7.4`; `1:10.11.19-0+deb12u1` → `10.11.19`. */
export function upstreamVersion(packageVersion: string): string {
  return packageVersion.replace(/^\d+:/, '').replace(/[-+~].*$/, '');
}

const MY_CNF: Record<'mysql' | 'mariadb', string> = {
  // As the official images' own configuration: no host name lookups (a
  // lookup without cluster DNS stalls each connection for 10 s), files only
  // under mysql-files; MariaDB's leaves the character set to the server.
  mysql: `[mysqld]
host-cache-size=0
skip-name-resolve
datadir=/var/lib/mysql
socket=/var/run/mysqld/mysqld.sock
secure-file-priv=/var/lib/mysql-files
pid-file=/var/run/mysqld/mysqld.pid
mysqlx=OFF

[client]
socket=/var/run/mysqld/mysqld.sock

!includedir /etc/mysql/conf.d/
`,
  mariadb: `[mariadbd]
skip-name-resolve
host-cache-size=0
datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock
pid-file=/run/mysqld/mysqld.pid

[client-server]
socket=/run/mysqld/mysqld.sock

!includedir /etc/mysql/conf.d/
`,
};

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')}: ${
        result.stderr || result.stdout || result.error
      }`,
    );
  }
  return result.stdout;
}

function debianVersion(rootfs: string, pkg: string): string {
  return run('dpkg-query', [
    `--admindir=${rootfs}/var/lib/dpkg`,
    '-W',
    '-f=${Version}',
    pkg,
  ]).trim();
}

/** Turns a bare Debian root filesystem into a server image's. */
function prepareServer(rootfs: string, server: 'mysql' | 'mariadb') {
  const append = (file: string, line: string) => {
    const full = path.join(rootfs, file);
    const text = fs.readFileSync(full, 'utf8');
    const key = `${line.split(':')[0]}:`;
    if (!text.split('\n').some(l => l.startsWith(key))) {
      fs.appendFileSync(full, `${line}\n`);
    }
  };
  // The official images' mysql user and group.
  append('etc/group', 'mysql:x:999:');
  append('etc/passwd', 'mysql:x:999:999::/var/lib/mysql:/bin/bash');
  const dir = (p: string, mode: number) => {
    const full = path.join(rootfs, p);
    fs.mkdirSync(full, { recursive: true });
    fs.chownSync(full, 999, 999);
    fs.chmodSync(full, mode);
  };
  dir('var/lib/mysql', 0o777);
  dir('run/mysqld', 0o1777);
  dir('var/lib/mysql-files', 0o700);
  fs.mkdirSync(path.join(rootfs, 'docker-entrypoint-initdb.d'), {
    recursive: true,
  });
  // Debian's own my.cnf includes mariadb.conf.d after conf.d, whose
  // bind-address=127.0.0.1 would override the ConfigMap's settings.
  fs.rmSync(path.join(rootfs, 'etc/mysql'), { recursive: true, force: true });
  fs.mkdirSync(path.join(rootfs, 'etc/mysql/conf.d'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'etc/mysql/my.cnf'), MY_CNF[server]);
  const entrypoint = path.join(rootfs, 'usr/local/bin/docker-entrypoint.sh');
  fs.copyFileSync(
    path.join(PACKAGE_DIR, 'images', 'docker-entrypoint.sh'),
    entrypoint,
  );
  fs.chmodSync(entrypoint, 0o755);
}

function removeMysqlNames(rootfs: string) {
  for (const dir of ['usr/bin', 'usr/sbin']) {
    for (const entry of fs.readdirSync(path.join(rootfs, dir))) {
      const full = path.join(rootfs, dir, entry);
      if (entry.startsWith('mysql') && fs.lstatSync(full).isSymbolicLink()) {
        fs.rmSync(full);
      }
    }
  }
}

function slim(rootfs: string) {
  for (const p of [
    'var/cache/apt/archives',
    'var/lib/apt/lists',
    'usr/share/doc',
    'usr/share/man',
    'usr/share/info',
  ]) {
    const full = path.join(rootfs, p);
    if (!fs.existsSync(full)) continue;
    for (const entry of fs.readdirSync(full)) {
      if (entry === 'partial' || entry === 'lock') continue;
      fs.rmSync(path.join(full, entry), { recursive: true, force: true });
    }
  }
}

function imageConfig(spec: SandboxImageSpec): ImageConfig {
  const env = [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ];
  if (!spec.server) {
    return { Env: env, Cmd: ['curl'], User: '100:101' };
  }
  return {
    Env: env,
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: [spec.server === 'mariadb' ? 'mariadbd' : 'mysqld'],
    ExposedPorts: { '3306/tcp': {} },
    Volumes: { '/var/lib/mysql': {} },
  };
}

/** A built image: its archive and the names it is loaded under. */
export interface BuiltImage {
  archive: string;
  names: string[];
  version: string;
  /** What the server's `--version` says, e.g. `10.11.18-MariaDB-0+deb12u1`. */
  serverVersion?: string;
}

/** The `Ver` of a server binary in a root filesystem, run in a chroot. */
function serverVersionIn(rootfs: string, server: 'mysql' | 'mariadb') {
  const binary =
    server === 'mariadb' ? '/usr/sbin/mariadbd' : '/usr/sbin/mysqld';
  const out = run('chroot', [rootfs, binary, '--version']);
  const match = /Ver (\S+)/.exec(out);
  if (!match) throw new Error(`${binary} --version said: ${out}`);
  return match[1];
}

/**
 * Builds one image's archive into `cacheRoot/images/<key>` unless it is
 * there (debootstrap: 30 to 90 s each on 2 cores, with Debian's mirror).
 */
export async function ensureImage(
  cacheRoot: string,
  spec: SandboxImageSpec,
  log: (line: string) => void,
  mirror = process.env.SANDBOX_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian',
): Promise<BuiltImage> {
  const dir = path.join(cacheRoot, 'images', spec.key);
  const archive = path.join(dir, 'image.tar');
  const done = path.join(dir, 'built.json');
  if (fs.existsSync(done) && fs.existsSync(archive)) {
    const built: BuiltImage = JSON.parse(fs.readFileSync(done, 'utf8'));
    if (!spec.server || built.serverVersion) return built;
  }
  const rootfs = path.join(dir, 'rootfs');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  log(
    `building the image ${spec.names[0]} from Debian ${
      spec.suite
    }'s ${spec.packages.join(', ')} (first run only, about a minute)`,
  );
  await runWithProgress(
    'debootstrap',
    [
      '--variant=minbase',
      `--include=${spec.packages.join(',')}`,
      spec.suite,
      rootfs,
      mirror,
    ],
    log,
    line =>
      /^I: (Retrieving Release|Installing core|Base system)/.test(line)
        ? line
        : undefined,
  );
  if (spec.server) prepareServer(rootfs, spec.server);
  if (spec.mariadbNamesOnly) removeMysqlNames(rootfs);
  else {
    fs.appendFileSync(path.join(rootfs, 'etc/group'), 'curl_group:x:101:\n');
    fs.appendFileSync(
      path.join(rootfs, 'etc/passwd'),
      'curl_user:x:100:101::/home/curl_user:/bin/sh\n',
    );
  }
  slim(rootfs);
  const version = upstreamVersion(debianVersion(rootfs, spec.versionPackage));
  const serverVersion = spec.server
    ? serverVersionIn(rootfs, spec.server)
    : undefined;
  const names = [...spec.names];
  if (spec.patchRepository) names.push(`${spec.patchRepository}:${version}`);
  packOciArchive({
    rootfs,
    name: normalizeImageName(names[0]),
    config: imageConfig(spec),
    archive,
  });
  fs.rmSync(rootfs, { recursive: true, force: true });
  const built: BuiltImage = { archive, names, version, serverVersion };
  fs.writeFileSync(done, JSON.stringify(built));
  log(
    `  ${names.join(', ')}: ${version}, ${Math.round(
      fs.statSync(archive).size / 1e6,
    )} MB in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  return built;
}

/**
 * An image of one static binary (CoreDNS, the local-path provisioner):
 * the binary in /usr/local/bin, a /tmp, and nothing else, as their
 * distroless upstream images.
 */
export function binaryImage(options: {
  cacheRoot: string;
  key: string;
  binary: string;
  name: string;
  entrypoint: string[];
}): BuiltImage {
  const dir = path.join(options.cacheRoot, 'images', options.key);
  const archive = path.join(dir, 'image.tar');
  const stamp = `${fs.statSync(options.binary).mtimeMs}`;
  const done = path.join(dir, 'built.json');
  if (fs.existsSync(done) && fs.existsSync(archive)) {
    const built = JSON.parse(fs.readFileSync(done, 'utf8'));
    if (built.stamp === stamp) return built;
  }
  const rootfs = path.join(dir, 'rootfs');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(rootfs, 'usr/local/bin'), { recursive: true });
  fs.mkdirSync(path.join(rootfs, 'tmp'), { mode: 0o1777 });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  fs.mkdirSync(path.join(rootfs, 'etc'));
  fs.writeFileSync(
    path.join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  );
  const target = path.join(
    rootfs,
    'usr/local/bin',
    path.basename(options.binary),
  );
  fs.copyFileSync(options.binary, target);
  fs.chmodSync(target, 0o755);
  packOciArchive({
    rootfs,
    name: normalizeImageName(options.name),
    config: {
      Entrypoint: options.entrypoint,
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
    },
    archive,
  });
  fs.rmSync(rootfs, { recursive: true, force: true });
  const built = { archive, names: [options.name], version: '', stamp };
  fs.writeFileSync(done, JSON.stringify(built));
  return built;
}
