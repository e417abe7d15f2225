import { parseMyCnf, renderMyCnf } from './myCnf';
import { formatSize } from './sizes';
import { MysqlConfigValue, validateMysqlConfig } from './validation';
import { getMysqlVariable, MysqlVariable, mysqlVariables } from './variables';

const HEADER =
  '# Managed by Backstage (mysql plugin): edit through the portal.';

// Test titles show inputs; keep huge or invisible ones readable.
function label(input: unknown): string {
  const text =
    typeof input === 'string' || (typeof input === 'object' && input !== null)
      ? JSON.stringify(input)
      : String(input);
  return text.length > 40
    ? `${text.slice(0, 40)}… (${text.length} chars)`
    : text;
}

describe('renderMyCnf', () => {
  it('renders known variables sorted by name', () => {
    expect(
      renderMyCnf({
        wait_timeout: 600,
        max_connections: '500',
        innodb_buffer_pool_size: '256m',
        slow_query_log: true,
        sql_mode: 'no_engine_substitution , strict_trans_tables',
      }),
    ).toBe(
      [
        HEADER,
        '[mysqld]',
        'innodb_buffer_pool_size = 256M',
        'max_connections = 500',
        'slow_query_log = ON',
        'sql_mode = STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION',
        'wait_timeout = 600',
        '',
      ].join('\n'),
    );
  });

  it('renders an empty configuration as an empty section', () => {
    expect(renderMyCnf({})).toBe(`${HEADER}\n[mysqld]\n`);
  });

  it('quotes an empty sql_mode', () => {
    const text = renderMyCnf({ sql_mode: '' });
    expect(text).toContain('\nsql_mode = ""\n');
    expect(parseMyCnf(text)).toEqual({ sql_mode: '' });
  });

  it('throws, listing every problem, on an invalid configuration', () => {
    expect(() =>
      renderMyCnf({ max_connections: 0, foo: 'bar', wait_timeout: 60 }),
    ).toThrow(
      'Invalid MySQL configuration: max_connections must be an integer between 10 and 5000; unknown variable "foo"',
    );
  });

  it('throws on a collation of another character set', () => {
    expect(() =>
      renderMyCnf({
        character_set_server: 'latin1',
        collation_server: 'utf8mb4_bin',
      }),
    ).toThrow(/collation_server "utf8mb4_bin" does not belong/);
  });
});

describe('renderMyCnf with hostile input', () => {
  const hostileValues: unknown[] = [
    '151\n',
    '151\nskip_grant_tables',
    '\n[client]\npassword=x',
    '151\r\n[client]\r\npassword=x',
    '151\rinit_file=/tmp/evil.sql',
    '151\u0000',
    '151\u000b',
    '151\u000c',
    '151\u2028skip_grant_tables',
    '151\u0085skip_grant_tables',
    '!include /etc/passwd',
    '!includedir /etc/mysql',
    ' !include /etc/passwd',
    '151 # comment',
    '151 ; comment',
    '"151"',
    "'151'",
    '151"\nskip_grant_tables\n"',
    'ON\\nskip_grant_tables',
    'ON\\',
    'a=b',
    '[client]',
    'x'.repeat(100000),
    `151${' '.repeat(2000)}`,
    'ünïcödé',
    '１５１',
    '151\u200b',
    '\ufeff151',
    '𝟏𝟓𝟏',
    null,
    undefined,
    {},
    [],
    ['151'],
    { toString: () => '151\n[client]' },
    NaN,
    Infinity,
  ];

  describe.each(mysqlVariables.map(variable => [variable.name] as const))(
    '%s',
    name => {
      it.each(hostileValues.map(value => ({ value, label: label(value) })))(
        'refuses $label',
        ({ value }) => {
          let output: string | undefined;
          expect(() => {
            output = renderMyCnf({ [name]: value as MysqlConfigValue });
          }).toThrow(/^Invalid MySQL configuration: /);
          expect(output).toBeUndefined();
        },
      );
    },
  );

  it('refuses the whole file when one value is hostile', () => {
    expect(() =>
      renderMyCnf({
        max_connections: 200,
        wait_timeout: 600,
        sql_mode: 'ANSI\n[client]\npassword=x',
      }),
    ).toThrow(/sql_mode must not contain control character U\+000A/);
  });

  it.each(
    [
      'max_connections\n[client]\npassword',
      'password',
      'init_file',
      'skip_grant_tables',
      '!include /etc/passwd',
      '# comment',
      '[client]',
      'max_connections = 1\nskip_grant_tables',
      'max-connections',
      'MAX_CONNECTIONS',
      '__proto__',
      'constructor',
      'x'.repeat(100000),
    ].map(key => ({ key, label: label(key) })),
  )('refuses the key $label', ({ key }) => {
    expect(() => renderMyCnf({ [key]: 1 })).toThrow(/unknown variable/);
  });

  it('does not echo a hostile key into its error on new lines', () => {
    let message = '';
    try {
      renderMyCnf({ 'a\n[client]\npassword=x': 1 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid MySQL configuration: unknown variable/);
    expect(message).not.toMatch(/[\r\n]/);
  });
});

// A small deterministic generator, so that a failure can be replayed.
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) =>
    min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  return { next, int, pick };
}

