import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep, tail } from '../processes';

/** A host file or folder that a container sees at `target`. */
export interface ContainerMount {
  source: string;
  target: string;
  readOnly?: boolean;
}

/** Everything the agent resolved from the pod spec to run one command container. */
export interface CommandContainerSpec {
  /** Per-pod runtime folder. */
  runDir: string;
  /** The command line, `$(VAR)` references expanded. */
  argv: string[];
  /** The container's env (PATH gets the client programs in front). */
  env: Record<string, string>;
  workingDir?: string;
  /** The pod's volumes, at their mount paths. */
  mounts: ContainerMount[];
  /** The container's /etc/hosts (see clusterHostsFile). */
  hosts: string;
  /** Programs first on PATH: name → command line (see ClientRuntime). */
  programs: Record<string, string[]>;
  /** The host file behind the container's termination message path. */
  terminationLog: ContainerMount;
  /** The container's log file in `runDir`, `container.log` unless named. */
  logName?: string;
}

/** Where the client programs appear inside the container, first on PATH. */
export const CONTAINER_BIN = '/.sandbox/bin';

const DEFAULT_PATH =
  '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Quotes a string for sh. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The script that stands for one client program on the container's PATH. */
export function programWrapper(argv: string[]): string {
  return `#!/bin/sh\nexec ${argv.map(shellQuote).join(' ')} "$@"\n`;
}

/**
 * The script that makes a container's root and runs its command there. It
 * runs in a mount namespace of its own (`unshare --mount`), so every mount
 * it makes is private to the container and goes away with its last
 * process, even if the agent dies; nothing on the machine is written. The
 * root is a tmpfs with the machine's /usr (and the bin and lib links or
 * folders beside it) mounted read-only, a copy of its /etc (with the
 * container's hosts file, without the machine's MySQL or MariaDB
 * configuration), /proc, /sys, a small /dev, empty /tmp, /run, /var and
 * /root, and the pod's volumes at their mount paths. A mount point under
 * the machine's read-only /usr that does not exist there fails the
 * container (exit code 128) with the reason in its log.
 */
export function containerScript(spec: {
  root: string;
  hostsFile: string;
  mounts: ContainerMount[];
  workingDir: string;
  path: string;
}): string {
  const q = shellQuote;
  // Parents before children, as container runtimes mount them.
  const mounts = [...spec.mounts].sort(
    (a, b) =>
      a.target.split('/').filter(Boolean).length -
      b.target.split('/').filter(Boolean).length,
  );
  return `#!/bin/sh
# Made by the sandbox's node agent; runs as: unshare --mount <this> <command…>
run() { "$@" || { echo "sandbox: could not make the container's root: $*" >&2; exit 128; }; }
r=${q(spec.root)}
run mount -t tmpfs -o mode=0755 container-root "$r"
for d in usr bin sbin lib lib32 lib64 libx32; do
  if [ -L "/$d" ]; then run ln -s "$(readlink "/$d")" "$r/$d"
  elif [ -d "/$d" ]; then
    run mkdir "$r/$d"
    run mount --rbind "/$d" "$r/$d"
    run mount -o remount,bind,ro "$r/$d"
  fi
done
run mkdir "$r/etc" "$r/proc" "$r/sys" "$r/dev" "$r/run" "$r/var" "$r/root" "$r/home"
cp -a /etc/. "$r/etc/" 2>/dev/null
rm -rf "$r/etc/mysql" "$r/etc/my.cnf"
run cp ${q(spec.hostsFile)} "$r/etc/hosts"
run mount --rbind /proc "$r/proc"
run mount --rbind /sys "$r/sys"
run mount -o remount,bind,ro "$r/sys"
run mount -t tmpfs -o mode=0755,nosuid dev "$r/dev"
for n in null zero full random urandom tty; do
  run touch "$r/dev/$n"
  run mount --bind "/dev/$n" "$r/dev/$n"
done
run ln -s /proc/self/fd "$r/dev/fd"
run ln -s /proc/self/fd/0 "$r/dev/stdin"
run ln -s /proc/self/fd/1 "$r/dev/stdout"
run ln -s /proc/self/fd/2 "$r/dev/stderr"
run mkdir -m 1777 "$r/dev/shm" "$r/tmp" "$r/var/tmp"
run ln -s ../run "$r/var/run"
run mkdir -p "$r/var/lib"
bind() {
  if [ -d "$1" ]; then run mkdir -p "$r$2"
  else
    run mkdir -p "$(dirname "$r$2")"
    [ -e "$r$2" ] || run touch "$r$2"
  fi
  run mount --bind "$1" "$r$2"
  if [ "$3" = ro ]; then run mount -o remount,bind,ro "$r$2"; fi
}
${mounts
  .map(m => `bind ${q(m.source)} ${q(m.target)}${m.readOnly ? ' ro' : ''}`)
  .join('\n')}
run mkdir -p "$r"${q(spec.workingDir)}
PATH=${q(spec.path)}
export PATH
exec /usr/sbin/chroot "$r" /bin/sh -c 'cd "$0" && exec "$@"' ${q(
    spec.workingDir,
  )} "$@"
`;
}

