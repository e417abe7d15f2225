import {
  formatInstanceRef,
  isDnsLabel,
  MYSQL_CONFIG_HASH_ANNOTATION,
  MYSQL_INSTANCE_ANNOTATION,
  MYSQL_LABELS,
  MYSQL_MANAGED_BY,
  MYSQL_OWNER_ANNOTATION,
  MY_CNF_KEY,
  mysqlLabels,
  parseInstanceRef,
} from './constants';

describe('names', () => {
  it('has the values the other packages and the cluster rely on', () => {
    expect(MYSQL_INSTANCE_ANNOTATION).toBe('mysql.backstage.io/instance');
    expect(MYSQL_OWNER_ANNOTATION).toBe('mysql.backstage.io/owner');
    expect(MYSQL_CONFIG_HASH_ANNOTATION).toBe('mysql.backstage.io/config-hash');
    expect(MYSQL_MANAGED_BY).toBe('backstage-mysql');
    expect(MY_CNF_KEY).toBe('my.cnf');
    expect(MYSQL_LABELS).toEqual({
      name: 'app.kubernetes.io/name',
      instance: 'app.kubernetes.io/instance',
      managedBy: 'app.kubernetes.io/managed-by',
      kubernetesId: 'backstage.io/kubernetes-id',
    });
  });
});

describe('mysqlLabels', () => {
  it('labels an instance', () => {
    expect(mysqlLabels('orders-db')).toEqual({
      'app.kubernetes.io/name': 'mysql',
      'app.kubernetes.io/instance': 'orders-db',
      'app.kubernetes.io/managed-by': 'backstage-mysql',
      'backstage.io/kubernetes-id': 'orders-db',
    });
  });

  it('returns a fresh object each time', () => {
    const first = mysqlLabels('a');
    first.extra = 'x';
    expect(mysqlLabels('a')).not.toHaveProperty('extra');
  });
});

describe('instance refs', () => {
  it('formats and parses', () => {
    const ref = { cluster: 'microk8s', namespace: 'team-a', name: 'orders' };
    expect(formatInstanceRef(ref)).toBe('microk8s/team-a/orders');
    expect(parseInstanceRef('microk8s/team-a/orders')).toEqual(ref);
    expect(parseInstanceRef(formatInstanceRef(ref))).toEqual(ref);
  });

  it.each(['', 'a', 'a/b', 'a/b/c/d', '/b/c', 'a//c', 'a/b/', '//', '///'])(
    'refuses to parse %j',
    value => {
      expect(() => parseInstanceRef(value)).toThrow(
        /Invalid MySQL instance ref/,
      );
    },
  );

  it('refuses to parse a non-string', () => {
    expect(() => parseInstanceRef(undefined as unknown as string)).toThrow(
      /Invalid MySQL instance ref/,
    );
  });

  it.each([
    [{ cluster: '', namespace: 'n', name: 'x' }, 'cluster'],
    [{ cluster: 'c', namespace: '', name: 'x' }, 'namespace'],
    [{ cluster: 'c', namespace: 'n', name: '' }, 'name'],
    [{ cluster: 'c/d', namespace: 'n', name: 'x' }, 'cluster'],
    [{ cluster: 'c', namespace: 'n/m', name: 'x' }, 'namespace'],
    [{ cluster: 'c', namespace: 'n', name: 'x/y' }, 'name'],
  ])('refuses to format %j', (ref, part) => {
    expect(() => formatInstanceRef(ref)).toThrow(
      new RegExp(`Invalid MySQL instance ${part}`),
    );
  });
});

describe('isDnsLabel', () => {
  it.each(['a', '0', 'orders-db', 'a1-b2-c3', 'x'.repeat(63), '1abc'])(
    'accepts %j',
    value => {
      expect(isDnsLabel(value)).toBe(true);
    },
  );

  it.each([
    '',
    '-a',
    'a-',
    'A',
    'Orders',
    'a_b',
    'a.b',
    'a b',
    ' a',
    'a\n',
    'é',
    'x'.repeat(64),
  ])('refuses %j', value => {
    expect(isDnsLabel(value)).toBe(false);
  });

  it('honours a custom maximum length', () => {
    expect(isDnsLabel('abcde', 5)).toBe(true);
    expect(isDnsLabel('abcdef', 5)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isDnsLabel(42 as unknown as string)).toBe(false);
  });
});
