import {
  clientRuntime,
  containerCommand,
  isCurlImage,
  pullError,
  runsServer,
  serverRuntime,
  serverVersions,
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

  it('runs curl images’ commands, and curl itself as their entrypoint does', () => {
    const upload = ['sh', '-c', 'curl -T /work/x "$S3_URL/x"'];
    for (const image of [
      'curlimages/curl:8.11.1',
      'docker.io/curlimages/curl:latest',
      'registry.example.com/mirror/curl@sha256:abc',
    ]) {
      expect(isCurlImage(image)).toBe(true);
      expect(containerCommand({ image, command: upload })).toEqual(upload);
    }
    const image = 'curlimages/curl:8.11.1';
    expect(containerCommand({ image, args: ['-sS', 'http://x/'] })).toEqual([
      'curl',
      '-sS',
      'http://x/',
    ]);
    expect(containerCommand({ image, args: ['http://x/'] })).toEqual([
      'curl',
      'http://x/',
    ]);
    expect(containerCommand({ image })).toEqual(['curl']);
    expect(isCurlImage('curlimages/curl-base:8')).toBe(false);
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

describe('clientRuntime of curl images', () => {
  it('gives them the curl of the sid root filesystem, which signs S3 requests', () => {
    const runtime = clientRuntime(
      'curlimages/curl:8.11.1',
      withRootfs,
      file => file === '/cache/debian-sid-mysql/usr/bin/curl',
    );
    expect(runtime).toEqual({
      family: 'curl',
      imageID: 'sandbox://debian-sid/curl',
      programs: {
        curl: [
          '/.sandbox/mysql/lib64/ld-linux-x86-64.so.2',
          '--library-path',
          '/.sandbox/mysql/usr/lib/x86_64-linux-gnu:/.sandbox/mysql/lib/x86_64-linux-gnu',
          '--argv0',
          'curl',
          '/.sandbox/mysql/usr/bin/curl',
        ],
      },
      mounts: [
        { source: '/cache/debian-sid-mysql', target: '/.sandbox/mysql' },
      ],
    });
  });

  it("falls back to the machine's curl without it, and says why", () => {
    const runtime = clientRuntime('curlimages/curl', {}, () => false);
    expect(runtime).toMatchObject({
      family: 'curl',
      imageID: 'sandbox://debian-bookworm/curl;fallback',
      programs: {},
      fallback: expect.stringMatching(/no curl in the sid root filesystem/),
    });
  });
});

describe('pullError', () => {
  const versions = { mysql: '9.7.4', mariadb: '10.11.19' };

  it('pulls tags without a patch version, and the full versions the sandbox has', () => {
    for (const image of [
      'mysql:9.7',
      'mysql:8.4',
      'mysql',
      'mysql:latest',
      'mysql:lts',
      'mysql:9.7.4',
      'mysql:9.7.4-oraclelinux9',
      'mysql@sha256:abc',
      'mariadb:11.8',
      'mariadb:10.11.19',
      'docker.io/library/mariadb:10.11.19-jammy',
      'curlimages/curl:8.11.1',
      'busybox:1.36.1',
      undefined,
    ]) {
      expect(pullError(image, versions)).toBeUndefined();
    }
  });

  it('cannot pull a full version it does not have, and says which it has', () => {
    expect(pullError('mysql:9.7.5', versions)).toBe(
      'failed to pull image "mysql:9.7.5": the sandbox has no MySQL 9.7.5; it runs ' +
        'MySQL 9.7.4 (mysql:9.7.4) and MariaDB 10.11.19 (mariadb:10.11.19), and tags ' +
        'without a patch version (mysql:9.7, mariadb:11.8, latest) stand for those',
    );
    expect(pullError('mysql:8.4.3', versions)).toMatch(/no MySQL 8\.4\.3;/);
    expect(pullError('percona/percona-server:8.0.36', versions)).toMatch(
      /no MySQL 8\.0\.36;/,
    );
    expect(pullError('mariadb:11.8.2-noble', versions)).toMatch(
      /no MariaDB 11\.8\.2;/,
    );
    // Without the MySQL root filesystem no MySQL version can be pulled.
    expect(pullError('mysql:9.7.4', { mariadb: '10.11.19' })).toMatch(
      /no MySQL 9\.7\.4; it runs MariaDB 10\.11\.19 \(mariadb:10\.11\.19\), and/,
    );
  });
});

describe('serverVersions', () => {
  it("takes MySQL's from the root filesystem's package and MariaDB's from the machine", () => {
    const versions = serverVersions(withRootfs);
    expect(versions.mysql).toBe('9.7.4');
    expect(versions.mariadb).toMatch(/^\d+\.\d+\.\d+$/);
    expect(serverVersions({}).mysql).toBeUndefined();
  });
});