type Random = ReturnType<typeof random>;

function randomCase(rnd: Random, text: string): string {
  return rnd.pick([text, text.toUpperCase(), text.toLowerCase()]);
}

function randomValue(rnd: Random, variable: MysqlVariable): MysqlConfigValue {
  const min = variable.min ?? 0;
  const max = variable.max ?? 0;
  switch (variable.type) {
    case 'integer': {
      const value = rnd.pick([
        min,
        max,
        variable.default as number,
        rnd.int(min, max),
      ]);
      return rnd.pick([value, String(value)]);
    }
    case 'size': {
      const unit = rnd.pick([1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4]);
      const count = rnd.int(Math.ceil(min / unit), Math.floor(max / unit));
      const bytes =
        count * unit >= min && count * unit <= max
          ? count * unit
          : rnd.pick([min, max]);
      return rnd.pick<MysqlConfigValue>([
        bytes,
        String(bytes),
        formatSize(bytes),
        formatSize(bytes).toLowerCase(),
      ]);
    }
    case 'float': {
      const value =
        rnd.next() < 0.2
          ? rnd.pick([min, max])
          : Math.round((min + rnd.next() * Math.min(max - min, 100)) * 1000) /
            1000;
      return rnd.pick([value, String(value)]);
    }
    case 'boolean':
      return rnd.pick<MysqlConfigValue>([
        true,
        false,
        'ON',
        'off',
        'True',
        'false',
        '1',
        '0',
        1,
        0,
      ]);
    case 'enum':
      return randomCase(rnd, rnd.pick(variable.values!));
    case 'set': {
      const items = variable.values!.filter(() => rnd.next() < 0.3);
      const withDuplicate =
        items.length > 0 && rnd.next() < 0.3 ? [...items, items[0]] : items;
      return withDuplicate
        .map(item => randomCase(rnd, item))
        .join(rnd.pick([',', ', ', ' ,']));
    }
    default:
      return String(variable.default);
  }
}

function randomConfig(rnd: Random): Record<string, MysqlConfigValue> {
  const config: Record<string, MysqlConfigValue> = {};
  for (const variable of mysqlVariables) {
    if (rnd.next() < 0.6) {
      config[variable.name] = randomValue(rnd, variable);
    }
  }
  if (typeof config.collation_server === 'string') {
    const collation = config.collation_server.toLowerCase();
    const charsets = getMysqlVariable('character_set_server')!.values!;
    const charset =
      collation === 'binary'
        ? 'binary'
        : charsets.find(candidate => collation.startsWith(`${candidate}_`))!;
    if (rnd.next() < 0.7) {
      config.character_set_server = randomCase(rnd, charset);
    } else {
      delete config.character_set_server;
    }
  }
  return config;
}

