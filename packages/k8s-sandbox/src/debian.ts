import { spawnSync } from 'node:child_process';

/** Debian packages the sandbox needs, with the command each one provides. */
const REQUIRED = [
  // The node: container runtime, OCI runtime, pod network, Services.
  { pkg: 'containerd', file: '/usr/bin/containerd' },
  { pkg: 'runc', file: '/usr/sbin/runc' },
  { pkg: 'containernetworking-plugins', file: '/usr/lib/cni/bridge' },
  { pkg: 'iptables', file: '/usr/sbin/iptables' },
  { pkg: 'conntrack', file: '/usr/sbin/conntrack' },
  { pkg: 'iproute2', file: '/usr/sbin/ip' },
  { pkg: 'util-linux', file: '/usr/bin/nsenter' },
  // The images: Debian root filesystems, and certificates for the cluster.
  { pkg: 'debootstrap', file: '/usr/sbin/debootstrap' },
  { pkg: 'openssl', file: '/usr/bin/openssl' },
];

/** Only needed to build the binaries and the pause image once. */
const BUILD_REQUIRED = [
  { pkg: 'gcc', file: '/usr/bin/gcc' },
  { pkg: 'libc6-dev', file: '/usr/lib/x86_64-linux-gnu/libc.a' },
];

function installed(file: string) {
  return spawnSync('test', ['-e', file]).status === 0;
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
