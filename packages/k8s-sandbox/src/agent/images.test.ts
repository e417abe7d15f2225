import {
  clientRuntime,
  containerCommand,
  runsServer,
  serverRuntime,
} from './images';

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

describe('containerCommand', () => {
  it('runs a command of its own when command is set, or args that do not start the server', () => {
    const dump = ['sh', '-c', 'mysqldump … | gzip > /backup/x.sql.gz'];
    expect(
      containerCommand({
        image: 'mysql:9.7',
        command: ['sh', '-c'],
        args: [dump[2]],
      }),
    ).toEqual(dump);
    expect(containerCommand({ image: 'mariadb:11.8', args: dump })).toEqual(
      dump,
    );
  });

  it('runs the server as the images’ entrypoint would', () => {
    for (const container of [
      { image: 'mysql:9.7' },
      { image: 'mysql:9.7', args: ['--max-connections=10'] },
      { image: 'mariadb:11.8', args: ['mariadbd', '--port=3307'] },
      { image: 'mysql:8.4', command: ['docker-entrypoint.sh', 'mysqld'] },
      { image: 'mysql:8.4', command: ['/usr/sbin/mysqld'] },
    ]) {
      expect(containerCommand(container)).toBeUndefined();
    }
  });

  it('leaves other images alone', () => {
    expect(
      containerCommand({ image: 'busybox', command: ['sh', '-c', 'true'] }),
    ).toBeUndefined();
  });
});

describe('clientRuntime', () => {
  const rootfsFiles = new Set(
    ['mysql', 'mysqldump', 'mysqladmin'].map(
      name => `/cache/debian-sid-mysql/usr/bin/${name}`,
    ),
  );
  const hostFiles = new Set(
    ['mariadb', 'mariadb-dump', 'mariadb-admin'].map(
      name => `/usr/bin/${name}`,
    ),
  );
  const exists = (file: string) => rootfsFiles.has(file) || hostFiles.has(file);

  it('gives mysql images the MySQL clients of the root filesystem, and bash as sh', () => {
    const runtime = clientRuntime('mysql:9.7', withRootfs, exists);
    expect(runtime.family).toBe('mysql');
    expect(runtime.imageID).toBe(
      'sandbox://debian-sid/mysql-client-core@9.7.4-2',
    );
    expect(runtime.mounts).toEqual([
      { source: '/cache/debian-sid-mysql', target: '/.sandbox/mysql' },
    ]);
    expect(Object.keys(runtime.programs).sort()).toEqual([
      'mysql',
      'mysqladmin',
      'mysqldump',
      'sh',
    ]);
    expect(runtime.programs.mysqldump).toEqual([
      '/.sandbox/mysql/lib64/ld-linux-x86-64.so.2',
      '--library-path',
      '/.sandbox/mysql/usr/lib/x86_64-linux-gnu:/.sandbox/mysql/lib/x86_64-linux-gnu',
      '--argv0',
      'mysqldump',
      '/.sandbox/mysql/usr/bin/mysqldump',
    ]);
    expect(runtime.programs.sh).toEqual(['/bin/bash', '--posix']);
  });

  it("gives mariadb images the machine's MariaDB clients under both names", () => {
    const runtime = clientRuntime('mariadb:11.8', withRootfs, exists);
    expect(runtime).toMatchObject({ family: 'mariadb', mounts: [] });
    expect(runtime.programs).toEqual({
      mariadb: ['/usr/bin/mariadb'],
      mysql: ['/usr/bin/mariadb'],
      'mariadb-dump': ['/usr/bin/mariadb-dump'],
      mysqldump: ['/usr/bin/mariadb-dump'],
      'mariadb-admin': ['/usr/bin/mariadb-admin'],
      mysqladmin: ['/usr/bin/mariadb-admin'],
    });
  });

  it('falls back to MariaDB clients for mysql images without the MySQL clients, and says why', () => {
    const runtime = clientRuntime('mysql:9.7', withRootfs, file =>
      hostFiles.has(file),
    );
    expect(runtime).toMatchObject({
      family: 'mariadb',
      imageID: 'sandbox://debian-bookworm/mariadb-client;fallback',
      fallback: 'no MySQL clients in the MySQL root filesystem',
    });
  });
});
