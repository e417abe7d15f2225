import fs from 'node:fs';
import path from 'node:path';
import { isAlive, ProcessRef } from '../processes';

/**
 * The machine-wide settings a kubelet changes when it starts
 * (`setupKernelTunables`: overcommit, panics, key quotas). They are not
 * per network namespace, so the sandbox records them before its first
 * kubelet starts and puts them back when its last one is gone.
 */
export const KUBELET_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
];

/** What was recorded, and which sandboxes (state folder → process) hold it. */
interface Record {
  values: { [name: string]: string };
  holders: { [stateDir: string]: number | ProcessRef };
}

const procPath = (name: string) => path.join('/proc/sys', ...name.split('.'));

/** Reads sysctls from /proc/sys. */
export function readSysctls(names: string[]): { [name: string]: string } {
  return Object.fromEntries(
    names.map(n => [n, fs.readFileSync(procPath(n), 'utf8').trim()]),
  );
}

function writeSysctls(values: { [name: string]: string }) {
  for (const [name, value] of Object.entries(values)) {
    try {
      fs.writeFileSync(procPath(name), value);
    } catch {
      // A setting this machine does not let us write was never changed.
    }
  }
}

/** The machine-wide record; /run is emptied at boot, as these settings are. */
export const SYSCTL_RECORD = '/run/k8s-sandbox/sysctls.json';

function read(file: string): Record | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function write(file: string, record: Record) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Records the machine's settings before a kubelet changes them, held by
 * `holder` (first `up`, then the kubelet it started). A record
 * whose holders are all gone (killed without `down`) is restored first, so
 * the values recorded are always the machine's own.
 */
export function holdSysctls(
  stateDir: string,
  holder: number | ProcessRef,
  file = SYSCTL_RECORD,
): void {
  let record = read(file);
  if (record && stateDir in record.holders) {
    // The same sandbox again: the kubelet's pid replaces that of `up`.
    record.holders[stateDir] = refOnly(holder);
    write(file, record);
    return;
  }
  if (record) {
    const alive = Object.entries(record.holders).filter(
      ([dir, pid]) => dir !== stateDir && isAlive(pid),
    );
    if (alive.length === 0) {
      writeSysctls(record.values);
      record = undefined;
    } else {
      record.holders = Object.fromEntries(alive);
    }
  }
  record ??= { values: readSysctls(KUBELET_SYSCTLS), holders: {} };
  record.holders[stateDir] = refOnly(holder);
  write(file, record);
}

function refOnly(holder: number | ProcessRef): number | ProcessRef {
  return typeof holder === 'number'
    ? holder
    : { pid: holder.pid, startTime: holder.startTime };
}

/**
 * Lets go of the record for `stateDir`; the last holder (of those still
 * alive) puts the machine's settings back and removes the record. Returns
 * the settings it restored, if it did.
 */
export function releaseSysctls(
  stateDir: string,
  file = SYSCTL_RECORD,
): { [name: string]: string } | undefined {
  const record = read(file);
  if (!record) return undefined;
  delete record.holders[stateDir];
  const alive = Object.entries(record.holders).filter(([, pid]) =>
    isAlive(pid),
  );
  if (alive.length > 0) {
    record.holders = Object.fromEntries(alive);
    write(file, record);
    return undefined;
  }
  writeSysctls(record.values);
  fs.rmSync(file, { force: true });
  return record.values;
}
