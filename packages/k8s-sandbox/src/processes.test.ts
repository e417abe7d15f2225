import { spawn } from 'node:child_process';
import {
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
