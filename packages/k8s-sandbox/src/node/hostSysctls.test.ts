import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  holdSysctls,
  KUBELET_SYSCTLS,
  readSysctls,
  releaseSysctls,
} from './hostSysctls';

describe('host sysctls', () => {
  let file: string;
  beforeEach(() => {
    file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'sysctl-')),
      'r.json',
    );
  });
  afterEach(() => {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('is restored by the last sandbox that holds it, not before', () => {
    const before = readSysctls(KUBELET_SYSCTLS);
    holdSysctls('/a', process.pid, file);
    holdSysctls('/b', process.pid, file);
    expect(releaseSysctls('/a', file)).toBeUndefined();
    expect(fs.existsSync(file)).toBe(true);
    expect(releaseSysctls('/b', file)).toEqual(before);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('takes over a record whose holders were killed, and keeps the values recorded first', () => {
    fs.writeFileSync(
      file,
      JSON.stringify({
        values: readSysctls(KUBELET_SYSCTLS),
        holders: { '/dead': 2 ** 22 + 1 },
      }),
    );
    holdSysctls('/c', process.pid, file);
    const record = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(record.holders)).toEqual(['/c']);
    holdSysctls('/c', process.pid, file);
    expect(releaseSysctls('/c', file)).toEqual(record.values);
  });
});
