import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveFileEnv } from './podFiles';

describe('resolveFileEnv', () => {
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'rootfs-'));
  fs.mkdirSync(path.join(rootfs, 'run', 'secrets'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'run', 'secrets', 'root'), 's3cret\n\n');

  it("reads a _FILE variable from the container's file, as the images do", () => {
    expect(
      resolveFileEnv(
        { MYSQL_ROOT_PASSWORD_FILE: '/run/secrets/root', MYSQL_USER: 'app' },
        rootfs,
      ),
    ).toEqual({ MYSQL_ROOT_PASSWORD: 's3cret', MYSQL_USER: 'app' });
  });

  it('refuses both forms at once, and a file that is not there', () => {
    expect(() =>
      resolveFileEnv(
        {
          MYSQL_PASSWORD: 'a',
          MYSQL_PASSWORD_FILE: '/run/secrets/root',
        },
        rootfs,
      ),
    ).toThrow('both MYSQL_PASSWORD and MYSQL_PASSWORD_FILE are set');
    expect(() =>
      resolveFileEnv({ MARIADB_ROOT_PASSWORD_FILE: '/nope' }, rootfs),
    ).toThrow('MARIADB_ROOT_PASSWORD_FILE: /nope does not exist');
  });
});
