import {
  MysqlServerVersion,
  parseImageVersion,
  parseServerVersion,
  versionMatchesImage,
} from './version';

describe('parseServerVersion', () => {
  it.each([
    ['8.4.3', undefined, 'mysql', '8.4.3'],
    ['8.4.3', 'MySQL Community Server - GPL', 'mysql', '8.4.3'],
    ['8.0.36', 'MySQL Community Server - GPL', 'mysql', '8.0.36'],
    ['5.7.44-log', undefined, 'mysql', '5.7.44'],
    ['8.0.36-0ubuntu0.22.04.1', '(Ubuntu)', 'mysql', '8.0.36'],
    [
      '9.1.0-commercial',
      'MySQL Enterprise Server - Commercial',
      'mysql',
      '9.1.0',
    ],
    ['8.0.36-28', undefined, 'percona', '8.0.36'],
    [
      '8.0.36-28',
      'Percona Server (GPL), Release 28, Revision 47601f19',
      'percona',
      '8.0.36',
    ],
    ['8.4.2-2', undefined, 'percona', '8.4.2'],
    ['5.7.44-48-log', undefined, 'percona', '5.7.44'],
    ['8.0.36-28.1', 'Percona XtraDB Cluster (GPL)', 'percona', '8.0.36'],
    ['8.0.36', 'Percona Server (GPL), Release 28', 'percona', '8.0.36'],
    ['10.11.19-MariaDB-0+deb12u1', undefined, 'mariadb', '10.11.19'],
    ['10.11.19-MariaDB-0+deb12u1', 'Debian 12', 'mariadb', '10.11.19'],
    ['11.4.2-MariaDB', undefined, 'mariadb', '11.4.2'],
    [
      '10.6.16-MariaDB-log',
      'mariadb.org binary distribution',
      'mariadb',
      '10.6.16',
    ],
    ['10.11.6', 'MariaDB Server', 'mariadb', '10.11.6'],
    ['5.5.5-10.11.6-MariaDB-0+deb12u1', undefined, 'mariadb', '10.11.6'],
    [' 8.4.3 ', undefined, 'mysql', '8.4.3'],
  ])('reads %j (%j) as %s %s', (raw, comment, flavor, version) => {
    const parsed = parseServerVersion(raw, comment);
    const [major, minor, patch] = version.split('.').map(Number);
    expect(parsed).toEqual({ flavor, major, minor, patch, version, raw });
  });

  it('normalizes leading zeros in the numeric version', () => {
    expect(parseServerVersion('08.04.03')).toMatchObject({
      version: '8.4.3',
      major: 8,
      minor: 4,
      patch: 3,
    });
  });

  it.each([
    '',
    ' ',
    'garbage',
    '8',
    '8.4',
    '8.4.',
    '8.4.x',
    'v8.4.3',
    '8.4.3abc',
    '8.4.3 MySQL',
    'MariaDB 10.11.6',
    '8.4.3\n',
    '8.4.3\nDROP',
    '-8.4.3',
    '8..4.3',
    '12345.1.1',
  ])('returns undefined for %j', value => {
    expect(parseServerVersion(value)).toBeUndefined();
  });

  it('returns undefined for a non-string', () => {
    expect(parseServerVersion(undefined as unknown as string)).toBeUndefined();
    expect(parseServerVersion(84 as unknown as string)).toBeUndefined();
  });
});

describe('parseImageVersion', () => {
  it.each([
    ['mysql:8.4', 'mysql', '8.4'],
    ['mysql', 'mysql', 'latest'],
    ['mysql:latest', 'mysql', 'latest'],
    ['docker.io/library/mysql:8.0.36', 'docker.io/library/mysql', '8.0.36'],
    [
      'registry.example.com:5000/percona/percona-server:8.0.36',
      'registry.example.com:5000/percona/percona-server',
      '8.0.36',
    ],
    [
      'registry.example.com:5000/percona/percona-server',
      'registry.example.com:5000/percona/percona-server',
      'latest',
    ],
    ['mariadb:10.11', 'mariadb', '10.11'],
    ['bitnami/mysql:8.4.3-debian-12-r0', 'bitnami/mysql', '8.4.3-debian-12-r0'],
    [
      'mysql:8.4@sha256:0123456789abcdef',
      'mysql',
      '8.4@sha256:0123456789abcdef',
    ],
    ['mysql@sha256:0123456789abcdef', 'mysql', '@sha256:0123456789abcdef'],
    ['localhost:5000/mysql@sha256:abc', 'localhost:5000/mysql', '@sha256:abc'],
    [' mysql:8.4 ', 'mysql', '8.4'],
    ['', '', 'latest'],
  ])('splits %j', (image, repository, tag) => {
    expect(parseImageVersion(image)).toEqual({ repository, tag });
  });
});

