import { runsServer, serverRuntime } from './images';

const withRootfs = {
  SANDBOX_MYSQL_ROOTFS: '/cache/debian-sid-mysql',
  SANDBOX_MYSQL_VERSION: '9.7.4-2',
};

describe('serverRuntime', () => {
  it('runs mysql and percona images, any registry and tag, as the real MySQL of the root filesystem', () => {
    for (const image of [
      'mysql:8.4',
      'docker.io/library/mysql:9.7',
      'percona/percona-server:8.0@sha256:abc',
    ]) {
      const runtime = serverRuntime(image, withRootfs);
      expect(runtime.family).toBe('mysql');
      expect(runtime.imageID).toBe(
        'sandbox://debian-sid/mysql-server-core@9.7.4-2',
      );
      expect(runtime.command).toEqual([
        '/cache/debian-sid-mysql/lib64/ld-linux-x86-64.so.2',
        '--library-path',
        '/cache/debian-sid-mysql/usr/lib/x86_64-linux-gnu:/cache/debian-sid-mysql/lib/x86_64-linux-gnu',
        '/cache/debian-sid-mysql/usr/sbin/mysqld',
      ]);
      expect(runtime.settings).toContain('mysqlx=OFF');
    }
  });

  it("runs mariadb images as the machine's MariaDB", () => {
    const runtime = serverRuntime('mariadb:10.11', withRootfs);
    expect(runtime).toMatchObject({
      family: 'mariadb',
      command: ['/usr/sbin/mariadbd'],
    });
    expect(runtime.fallback).toBeUndefined();
  });

  it('falls back to MariaDB without the root filesystem, and says why', () => {
    const runtime = serverRuntime('mysql:9.7', {
      SANDBOX_MYSQL_UNAVAILABLE: 'debootstrap needs root',
    });
    expect(runtime).toMatchObject({
      family: 'mariadb',
      imageID: 'sandbox://debian-bookworm/mariadb-server;fallback',
      fallback: 'debootstrap needs root',
    });
  });
});

describe('runsServer', () => {
  it('knows the server images and nothing else', () => {
    expect(runsServer('mysql:8.4')).toBe(true);
    expect(runsServer('mariadb:11')).toBe(true);
    expect(runsServer('busybox:1.36')).toBe(false);
    expect(runsServer(undefined)).toBe(false);
  });
});
