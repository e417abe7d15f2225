import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A process that `up` started and `down` stops, with what it was started
 * with so that `restart` can start it again exactly so.
 */
export interface ManagedProcess {
  name: string;
  pid: number;
  log: string;
  /**
   * When the process started, in clock ticks since boot (`/proc/<pid>/stat`),
   * so that a pid the kernel has given to another process since is not
   * taken for it. Absent in older state files.
   */
  startTime?: number;
  /** Absent in state files written before components could restart. */
  command?: string;
  args?: string[];
  /** Only what was added to the environment of the process that started it. */
  env?: Record<string, string>;
  /**
   * Set when `pid` is a supervisor that starts the component again when it
   * exits by itself: the file where it writes the component's own pid.
   */
  childPidFile?: string;
}

/**
 * Runs "$@" again a second after it exits by itself, as systemd's
 * Restart=always does for microk8s' services; a TERM stops both.
 */
const SUPERVISOR = `trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
while :; do
  "$@" & child=$!
  # With its start time (field 22 of stat), which outlives a dead supervisor.
  echo "$child $(sed 's/.*) //' /proc/$child/stat | cut -d' ' -f20)" \
    > "$SANDBOX_CHILD_PID_FILE"
  wait "$child"
  echo "[sandbox] exited with status $?; starting it again in 1 s" >&2
  sleep 1
done`;

/**
 * Starts a long-running process detached from us, logging to a file (appended
 * to, so a restarted process continues its log).
 */
export function startDetached(
  name: string,
  command: string,
  args: string[],
  logDir: string,
  env: Record<string, string> = {},
  options: { supervised?: boolean } = {},
): ManagedProcess {
  const log = path.join(logDir, `${name}.log`);
  const childPidFile = options.supervised
    ? path.join(logDir, `${name}.pid`)
    : undefined;
  const [file, argv] = childPidFile
    ? ['sh', ['-c', SUPERVISOR, name, command, ...args]]
    : [command, args];
  const fd = fs.openSync(log, 'a');
  const child = spawn(file, argv, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: {
      ...process.env,
      ...env,
      ...(childPidFile ? { SANDBOX_CHILD_PID_FILE: childPidFile } : {}),
    },
  });
  fs.closeSync(fd);
  if (!child.pid) throw new Error(`could not start ${name} (${command})`);
  child.unref();
  return {
    name,
    pid: child.pid,
    startTime: processStartTime(child.pid),
    log,
    command,
    args,
    env,
    ...(childPidFile ? { childPidFile } : {}),
  };
}

/**
 * The component itself: for a supervised one, the process its supervisor
 * started last (by pid and start time, so a pid file that outlives both
 * names no other process); otherwise the recorded process.
 */
export function componentProcess(p: ManagedProcess): ProcessRef | undefined {
  if (!p.childPidFile) return p;
  let pid: number;
  let startTime: number;
  try {
    [pid, startTime] = fs
      .readFileSync(p.childPidFile, 'utf8')
      .trim()
      .split(' ')
      .map(Number);
  } catch {
    return undefined;
  }
  return pid && startTime ? { pid, startTime } : undefined;
}

/**
 * A process as the sandbox records it: its pid, and when it started, since
 * pids come round again (pid_max is 32768 on these machines, and a loaded
 * test run uses that many in minutes).
 */
export interface ProcessRef {
  pid: number;
  startTime?: number;
}

/** What `/proc/<pid>/stat` says of a process; undefined when it is gone. */
function readStat(
  pid: number,
): { state: string; startTime: number } | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The fields after the command name, from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    state: fields[0],
    startTime: Number(fields[19]),
  };
}

/** When a process started, in clock ticks since boot; undefined when it is gone. */
export function processStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime;
}

/** This process, as a {@link ProcessRef}. */
export function selfRef(): ProcessRef {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}

function refOf(target: number | ProcessRef): ProcessRef {
  return typeof target === 'number' ? { pid: target } : target;
}

/** Whether a live process is stopped by a signal (frozen with SIGSTOP). */
export function isStopped(pid: number): boolean {
  return readStat(pid)?.state === 'T';
}

/**
 * Whether a process is alive (zombies count as gone). Given a start time, a
 * process that started at another time holds a reused pid: also gone.
 */
export function isAlive(target: number | ProcessRef): boolean {
  const { pid, startTime } = refOf(target);
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readStat(pid);
  if (!stat) return true;
  if (stat.state === 'Z') return false;
  return startTime === undefined || stat.startTime === startTime;
}

/** Sends `signal` to a process if it is still the one recorded; returns whether it did. */
export function signalProcess(
  target: number | ProcessRef,
  signal: NodeJS.Signals,
): boolean {
  if (!isAlive(target)) return false;
  try {
    process.kill(refOf(target).pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends SIGTERM (and SIGCONT, so a frozen process can act on it), waits, then
 * SIGKILL; resolves once the process is gone.
 */
export async function stopProcess(
  target: number | ProcessRef,
  graceMs = 10_000,
) {
  if (!signalProcess(target, 'SIGTERM')) return;
  signalProcess(target, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (isAlive(target) && Date.now() < deadline) await sleep(100);
  if (!signalProcess(target, 'SIGKILL')) return;
  while (isAlive(target)) await sleep(50);
}

/** Stops a recorded process and, when it supervises the component, the component too. */
export async function stopManaged(p: ManagedProcess, graceMs = 10_000) {
  const component = componentProcess(p);
  await stopProcess(p, graceMs);
  if (component && component !== p) await stopProcess(component, graceMs);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true, failing with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  onTimeout?: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) {
      const detail = onTimeout ? `\n${onTimeout()}` : '';
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for ${what}${detail}`,
      );
    }
    await sleep(200);
  }
}

/** The last `lines` lines of a text file, or '' when it does not exist. */
export function tail(file: string, lines: number): string {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

/**
 * Runs a long build step, passing the lines that `progress` picks out of
 * its output to `log`, and fails with the end of its output.
 */
export function runWithProgress(
  command: string,
  args: string[],
  log: (line: string) => void,
  progress: (line: string) => string | undefined,
  options: { env?: Record<string, string>; stillRunning?: string } = {},
): Promise<void> {
  const started = Date.now();
  // Long builds say every minute that they still run.
  const ticker =
    options.stillRunning &&
    setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      log(`  ${options.stillRunning}… ${seconds}s`);
    }, 60_000);
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    const output: string[] = [];
    const forward = (chunk: Buffer) => {
      output.push(chunk.toString());
      for (const line of chunk.toString().split('\n')) {
        const shown = progress(line);
        if (shown !== undefined) log(`  ${shown}`);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('exit', code =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${path.basename(command)} failed (exit ${code}):\n${output
                .join('')
                .slice(-4000)}`,
            ),
          ),
    );
  }).finally(() => ticker && clearInterval(ticker));
}
