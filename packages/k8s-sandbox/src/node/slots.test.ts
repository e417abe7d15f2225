import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimSlot, releaseSlot, slotHeldBy } from './slots';

describe('sandbox slots', () => {
  let dir: string;
  let states: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slots-'));
    states = fs.mkdtempSync(path.join(os.tmpdir(), 'states-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(states, { recursive: true, force: true });
  });

  it('gives each state folder a slot of its own, and the same one again', () => {
    const a = path.join(states, 'a');
    fs.mkdirSync(a);
    const slot = claimSlot(a, dir);
    expect(claimSlot(a, dir)).toBe(slot);
    expect(slotHeldBy(a, dir)).toBe(slot);
    // A folder that hashes anywhere gets a different slot while a holds it.
    const others = ['b', 'c', 'd'].map(n => {
      const s = path.join(states, n);
      fs.mkdirSync(s);
      return claimSlot(s, dir);
    });
    expect(new Set([slot, ...others]).size).toBe(4);
    releaseSlot(slot, a, dir);
    expect(slotHeldBy(a, dir)).toBeUndefined();
  });

  it('takes over a slot whose holder folder is gone', () => {
    const gone = path.join(states, 'gone');
    fs.mkdirSync(gone);
    const slot = claimSlot(gone, dir);
    fs.rmSync(gone, { recursive: true });
    fs.writeFileSync(path.join(dir, String(slot)), gone);
    // Fill every other slot, so the only free one is the stale claim.
    for (let i = 0; i < 63; i++) {
      if (i === slot) continue;
      fs.writeFileSync(path.join(dir, String(i)), states);
    }
    const next = path.join(states, 'next');
    fs.mkdirSync(next);
    expect(claimSlot(next, dir)).toBe(slot);
  });
});
