import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import {
  freePort,
  isAlive,
  processStartTime,
  signalProcess,
  stopProcess,
} from './processes';

describe('a recorded process whose pid the kernel gave to another', () => {
  it('counts as gone, and is never signalled or stopped', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid!;
    const startTime = processStartTime(pid)!;
    expect(startTime).toBeGreaterThan(0);
    // The record of a process that held this pid before.
    const stale = { pid, startTime: startTime - 1 };
    try {
      expect(isAlive({ pid, startTime })).toBe(true);
      expect(isAlive(stale)).toBe(false);
      expect(signalProcess(stale, 'SIGKILL')).toBe(false);
      await stopProcess(stale, 100);
      expect(isAlive({ pid, startTime })).toBe(true);
    } finally {
      await stopProcess({ pid, startTime }, 1000);
    }
    expect(isAlive({ pid, startTime })).toBe(false);
  });
});

describe('freePort', () => {
  it('gives a port below the ephemeral range that can be listened on', async () => {
    const [ephemeralStart] = fs
      .readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(ephemeralStart);
    const server = net.createServer();
    await new Promise<void>(resolve =>
      server.listen(port, '127.0.0.1', resolve),
    );
    await new Promise(resolve => server.close(resolve));
  });
});
