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
      min: 1,
      max: 100000,
      default: 151,
      apply: 'dynamic',
    });
    expect(getMysqlVariable('innodb_buffer_pool_size')).toMatchObject({
      type: 'size',
      min: 5242880,
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
      min: 262144,
      max: 4294967295,
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
      default: false,
      apply: 'restart',
    });
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
