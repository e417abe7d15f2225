import { checkVariableValue } from './validation';
import { getMysqlVariable, MysqlVariable, mysqlVariables } from './variables';

const REQUIRED = [
  'max_connections',
  'innodb_buffer_pool_size',
  'max_allowed_packet',
  'wait_timeout',
  'interactive_timeout',
  'slow_query_log',
  'long_query_time',
  'table_open_cache',
  'thread_cache_size',
  'tmp_table_size',
  'max_heap_table_size',
  'innodb_flush_log_at_trx_commit',
  'innodb_log_buffer_size',
  'sort_buffer_size',
  'join_buffer_size',
  'character_set_server',
  'collation_server',
  'sql_mode',
  'lower_case_table_names',
  'skip_name_resolve',
];

describe('mysqlVariables', () => {
  it('holds every variable the portal promises', () => {
    const names = mysqlVariables.map(variable => variable.name);
    for (const name of REQUIRED) {
      expect(names).toContain(name);
    }
  });

  it('has unique, lower-case snake_case names', () => {
    const names = mysqlVariables.map(variable => variable.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
    }
  });

  const ofTypes = (...types: MysqlVariable['type'][]) =>
    mysqlVariables
      .filter(variable => types.includes(variable.type))
      .map(variable => [variable.name, variable] as const);

  it.each(mysqlVariables.map(variable => [variable.name, variable] as const))(
    '%s is described on one line',
    (_name, variable) => {
      expect(variable.description).toMatch(/^[^\n]{10,120}$/);
    },
  );

  it.each(ofTypes('integer', 'size', 'float'))(
    '%s has a range around its default',
    (_name, variable) => {
      expect(variable).toEqual(
        expect.objectContaining({
          min: expect.any(Number),
          max: expect.any(Number),
          default: expect.any(Number),
        }),
      );
      expect(variable.values).toBeUndefined();
      expect(variable.min!).toBeLessThan(variable.max!);
      expect(Number.isSafeInteger(variable.max)).toBe(true);
      expect(variable.default).toBeGreaterThanOrEqual(variable.min!);
      expect(variable.default).toBeLessThanOrEqual(variable.max!);
    },
  );

  it.each(ofTypes('size'))('%s counts bytes', (_name, variable) => {
    expect(variable.unit).toBe('bytes');
    expect(Number.isSafeInteger(variable.default)).toBe(true);
  });

  it.each(ofTypes('enum', 'set'))(
    '%s lists distinct values',
    (_name, variable) => {
      expect(variable.values!.length).toBeGreaterThan(1);
      expect(new Set(variable.values).size).toBe(variable.values!.length);
      expect(variable.min).toBeUndefined();
      expect(variable.max).toBeUndefined();
    },
  );

  it.each(ofTypes('enum'))(
    '%s defaults to one of its values',
    (_name, variable) => {
      expect(variable.values).toContain(variable.default);
    },
  );

  it.each(ofTypes('set'))(
    '%s defaults to a subset of its values',
    (_name, variable) => {
      const items = String(variable.default).split(',');
      expect(items.filter(item => !variable.values!.includes(item))).toEqual(
        [],
      );
    },
  );

  it.each(ofTypes('boolean'))('%s defaults to a boolean', (_name, variable) => {
    expect(typeof variable.default).toBe('boolean');
  });

  it('carries MySQL 8.4 facts', () => {
    expect(getMysqlVariable('max_connections')).toMatchObject({
      type: 'integer',
      default: 151,
      apply: 'dynamic',
    });
    expect(getMysqlVariable('innodb_buffer_pool_size')).toMatchObject({
      type: 'size',
      default: 134217728,
      apply: 'dynamic',
    });
    expect(getMysqlVariable('max_allowed_packet')).toMatchObject({
      min: 1024,
      max: 1073741824,
      default: 67108864,
    });
    expect(getMysqlVariable('wait_timeout')).toMatchObject({
      min: 1,
      max: 31536000,
      default: 28800,
    });
    expect(getMysqlVariable('long_query_time')).toMatchObject({
      type: 'float',
      min: 0,
      default: 10,
    });
    expect(getMysqlVariable('innodb_log_buffer_size')).toMatchObject({
      default: 67108864,
      apply: 'restart',
    });
    expect(getMysqlVariable('collation_server')?.default).toBe(
      'utf8mb4_0900_ai_ci',
    );
    expect(getMysqlVariable('sql_mode')?.default).toBe(
      'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',
    );
    expect(getMysqlVariable('lower_case_table_names')?.apply).toBe('init');
    expect(getMysqlVariable('skip_name_resolve')).toMatchObject({
      type: 'boolean',
      default: true,
      apply: 'restart',
    });
  });

  // What the conformance test found on MySQL 9.7 and MariaDB 10.11: bounds
  // outside these are refused, changed or not honoured by one of them.
  it('keeps to the ranges both families honour', () => {
    expect(getMysqlVariable('max_connections')).toMatchObject({
      min: 10,
      max: 5000,
    });
    expect(getMysqlVariable('max_user_connections')?.max).toBe(2147483647);
    expect(getMysqlVariable('innodb_buffer_pool_size')).toMatchObject({
      min: 6 * 1024 * 1024,
      max: 8 * 1024 * 1024 * 1024,
    });
    expect(getMysqlVariable('innodb_log_buffer_size')).toMatchObject({
      min: 2 * 1024 * 1024,
      max: 1024 * 1024 * 1024,
    });
    expect(getMysqlVariable('table_open_cache')).toMatchObject({
      min: 10,
      max: 7000,
    });
    expect(getMysqlVariable('tmp_table_size')?.min).toBe(16384);
    expect(getMysqlVariable('lower_case_table_names')?.values).toEqual([
      '0',
      '1',
    ]);
  });

  it('fits max_connections and table_open_cache at their maxima in 20000 open files', () => {
    const connections = getMysqlVariable('max_connections')!.max!;
    const tables = getMysqlVariable('table_open_cache')!.max!;
    expect(connections + 2 * tables + 10).toBeLessThanOrEqual(20000);
    expect(getMysqlVariable('thread_cache_size')!.max).toBe(connections);
  });

  it('carries MariaDB 10.11 defaults where they differ', () => {
    const mariadb = Object.fromEntries(
      mysqlVariables
        .filter(v => v.defaultBy?.mariadb !== undefined)
        .map(v => [v.name, v.defaultBy!.mariadb]),
    );
    expect(mariadb).toEqual({
      innodb_log_buffer_size: 16777216,
      max_allowed_packet: 16777216,
      table_open_cache: 2000,
      table_definition_cache: 400,
      thread_cache_size: 151,
      sort_buffer_size: 2097152,
      character_set_server: 'latin1',
      collation_server: 'latin1_swedish_ci',
      sql_mode:
        'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION',
    });
    expect(mysqlVariables.some(v => v.defaultBy?.mysql !== undefined)).toBe(
      false,
    );
  });

  it.each(
    mysqlVariables.flatMap(variable =>
      (['mysql', 'mariadb'] as const).map(
        family => [variable.name, family, variable] as const,
      ),
    ),
  )(
    '%s defaults, on %s, to a value of its own that the family takes',
    (_name, family, variable) => {
      const value = variable.defaultBy?.[family] ?? variable.default;
      expect(checkVariableValue(variable, value).problem).toBeUndefined();
      const refused = variable.refusedBy?.[family] ?? [];
      for (const part of String(value).split(',')) {
        expect(refused).not.toContain(part);
      }
    },
  );

  it.each(
    mysqlVariables
      .filter(v => v.refusedBy)
      .map(variable => [variable.name, variable] as const),
  )('%s marks only its own values as refused', (_name, variable) => {
    for (const refused of Object.values(variable.refusedBy!)) {
      for (const value of refused) expect(variable.values).toContain(value);
    }
  });

  it('gives every collation a character set it belongs to', () => {
    const charsets = getMysqlVariable('character_set_server')!.values!;
    for (const collation of getMysqlVariable('collation_server')!.values!) {
      expect(
        charsets.some(
          charset =>
            collation.startsWith(`${charset}_`) ||
            (collation === 'binary' && charset === 'binary'),
        ),
      ).toBe(true);
    }
  });
});

describe('getMysqlVariable', () => {
  it('finds a variable by name', () => {
    expect(getMysqlVariable('max_connections')?.name).toBe('max_connections');
  });

  it.each([
    '',
    'foo',
    'MAX_CONNECTIONS',
    'max-connections',
    '__proto__',
    'toString',
  ])('knows nothing of %j', name => {
    expect(getMysqlVariable(name)).toBeUndefined();
  });
});
