import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * A process that `up` started and `down` stops, with what it was started
 * with so that `restart` can start it again exactly so.
 */
export interface ManagedProcess {
  name: string;
  pid: number;
  log: string;
  /** Absent in state files written before components could restart. */
  command?: string;
  args?: string[];
  /** Only what was added to the environment of the process that started it. */
  env?: Record<string, string>;
}

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
): ManagedProcess {
  const log = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(log, 'a');
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env },
  });
  fs.closeSync(fd);
  if (!child.pid) throw new Error(`could not start ${name} (${command})`);
  child.unref();
  return { name, pid: child.pid, log, command, args, env };
}

/** Whether a live process is stopped by a signal (frozen with SIGSTOP). */
export function isStopped(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'T';
  } catch {
    return false;
  }
}

/** Whether a pid names a live process (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Sends SIGTERM (and SIGCONT, so a frozen process can act on it), waits, then
 * SIGKILL; resolves once the process is gone.
 */
export async function stopProcess(pid: number, graceMs = 10_000) {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
    process.kill(pid, 'SIGCONT');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    while (isAlive(pid)) await sleep(50);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  });
}
