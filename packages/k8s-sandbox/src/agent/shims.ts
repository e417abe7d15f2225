import fs from 'node:fs';
import path from 'node:path';

// Inside a pod, `mysqladmin -h 127.0.0.1` reaches the pod's own server. Here
// that address would reach the machine's MariaDB, so every connection option
// is replaced by the pod server's socket.
const SHIM = (binary: string, socket: string) => `#!/bin/bash
args=()
skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case "$a" in
    -h|--host|-P|--port|-S|--socket|--protocol) skip=1 ;;
    -h*|--host=*|-P*|--port=*|-S*|--socket=*|--protocol=*) ;;
    *) args+=("$a") ;;
  esac
done
exec ${binary} --socket=${socket} "\${args[@]}"
`;

/**
 * Writes `mysql`, `mysqladmin` and their MariaDB names into `<dir>/bin`,
 * bound to the pod's server socket, and returns that folder for PATH.
 */
export function writeClientShims(dir: string, socket: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const shims: Record<string, string> = {
    mysql: '/usr/bin/mariadb',
    mariadb: '/usr/bin/mariadb',
    mysqladmin: '/usr/bin/mariadb-admin',
    'mariadb-admin': '/usr/bin/mariadb-admin',
  };
  for (const [name, binary] of Object.entries(shims)) {
    fs.writeFileSync(path.join(bin, name), SHIM(binary, socket), {
      mode: 0o755,
    });
  }
  return bin;
}