function server(
  flavor: MysqlServerVersion['flavor'],
  version: string,
): MysqlServerVersion {
  const [major, minor, patch] = version.split('.').map(Number);
  return { flavor, major, minor, patch, version, raw: version };
}

describe('versionMatchesImage', () => {
  it.each([
    [server('mysql', '8.4.3'), 'mysql:8.4'],
    [server('mysql', '8.4.3'), 'mysql:8'],
    [server('mysql', '8.4.3'), 'mysql:8.4.3'],
    [server('mysql', '8.4.3'), 'mysql:8.4.3-oraclelinux9'],
    [server('mysql', '8.4.3'), 'mysql:8.4-oracle'],
    [server('mysql', '8.4.3'), 'mysql'],
    [server('mysql', '8.4.3'), 'mysql:latest'],
    [server('mysql', '8.4.3'), 'mysql:lts'],
    [server('mysql', '8.4.3'), 'mysql@sha256:abc'],
    [server('mysql', '8.4.3'), 'mysql:8.4@sha256:abc'],
    [server('mysql', '8.4.3'), 'docker.io/library/mysql:8.4'],
    [server('mysql', '8.4.3'), 'bitnami/mysql:8.4.3-debian-12-r0'],
    [server('percona', '8.4.2'), 'mysql:8.4'],
    [server('percona', '8.0.36'), 'percona/percona-server:8.0.36-28'],
    [server('percona', '8.0.36'), 'percona:8.0'],
    [server('mysql', '8.0.36'), 'percona/percona-server:8.0'],
    [server('mariadb', '10.11.19'), 'mariadb:10.11'],
    [server('mariadb', '10.11.19'), 'mariadb:10'],
    [server('mariadb', '10.11.19'), 'mariadb:10.11.19-jammy'],
    [server('mariadb', '11.4.2'), 'mariadb:latest'],
    [server('mariadb', '11.4.2'), 'docker.io/library/mariadb'],
    [server('mariadb', '10.11.19'), 'registry.local:5000/db/server:10.11'],
  ])('%j runs %s', (version, image) => {
    expect(versionMatchesImage(version, image)).toBe(true);
  });

  it.each([
    [server('mysql', '8.0.36'), 'mysql:8.4'],
    [server('mysql', '8.4.3'), 'mysql:8.0'],
    [server('mysql', '8.4.3'), 'mysql:9'],
    [server('mysql', '8.4.3'), 'mysql:8.4.4'],
    [server('mysql', '8.4.3'), 'mysql:8.40'],
    [server('mariadb', '10.11.19'), 'mysql:8.4'],
    [server('mariadb', '10.11.19'), 'mysql'],
    [server('mariadb', '10.11.19'), 'percona/percona-server:8.0'],
    [server('mariadb', '10.11.19'), 'percona/percona-server'],
    [server('mariadb', '11.4.2'), 'bitnami/mysql:latest'],
    [server('mysql', '8.4.3'), 'mariadb:10.11'],
    [server('percona', '8.0.36'), 'mariadb'],
    [server('mariadb', '10.11.19'), 'mariadb:11.4'],
    [server('mariadb', '10.11.19'), 'mariadb:10.6'],
    [server('mysql', '8.4.3'), 'registry.local:5000/db/server:10.11'],
  ])('%j does not run %s', (version, image) => {
    expect(versionMatchesImage(version, image)).toBe(false);
  });

  it('judges a real MariaDB answer against a MySQL image', () => {
    const parsed = parseServerVersion('10.11.19-MariaDB-0+deb12u1')!;
    expect(versionMatchesImage(parsed, 'mysql:8.4')).toBe(false);
    expect(versionMatchesImage(parsed, 'mariadb:10.11')).toBe(true);
  });
});
