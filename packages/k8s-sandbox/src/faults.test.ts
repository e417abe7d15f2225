import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status } from './controlPlane';
import { freeze, kill, restart, thaw } from './faults';
import { isAlive, isStopped, startDetached, stopProcess } from './processes';
import { readState, writeState } from './state';

let stateDir: string;
let pid: number;

// A stand-in for a component: what freeze, thaw and kill do to a process
// does not depend on which one it is.
beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-test-'));
  const logs = path.join(stateDir, 'logs');
  fs.mkdirSync(logs);
  const sleeper = startDetached('kube-apiserver', 'sleep', ['600'], logs);
  pid = sleeper.pid;
  writeState(stateDir, {
    server: 'https://127.0.0.1:1',
    kubeconfig: path.join(stateDir, 'kubeconfig'),
    processes: [sleeper],
    startedAt: '2026-01-01T00:00:00Z',
  });
});

afterEach(async () => {
  await stopProcess(pid, 1000);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const lineOf = () =>
  status({ stateDir }).lines.find(l => l.startsWith('kube-apiserver'))!;

describe('faults', () => {
  it('freezes and thaws a component, and status says so', async () => {
    await freeze('kube-apiserver', { stateDir });
    expect(isStopped(pid)).toBe(true);
    expect(isAlive(pid)).toBe(true);
    expect(lineOf()).toMatch(/FROZEN/);
    await thaw('kube-apiserver', { stateDir });
    expect(isStopped(pid)).toBe(false);
    expect(lineOf()).toMatch(/running/);
  });

  it('kills a component, frozen or not, and keeps its entry', async () => {
    await freeze('kube-apiserver', { stateDir });
    await kill('kube-apiserver', { stateDir });
    expect(isAlive(pid)).toBe(false);
    expect(lineOf()).toMatch(/STOPPED/);
    expect(readState(stateDir)!.processes[0].pid).toBe(pid);
    await expect(freeze('kube-apiserver', { stateDir })).rejects.toThrow(
      'kube-apiserver is not running',
    );
  });

  it('says what is missing', async () => {
    await expect(freeze('etcd', { stateDir })).rejects.toThrow(
      `the sandbox in ${stateDir} has no etcd`,
    );
    await expect(restart('node-agent' as 'etcd', { stateDir })).rejects.toThrow(
      'node-agent cannot be restarted',
    );
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-test-'));
    await expect(kill('etcd', { stateDir: empty })).rejects.toThrow(
      `no sandbox runs in ${empty}`,
    );
    fs.rmSync(empty, { recursive: true });
  });

  it('refuses to restart what an older sandbox started without its command line', async () => {
    const state = readState(stateDir)!;
    delete state.processes[0].command;
    writeState(stateDir, state);
    await expect(restart('kube-apiserver', { stateDir })).rejects.toThrow(
      /run down, then up/,
    );
    expect(isAlive(pid)).toBe(true);
  });
});