/**
 * A container that runs its own command (a Job's dump or restore) instead of
 * a server: a host process tree in a root of its own (see
 * {@link containerScript}), with the image's client programs first on PATH.
 * Its output goes to `container.log` (or its `logName`) in the pod's folder.
 */
export class CommandContainer {
  private child?: ChildProcess;
  private exitHandlers: Array<(code: number) => void> = [];
  /** The container's stdout and stderr. */
  readonly log: string;

  constructor(private readonly spec: CommandContainerSpec) {
    this.log = path.join(spec.runDir, spec.logName ?? 'container.log');
  }

  get pid() {
    return this.child?.pid;
  }

  /**
   * The end of the container's output, as a kubelet's
   * `FallbackToLogsOnError` takes it: the last 80 lines, at most 2 KiB.
   */
  lastErrors(lines = 80) {
    return tail(this.log, lines).slice(-2048);
  }

  private writeFiles() {
    const { runDir, programs } = this.spec;
    const bin = path.join(runDir, 'bin');
    fs.rmSync(bin, { recursive: true, force: true });
    fs.mkdirSync(bin, { recursive: true });
    for (const [name, argv] of Object.entries(programs)) {
      fs.writeFileSync(path.join(bin, name), programWrapper(argv), {
        mode: 0o755,
      });
    }
    const hostsFile = path.join(runDir, 'hosts');
    fs.writeFileSync(hostsFile, this.spec.hosts);
    const log = this.spec.terminationLog;
    fs.mkdirSync(path.dirname(log.source), { recursive: true });
    fs.writeFileSync(log.source, '');
    const root = path.join(runDir, 'container-root');
    fs.mkdirSync(root, { recursive: true });
    const script = path.join(runDir, 'container.sh');
    fs.writeFileSync(
      script,
      containerScript({
        root,
        hostsFile,
        mounts: [
          { source: bin, target: CONTAINER_BIN, readOnly: true },
          ...this.spec.mounts,
          log,
        ],
        workingDir: this.spec.workingDir || '/',
        path: `${CONTAINER_BIN}:${this.spec.env.PATH ?? DEFAULT_PATH}`,
      }),
    );
    return script;
  }

  /** Starts the command; `onExit` gets its exit code (128 + signal when killed). */
  start(onExit: (code: number) => void) {
    const script = this.writeFiles();
    const out = fs.openSync(this.log, 'a');
    // Without root, a user namespace gives the mount namespace's rights.
    const user = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
    const child = spawn(
      '/usr/bin/unshare',
      [
        ...user,
        '--mount',
        '--propagation',
        'private',
        '/bin/sh',
        script,
        ...this.spec.argv,
      ],
      {
        // A process group of its own, so that stopping it reaches the
        // whole pipeline, as a container runtime stops every process.
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...this.spec.env, PATH: DEFAULT_PATH },
      },
    );
    fs.closeSync(out);
    this.child = child;
    this.exitHandlers = [onExit];
    const pidFile = path.join(this.spec.runDir, 'server.pid');
    if (child.pid) fs.writeFileSync(pidFile, `${child.pid}\n`);
    let done = false;
    const finish = (code: number) => {
      if (done || this.child !== child) return;
      done = true;
      this.child = undefined;
      fs.rmSync(pidFile, { force: true });
      for (const handler of this.exitHandlers) handler(code);
    };
    child.on('error', error => {
      fs.appendFileSync(this.log, `sandbox: ${error.message}\n`);
      finish(128);
    });
    child.on('exit', (code, signal) =>
      finish(code ?? 128 + (signal ? os.constants.signals[signal] : 9)),
    );
  }

  /** SIGTERM to every process of it, SIGKILL after the grace period; no exit callback fires. */
  async stop(graceMs: number) {
    const child = this.child;
    this.exitHandlers = [];
    if (!child?.pid) return;
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // gone already
      }
    };
    // The whole group, not just its leader: when the leader is gone the
    // rest of a pipeline may still be on its way out.
    const pgid = child.pid;
    group('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
    group('SIGKILL');
    while (groupAlive(pgid)) await sleep(50);
  }
}

/** Whether a process of the group is alive (zombies do not count). */
function groupAlive(pgid: number): boolean {
  return fs.readdirSync('/proc').some(pid => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[2]) === pgid && fields[0] !== 'Z';
    } catch {
      return false;
    }
  });
}