describe('round trip', () => {
  const rnd = random(20250101);
  const configs = Array.from({ length: 500 }, () => randomConfig(rnd));

  it('generates varied configurations', () => {
    const sizes = new Set(configs.map(config => Object.keys(config).length));
    expect(sizes.size).toBeGreaterThan(5);
    for (const variable of mysqlVariables) {
      expect(configs.some(config => variable.name in config)).toBe(true);
    }
  });

  it('reads back exactly the normalized values', () => {
    for (const config of configs) {
      const validation = validateMysqlConfig(config);
      expect({ config, problems: validation.problems }).toEqual({
        config,
        problems: [],
      });
      const text = renderMyCnf(config);
      expect(parseMyCnf(text)).toEqual(validation.values);
    }
  });

  it('writes nothing but the header, the section and one line per variable', () => {
    for (const config of configs) {
      const lines = renderMyCnf(config).split('\n');
      expect(lines[0]).toBe(HEADER);
      expect(lines[1]).toBe('[mysqld]');
      expect(lines[lines.length - 1]).toBe('');
      const body = lines.slice(2, -1);
      expect(body).toHaveLength(Object.keys(config).length);
      const keys = body.map(line => {
        expect(line).toMatch(/^[a-z_0-9]+ = ("")?[A-Za-z0-9_.,]*$/);
        return line.split(' = ')[0];
      });
      expect(keys).toEqual([...keys].sort());
      expect(keys.every(key => getMysqlVariable(key))).toBe(true);
    }
  });

  it('is stable: rendering what was read gives the same text', () => {
    for (const config of configs.slice(0, 100)) {
      const text = renderMyCnf(config);
      expect(renderMyCnf(parseMyCnf(text))).toBe(text);
    }
  });
});

describe('parseMyCnf', () => {
  it('reads the [mysqld] section in its usual spellings', () => {
    expect(
      parseMyCnf(
        [
          '# a comment',
          '; another comment',
          '',
          '[mysqld]',
          'max_connections = 500',
          'wait_timeout=600',
          '  interactive_timeout   =   700  ',
          'skip-name-resolve',
          'innodb-buffer-pool-size = 1G',
          'sql_mode = "STRICT_TRANS_TABLES,ANSI"',
          "character_set_server = 'utf8mb4'",
          'long_query_time = 2 # seconds',
          'slow_query_log = ON ; not a comment here',
          'general_log # bare key, then a comment',
          'unknown_thing = kept',
        ].join('\n'),
      ),
    ).toEqual({
      max_connections: '500',
      wait_timeout: '600',
      interactive_timeout: '700',
      skip_name_resolve: 'ON',
      innodb_buffer_pool_size: '1G',
      sql_mode: 'STRICT_TRANS_TABLES,ANSI',
      character_set_server: 'utf8mb4',
      long_query_time: '2',
      slow_query_log: 'ON ; not a comment here',
      general_log: 'ON',
      unknown_thing: 'kept',
    });
  });

  it('reads only the [mysqld] section', () => {
    expect(
      parseMyCnf(
        [
          'max_connections = 1',
          '[client]',
          'password = secret',
          'port = 3306',
          '[mysqld]',
          'max_connections = 2',
          '[server]',
          'wait_timeout = 3',
          '[mysqld-8.4]',
          'wait_timeout = 4',
          '[mysqldump]',
          'quick',
          '[ mysqld ]',
          'table_open_cache = 5',
          '[MYSQLD]',
          'thread_cache_size = 6',
        ].join('\n'),
      ),
    ).toEqual({
      max_connections: '2',
      table_open_cache: '5',
      thread_cache_size: '6',
    });
  });

  it('skips include directives and keeps the section', () => {
    expect(
      parseMyCnf(
        [
          '[mysqld]',
          '!include /etc/passwd',
          '!includedir /etc/mysql/conf.d/',
          'max_connections = 10',
        ].join('\n'),
      ),
    ).toEqual({ max_connections: '10' });
  });

  it('handles CRLF, CR, repeated keys and empty keys', () => {
    expect(
      parseMyCnf(
        '[mysqld]\r\nmax_connections = 1\r\nmax_connections = 2\rwait_timeout = 3\n= 4\n  =\n',
      ),
    ).toEqual({ max_connections: '2', wait_timeout: '3' });
  });

  it('keeps quoted text whole, including comment characters', () => {
    expect(
      parseMyCnf(
        [
          '[mysqld]',
          'a = "x # y"',
          "b = 'p ; q'",
          'c = ""',
          'd = "unterminated',
          'e = "mixed\'',
          'f =',
        ].join('\n'),
      ),
    ).toEqual({
      a: 'x # y',
      b: 'p ; q',
      c: '',
      d: '"unterminated',
      e: '"mixed\'',
      f: '',
    });
  });

  it('returns nothing for an empty or section-less file', () => {
    expect(parseMyCnf('')).toEqual({});
    expect(parseMyCnf('max_connections = 1\n')).toEqual({});
  });

  it('makes __proto__ an ordinary key', () => {
    const values = parseMyCnf('[mysqld]\n__proto__ = x\n');
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.keys(values)).toEqual(['__proto__']);
  });
});
