import { spawnSync } from 'node:child_process';

/** Debian packages the sandbox needs, with the command each one provides. */
const REQUIRED = [
  { pkg: 'etcd-server', file: '/usr/bin/etcd' },
  { pkg: 'mariadb-server', file: '/usr/sbin/mariadbd' },
  { pkg: 'mariadb-client', file: '/usr/bin/mariadb-admin' },
  // mariadb-dump and mariadb, for the Jobs of mariadb images.
  { pkg: 'mariadb-client', file: '/usr/bin/mariadb-dump' },
  { pkg: 'kubernetes-client', file: '/usr/bin/kubectl' },
];

/** Only needed to build the control-plane binaries once. */
const BUILD_REQUIRED = [
  { pkg: 'golang-go', file: '/usr/bin/go' },
  { pkg: 'rsync', file: '/usr/bin/rsync' },
  { pkg: 'jq', file: '/usr/bin/jq' },
  { pkg: 'dpkg-dev', file: '/usr/bin/dpkg-source' },
  { pkg: 'make', file: '/usr/bin/make' },
];

function installed(file: string) {
  return spawnSync('test', ['-x', file]).status === 0;
}

/**
 * Installs missing Debian packages when running as root; otherwise fails and
 * names the exact command to run.
 */
export function ensureDebianPackages(
  forBuild: boolean,
  log: (line: string) => void,
) {
  const wanted = forBuild ? [...REQUIRED, ...BUILD_REQUIRED] : REQUIRED;
  const missing = [
    ...new Set(wanted.filter(w => !installed(w.file)).map(w => w.pkg)),
  ];
  if (missing.length === 0) return;
  const command = `apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `the sandbox needs these Debian packages: ${missing.join(', ')}. ` +
        `Install them with: sudo ${command}`,
    );
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) =>
    spawnSync('apt-get', args, { stdio: 'inherit', env }).status;
  if (apt(['install', '-y', '-qq', ...missing]) !== 0) {
    apt(['update', '-qq']);
    if (apt(['install', '-y', '-qq', ...missing]) !== 0) {
      throw new Error(`${command} failed (see the output above)`);
    }
  }
}
