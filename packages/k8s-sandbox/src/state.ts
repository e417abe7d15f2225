import fs from 'node:fs';
import path from 'node:path';
import { ManagedProcess } from './processes';

/** What `up` records in `.sandbox/state.json` for `status` and `down`. */
export interface SandboxState {
  server: string;
  kubeconfig: string;
  processes: ManagedProcess[];
  startedAt: string;
}

export function readState(stateDir: string): SandboxState | undefined {
  try {
    return JSON.parse(
      fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'),
    );
  } catch {
    return undefined;
  }
}

export function writeState(stateDir: string, state: SandboxState) {
  fs.writeFileSync(
    path.join(stateDir, 'state.json'),
    `${JSON.stringify(state, null, 2)}\n`,
  );
}
