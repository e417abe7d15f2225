import * as k8s from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import net from 'node:net';

/** Where a probe runs: the pod's address, env and client shims. */
export interface ProbeContext {
  ip: string;
  env: Record<string, string>;
  shimPath: string;
  container: k8s.V1Container;
}

/** The outcome of one probe run. */
export interface ProbeResult {
  ok: boolean;
  message: string;
}

function resolvePort(
  port: number | string | undefined,
  container: k8s.V1Container,
) {
  if (typeof port === 'number') return port;
  const named = container.ports?.find(p => p.name === port);
  return named?.containerPort ?? Number(port);
}

function runExec(command: string[], ctx: ProbeContext, timeoutMs: number) {
  return new Promise<ProbeResult>(resolve => {
    const child = spawn(command[0], command.slice(1), {
      env: {
        ...ctx.env,
        PATH: `${ctx.shimPath}:/usr/sbin:/usr/bin:/sbin:/bin`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', error => {
      clearTimeout(timer);
      resolve({ ok: false, message: String(error) });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const text = output.trim().slice(-500);
      if (signal) resolve({ ok: false, message: `command timed out: ${text}` });
      else resolve({ ok: code === 0, message: text });
    });
  });
}

function runTcp(ip: string, port: number, timeoutMs: number) {
  return new Promise<ProbeResult>(resolve => {
    const socket = net.connect({ host: ip, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${ip}:${port}: i/o timeout` });
    });
    socket.on('connect', () => {
      socket.destroy();
      resolve({ ok: true, message: '' });
    });
    socket.on('error', error =>
      resolve({
        ok: false,
        message: `dial tcp ${ip}:${port}: ${error.message}`,
      }),
    );
  });
}

async function runHttp(
  probe: k8s.V1HTTPGetAction,
  ctx: ProbeContext,
  timeoutMs: number,
) {
  const port = resolvePort(probe.port, ctx.container);
  const url = `${(probe.scheme ?? 'HTTP').toLowerCase()}://${ctx.ip}:${port}${
    probe.path ?? '/'
  }`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return {
      ok: res.status >= 200 && res.status < 400,
      message: `HTTP ${res.status}`,
    };
  } catch (error) {
    return { ok: false, message: `Get ${url}: ${(error as Error).message}` };
  }
}

/** Runs one exec, tcpSocket or httpGet probe against the pod. */
export function runProbe(
  probe: k8s.V1Probe,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec?.command?.length)
    return runExec(probe.exec.command, ctx, timeoutMs);
  if (probe.tcpSocket) {
    return runTcp(
      ctx.ip,
      resolvePort(probe.tcpSocket.port as number | string, ctx.container),
      timeoutMs,
    );
  }
  if (probe.httpGet) return runHttp(probe.httpGet, ctx, timeoutMs);
  return Promise.resolve({ ok: true, message: '' });
}
