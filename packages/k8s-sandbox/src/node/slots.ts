import fs from 'node:fs';
import path from 'node:path';
import { SLOTS, slotOf } from './config';

/** Claims of slots, one file per slot naming the state folder that holds it. */
export const SLOTS_DIR = '/run/k8s-sandbox/slots';

function claimFile(slot: number, dir: string) {
  return path.join(dir, String(slot));
}

/** The slot the sandbox in `stateDir` holds, if it holds one. */
export function slotHeldBy(
  stateDir: string,
  dir = SLOTS_DIR,
): number | undefined {
  if (!fs.existsSync(dir)) return undefined;
  for (const entry of fs.readdirSync(dir)) {
    try {
      if (fs.readFileSync(path.join(dir, entry), 'utf8') === stateDir) {
        return Number(entry);
      }
    } catch {
      // released meanwhile
    }
  }
  return undefined;
}

/**
 * The slot (addresses, network namespace, cgroup) of the sandbox in
 * `stateDir`: the one it holds already, else the first free one from the
 * slot its folder hashes to. A slot is free when nobody claims it or its
 * claimant's folder is gone; the claim is a file made with O_EXCL, so two
 * sandboxes starting at once never get the same one.
 */
export function claimSlot(stateDir: string, dir = SLOTS_DIR): number {
  const held = slotHeldBy(stateDir, dir);
  if (held !== undefined) return held;
  fs.mkdirSync(dir, { recursive: true });
  const first = slotOf(stateDir);
  for (let i = 0; i < SLOTS; i++) {
    const slot = (first + i) % SLOTS;
    const file = claimFile(slot, dir);
    try {
      const holder = fs.readFileSync(file, 'utf8');
      if (fs.existsSync(holder)) continue;
      fs.rmSync(file, { force: true });
    } catch {
      // unclaimed
    }
    try {
      fs.writeFileSync(file, stateDir, { flag: 'wx' });
      return slot;
    } catch {
      // another sandbox took it just now
    }
  }
  throw new Error(`all ${SLOTS} sandbox slots are taken (see ${dir})`);
}

/** Gives the slot back, if `stateDir` holds it. */
export function releaseSlot(slot: number, stateDir: string, dir = SLOTS_DIR) {
  const file = claimFile(slot, dir);
  try {
    if (fs.readFileSync(file, 'utf8') === stateDir) fs.rmSync(file);
  } catch {
    // not held
  }
}
