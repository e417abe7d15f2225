import { checkMysqlUpgrade } from './upgrades';

describe('checkMysqlUpgrade', () => {
  it.each([
    ['mysql:8.4.3', 'mysql:8.4.5', 'patch'],
    ['mysql:8.4', 'mysql:8.4.5', 'patch'],
    ['mysql:8.4.5', 'mysql:8.4', 'patch'],
    ['mysql:8.0', 'mysql:8.4', 'series'],
    ['mysql:8.4', 'mysql:9.7', 'series'],
    ['mysql:8.4.3', 'mysql:9.7.4', 'series'],
    ['mysql:9.5', 'mysql:9.6', 'series'],
    ['mysql:9.5', 'mysql:9.7', 'series'],
    ['percona:8.0', 'mysql:8.4', 'series'],
    ['mariadb:10.11', 'mariadb:10.11.19', 'patch'],
    ['mariadb:10.11', 'mariadb:11.4', 'series'],
    ['mariadb:10.11', 'mariadb:11.8', 'series'],
    [
      'registry.local:5000/mysql:8.4',
      'registry.local:5000/mysql:9.7',
      'series',
    ],
  ])('allows %s to %s (%s)', (from, to, kind) => {
    expect(checkMysqlUpgrade(from, to)).toEqual({ allowed: true, kind });
  });

  it.each([
    ['mysql:9.7', 'mysql:8.4', 'downgrades are not supported'],
    ['mysql:8.4.5', 'mysql:8.4.3', 'downgrades are not supported'],
    ['mysql:8.0', 'mysql:9.7', 'MySQL 8.0 upgrades to 8.4, not 9.7'],
    ['mysql:8.4', 'mysql:9.1', 'MySQL 8.4 upgrades to 9.7, not 9.1'],
    ['mysql:9.7', 'mysql:9.8', 'no upgrade path from MySQL 9.7'],
    ['mysql:8.4', 'mariadb:11.8', 'runs mariadb, not mysql'],
    ['mariadb:11.8', 'mysql:9.7', 'runs mysql, not mariadb'],
    ['mysql:8.4', 'nginx:1.27', 'runs an unknown server'],
    ['mysql:8.4', 'mysql:latest', 'not the tag "latest"'],
    ['mysql:latest', 'mysql:9.7', 'names no version'],
    ['mariadb:11.8', 'mariadb:10.11', 'downgrades are not supported'],
    ['mariadb:10.11', 'mariadb:11.2', 'not such a path'],
  ])('refuses %s to %s', (from, to, reason) => {
    const check = checkMysqlUpgrade(from, to);
    expect(check.allowed).toBe(false);
    expect(check.allowed === false && check.reason).toContain(reason);
    expect(check.allowed === false && check.reason).toMatch(/^image: /);
  });
});
