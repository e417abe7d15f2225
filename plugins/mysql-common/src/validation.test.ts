import { formatSize } from './sizes';
import {
  sameMysqlValue,
  checkVariableValue,
  validateMysqlConfig,
  validateMysqlVariable,
} from './validation';
import { MysqlVariable, mysqlVariables } from './variables';

const byType = (type: MysqlVariable['type']) =>
  mysqlVariables
    .filter(variable => variable.type === type)
    .map(variable => [variable.name, variable] as const);

// Test titles show inputs; keep huge or invisible ones readable.
function label(input: unknown): string {
  const text = input === undefined ? 'undefined' : JSON.stringify(input);
  return text.length > 40
    ? `${text.slice(0, 40)}… (${text.length} chars)`
    : text;
}

function accepting(cases: Array<[input: unknown, normalized: string]>) {
  return cases.map(([input, normalized]) => ({
    label: label(input),
    input,
    normalized,
  }));
}

function refusing(inputs: unknown[]) {
  return inputs.map(input => ({ label: label(input), input }));
}

const HOSTILE_STRINGS = [
  '1\n',
  '151\nskip_grant_tables',
  '\n[client]\npassword=x',
  '1\r\n[mysqld]',
  '1\rinit_file=/tmp/x',
  '1\u0000',
  '1\t',
  '\u001b[31m',
  '1\u007f',
  '!include /etc/passwd',
  '!includedir /etc',
  '  !include /etc/passwd',
  '1 # comment',
  '#1',
  '1;',
  '; drop',
  '[client]',
  'ON]',
  '"1"',
  "'1'",
  '1\\',
  '\\n',
  'a=b',
  '=1',
  'x'.repeat(100000),
  '1'.repeat(1025),
];

describe.each(byType('integer'))('integer %s', (name, variable) => {
  const min = variable.min!;
  const max = variable.max!;
  const message = `${name} must be an integer between ${min} and ${max}`;

  it.each(
    accepting([
      [min, String(min)],
      [String(min), String(min)],
      [max, String(max)],
      [String(max), String(max)],
      [` ${max} `, String(max)],
      [`00${min}`, String(min)],
      [variable.default, String(variable.default)],
    ]),
  )('accepts $label', ({ input, normalized }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ value: normalized });
  });

  it.each(
    refusing([
      min - 1,
      String(min - 1),
      max + 1,
      String(max + 1),
      min + 0.5,
      `${min}.5`,
      `${min}.0`,
      '',
      '0x10',
      '1e3',
      '1K',
      '+1',
      '1 0',
      '１',
      true,
      null,
      undefined,
      NaN,
      Infinity,
      [min],
      { value: min },
      '99999999999999999999999',
    ]),
  )('refuses $label', ({ input }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ problem: message });
  });
});

describe.each(byType('size'))('size %s', (name, variable) => {
  const min = variable.min!;
  const max = variable.max!;
  const fallback = variable.default as number;
  const message = `${name} must be a size between ${formatSize(
    min,
  )} and ${formatSize(
    max,
  )} bytes (an integer, optionally with a K, M, G or T suffix)`;

  it.each(
    accepting([
      [min, String(min)],
      [String(min), String(min)],
      [formatSize(min), formatSize(min)],
      [formatSize(min).toLowerCase(), formatSize(min)],
      [max, String(max)],
      [String(max), String(max)],
      [formatSize(max), formatSize(max)],
      [fallback, String(fallback)],
      [formatSize(fallback), formatSize(fallback)],
      [` ${formatSize(fallback)} `, formatSize(fallback)],
    ]),
  )('accepts $label', ({ input, normalized }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ value: normalized });
  });

  it.each(
    refusing([
      // Every minimum in the catalogue is above zero.
      min - 1,
      String(min - 1),
      max + 1,
      String(max + 1),
      formatSize(max * 2),
      '1.5M',
      '-1M',
      '1 M',
      '1MB',
      '1P',
      'M',
      '',
      true,
      null,
      [1024],
      1.5,
      -1,
    ]),
  )('refuses $label', ({ input }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ problem: message });
  });
});

describe.each(byType('float'))('float %s', (name, variable) => {
  const min = variable.min!;
  const max = variable.max!;
  const message = `${name} must be a decimal number between ${min} and ${max}`;

  it.each(
    accepting([
      [min, String(min)],
      [String(min), String(min)],
      [max, String(max)],
      [String(max), String(max)],
      [`${max}.0`, String(max)],
      [variable.default, String(variable.default)],
      [min + 0.5, String(min + 0.5)],
      [`${min}.250`, String(min + 0.25)],
    ]),
  )('accepts $label', ({ input, normalized }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ value: normalized });
  });

  it.each(
    refusing([
      min - 0.001,
      String(min - 0.001),
      max + 0.001,
      `${max}.001`,
      '1e3',
      '1e-7',
      1e-7,
      '.5',
      '5.',
      '1,5',
      '',
      'ten',
      true,
      null,
      NaN,
      Infinity,
    ]),
  )('refuses $label', ({ input }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ problem: message });
  });
});

describe.each(byType('boolean'))('boolean %s', name => {
  it.each(
    accepting([
      [true, 'ON'],
      [false, 'OFF'],
      ['ON', 'ON'],
      ['on', 'ON'],
      ['On', 'ON'],
      ['OFF', 'OFF'],
      ['off', 'OFF'],
      ['true', 'ON'],
      ['TRUE', 'ON'],
      ['false', 'OFF'],
      ['1', 'ON'],
      ['0', 'OFF'],
      [1, 'ON'],
      [0, 'OFF'],
    ]),
  )('reads $label as $normalized', ({ input, normalized }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ value: normalized });
  });

  it.each(refusing(['', 'yes', 'no', '2', 2, -1, 'onn', null, [true]]))(
    'refuses $label',
    ({ input }) => {
      expect(validateMysqlVariable(name, input)).toEqual({
        problem: `${name} must be ON or OFF (also true/false or 1/0)`,
      });
    },
  );
});

describe.each(byType('enum'))('enum %s', (name, variable) => {
  const values = variable.values!;
  const message = `${name} must be one of ${values.join(', ')}`;

  it.each(
    accepting(
      values.flatMap(value => [
        [value, value] as [string, string],
        [value.toUpperCase(), value] as [string, string],
        [` ${value} `, value] as [string, string],
      ]),
    ),
  )('accepts $label', ({ input, normalized }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ value: normalized });
  });

  it.each(
    accepting(
      values
        .filter(value => /^\d+$/.test(value))
        .map(value => [Number(value), value] as [number, string]),
    ).concat(accepting([[variable.default, String(variable.default)]])),
  )('accepts $label', ({ input, normalized }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ value: normalized });
  });

  it.each(
    refusing([
      'nope',
      '',
      `${values[0]}x`,
      `${values[0]},${values[1]}`,
      '3',
      3,
      -1,
      true,
      null,
    ]),
  )('refuses $label', ({ input }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ problem: message });
  });
});

describe.each(byType('set'))('set %s', (name, variable) => {
  const values = variable.values!;
  const [first, second] = values;

  it.each(
    accepting([
      ...values.map(value => [value, value] as [string, string]),
      ...values.map(value => [value.toLowerCase(), value] as [string, string]),
      ['', ''],
      [values.join(','), values.join(',')],
      [[...values].reverse().join(', '), values.join(',')],
      [` ${second.toLowerCase()} , ${first}, ${second} `, `${first},${second}`],
      [variable.default, String(variable.default)],
    ]),
  )('accepts $label', ({ input, normalized }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ value: normalized });
  });

  it.each(refusing(['NOPE', `${first},NOPE`, `${first},`, ',', 1.5]))(
    'refuses the unknown member in $label',
    ({ input }) => {
      expect(validateMysqlVariable(name, input)).toEqual({
        problem: expect.stringMatching(
          new RegExp(`^${name} has an unknown value .*; allowed: ${first}, `),
        ),
      });
    },
  );

  it.each(refusing([true, null, {}]))('refuses $label', ({ input }) => {
    expect(validateMysqlVariable(name, input)).toEqual({
      problem: `${name} must be a comma-separated list of ${values.join(', ')}`,
    });
  });
});

describe.each(
  mysqlVariables.map(variable => [variable.name, variable] as const),
)('every variable: %s', (name, variable) => {
  it.each(refusing(HOSTILE_STRINGS))('refuses hostile $label', ({ input }) => {
    expect(validateMysqlVariable(name, input)).toEqual({
      problem: expect.stringContaining(name),
    });
  });

  it.each(
    [
      ['1\n', `${name} must not contain control character U+000A`],
      ['1\u0000', `${name} must not contain control character U+0000`],
      ['1\u007f', `${name} must not contain control character U+007F`],
      ['1#', `${name} must not contain "#"`],
      ['1=', `${name} must not contain "="`],
      ['1\\', `${name} must not contain "\\"`],
      ['!1', `${name} must not start with "!"`],
      [' !1', `${name} must not start with "!"`],
      ['x'.repeat(1025), `${name} must be at most 1024 characters long`],
    ].map(([input, problem]) => ({ input, problem, label: label(input) })),
  )('names the reason it refuses $label', ({ input, problem }) => {
    expect(validateMysqlVariable(name, input)).toEqual({ problem });
  });

  it('accepts its own default', () => {
    expect(validateMysqlVariable(name, variable.default)).toEqual({
      value: expect.stringMatching(/^[A-Za-z0-9_.,]*$/),
    });
  });
});

describe('string values', () => {
  const variable: MysqlVariable = {
    name: 'test_string',
    type: 'string',
    default: '',
    apply: 'dynamic',
    description: 'A string variable for tests.',
  };

  it.each(
    accepting([
      ['Europe/Paris', 'Europe/Paris'],
      [' +00:00 ', '+00:00'],
      ['a'.repeat(255), 'a'.repeat(255)],
      ['', ''],
      [42, '42'],
    ]),
  )('accepts $label', ({ input, normalized }) => {
    expect(checkVariableValue(variable, input)).toEqual({ value: normalized });
  });

  it.each(
    refusing([
      'a'.repeat(256),
      'é',
      'snow☃',
      'line\u2028separator',
      'next\u0085line',
      '\ufeffbom',
      true,
      null,
      ...HOSTILE_STRINGS,
    ]),
  )('refuses $label', ({ input }) => {
    expect(checkVariableValue(variable, input)).toEqual({
      problem: expect.stringContaining('test_string'),
    });
  });
});

describe('validateMysqlVariable', () => {
  it('refuses unknown variables and suggests close names', () => {
    expect(validateMysqlVariable('foo', 1)).toEqual({
      problem: 'unknown variable "foo"',
    });
    expect(validateMysqlVariable('max_conections', 1).problem).toBe(
      'unknown variable "max_conections" (did you mean "max_connections"?)',
    );
    expect(validateMysqlVariable('max-connections', 1).problem).toContain(
      'did you mean "max_connections"',
    );
    expect(validateMysqlVariable('MAX_CONNECTIONS', 1).problem).toContain(
      'did you mean "max_connections"',
    );
    expect(validateMysqlVariable('__proto__', 1).problem).toBe(
      'unknown variable "__proto__"',
    );
  });

  it('keeps hostile names out of its message', () => {
    const problem = validateMysqlVariable('a\n[client]\npassword=x', 1)
      .problem!;
    expect(problem).not.toContain('\n');
    const long = validateMysqlVariable('x'.repeat(100000), 1).problem!;
    expect(long.length).toBeLessThan(200);
  });
});

describe('validateMysqlConfig', () => {
  it('accepts and normalizes a valid configuration', () => {
    expect(
      validateMysqlConfig({
        max_connections: '500',
        innodb_buffer_pool_size: '256m',
        slow_query_log: true,
        long_query_time: 2.5,
        sql_mode: 'strict_trans_tables,no_engine_substitution',
        character_set_server: 'UTF8MB4',
        collation_server: 'utf8mb4_unicode_ci',
      }),
    ).toEqual({
      valid: true,
      problems: [],
      values: {
        max_connections: '500',
        innodb_buffer_pool_size: '256M',
        slow_query_log: 'ON',
        long_query_time: '2.5',
        sql_mode: 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION',
        character_set_server: 'utf8mb4',
        collation_server: 'utf8mb4_unicode_ci',
      },
    });
  });

  it('accepts an empty configuration', () => {
    expect(validateMysqlConfig({})).toEqual({
      valid: true,
      problems: [],
      values: {},
    });
  });

  it('reports every problem, one per field, and keeps the valid fields', () => {
    const result = validateMysqlConfig({
      max_connections: 0,
      wait_timeout: 'forever',
      foo: 1,
      innodb_buffer_pool_size: '1M',
      slow_query_log: 'ON',
      sql_mode: 'ANSI\n[client]',
    });
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      {
        field: 'max_connections',
        message: 'max_connections must be an integer between 10 and 5000',
      },
      {
        field: 'wait_timeout',
        message: 'wait_timeout must be an integer between 1 and 31536000',
      },
      { field: 'foo', message: 'unknown variable "foo"' },
      {
        field: 'innodb_buffer_pool_size',
        message:
          'innodb_buffer_pool_size must be a size between 6M and 8G bytes (an integer, optionally with a K, M, G or T suffix)',
      },
      {
        field: 'sql_mode',
        message: 'sql_mode must not contain control character U+000A',
      },
    ]);
    expect(result.values).toEqual({ slow_query_log: 'ON' });
  });

  it.each([null, undefined, 'max_connections=1', 42, [], [['a', 1]]])(
    'refuses %j as a whole',
    config => {
      expect(
        validateMysqlConfig(config as unknown as Record<string, unknown>),
      ).toEqual({
        valid: false,
        problems: [
          {
            field: '',
            message:
              'configuration must be an object mapping variable names to values',
          },
        ],
        values: {},
      });
    },
  );

  it('does not let __proto__ through', () => {
    const result = validateMysqlConfig(
      JSON.parse('{"__proto__": {"max_connections": 1}}'),
    );
    expect(result.valid).toBe(false);
    expect(result.problems[0].field).toBe('__proto__');
    expect(Object.keys(result.values)).toEqual([]);
  });

  describe('collation and character set', () => {
    it.each([
      ['utf8mb4', 'utf8mb4_bin'],
      ['utf8mb4', 'utf8mb4_0900_ai_ci'],
      ['latin1', 'latin1_swedish_ci'],
      ['utf8mb3', 'utf8mb3_general_ci'],
      ['binary', 'binary'],
    ])('accepts %s with %s', (charset, collation) => {
      expect(
        validateMysqlConfig({
          character_set_server: charset,
          collation_server: collation,
        }).valid,
      ).toBe(true);
    });

    it.each([
      ['utf8mb4', 'latin1_swedish_ci'],
      ['latin1', 'utf8mb4_bin'],
      ['utf8mb3', 'utf8mb4_general_ci'],
      ['binary', 'utf8mb4_bin'],
      ['utf8mb4', 'binary'],
      ['ascii', 'latin1_bin'],
    ])('refuses %s with %s on collation_server', (charset, collation) => {
      const result = validateMysqlConfig({
        character_set_server: charset,
        collation_server: collation,
      });
      expect(result.valid).toBe(false);
      expect(result.problems).toEqual([
        {
          field: 'collation_server',
          message: `collation_server "${collation}" does not belong to character_set_server "${charset}"`,
        },
      ]);
      expect(result.values).toEqual({ character_set_server: charset });
    });

    it('checks neither alone without an image (part of a configuration)', () => {
      expect(
        validateMysqlConfig({ collation_server: 'latin1_swedish_ci' }).valid,
      ).toBe(true);
      expect(
        validateMysqlConfig({ character_set_server: 'latin1' }).valid,
      ).toBe(true);
    });

    // Both servers refuse to start with a collation of another character
    // set than their default when my.cnf sets no character set: MySQL 9.7
    // "COLLATION 'latin1_bin' is not valid for CHARACTER SET 'utf8mb4'",
    // MariaDB 10.11 "COLLATION 'utf8mb4_general_ci' is not valid for
    // CHARACTER SET 'latin1'".
    it.each([
      ['mysql:8.4', 'latin1_bin', 'utf8mb4_bin', "MySQL's", 'utf8mb4'],
      [
        'mariadb:10.11',
        'utf8mb4_general_ci',
        'latin1_bin',
        "MariaDB's",
        'latin1',
      ],
    ])(
      'with image %s, checks a collation alone against the default character set',
      (image, foreign, own, family, charset) => {
        expect(
          validateMysqlConfig({ collation_server: foreign }, { image }),
        ).toEqual({
          valid: false,
          problems: [
            {
              field: 'collation_server',
              message: `collation_server "${foreign}" does not belong to ${family} default character_set_server "${charset}" (image ${image}); set character_set_server too`,
            },
          ],
          values: {},
        });
        expect(
          validateMysqlConfig({ collation_server: own }, { image }).valid,
        ).toBe(true);
        expect(
          validateMysqlConfig(
            {
              character_set_server: foreign.split('_')[0],
              collation_server: foreign,
            },
            { image },
          ).valid,
        ).toBe(true);
      },
    );

    it('does not take an invalid character set for the default', () => {
      const result = validateMysqlConfig(
        { character_set_server: 'klingon', collation_server: 'latin1_bin' },
        { image: 'mysql:8.4' },
      );
      expect(result.problems.map(p => p.field)).toEqual([
        'character_set_server',
      ]);
    });
  });

  describe('thread_cache_size and max_connections', () => {
    // MariaDB 10.11 read back 151 for thread_cache_size=152 beside
    // max_connections=151; MySQL 9.7 keeps it.
    it('refuses a thread cache larger than max_connections on MariaDB', () => {
      const image = 'mariadb:10.11';
      expect(
        validateMysqlConfig(
          { max_connections: 151, thread_cache_size: 152 },
          { image },
        ).problems,
      ).toEqual([
        {
          field: 'thread_cache_size',
          message:
            'thread_cache_size 152 is more than max_connections 151; MariaDB would lower it to 151',
        },
      ]);
      expect(
        validateMysqlConfig({ thread_cache_size: 152 }, { image }).problems[0]
          ?.field,
      ).toBe('thread_cache_size');
      expect(
        validateMysqlConfig(
          { max_connections: 500, thread_cache_size: 500 },
          { image },
        ).valid,
      ).toBe(true);
    });

    it('leaves it to MySQL, and to callers without an image', () => {
      const config = { max_connections: 151, thread_cache_size: 152 };
      expect(validateMysqlConfig(config, { image: 'mysql:9.7' }).valid).toBe(
        true,
      );
      expect(validateMysqlConfig(config).valid).toBe(true);
    });
  });
});

describe('validateMysqlConfig for an image', () => {
  it("refuses what the servers of the image's family refuse, naming the field", () => {
    const config = {
      character_set_server: 'utf8mb4',
      collation_server: 'utf8mb4_0900_ai_ci',
      sql_mode: 'STRICT_TRANS_TABLES,TIME_TRUNCATE_FRACTIONAL',
    };
    const onMariadb = validateMysqlConfig(config, { image: 'mariadb:10.11' });
    expect(onMariadb.problems.map(p => p.field)).toEqual([
      'collation_server',
      'sql_mode',
    ]);
    expect(onMariadb.problems[0].message).toContain(
      'not available on MariaDB (image mariadb:10.11)',
    );
    expect(onMariadb.problems[1].message).toContain(
      '"TIME_TRUNCATE_FRACTIONAL"',
    );
    for (const image of ['mysql:9.7', 'percona/percona-server:8.0']) {
      expect(validateMysqlConfig(config, { image }).valid).toBe(true);
    }
    expect(validateMysqlConfig(config).valid).toBe(true);
  });

  it("refuses NO_AUTO_CREATE_USER, MariaDB's, on MySQL", () => {
    const config = { sql_mode: 'STRICT_TRANS_TABLES,NO_AUTO_CREATE_USER' };
    expect(
      validateMysqlConfig(config, { image: 'mysql:9.7' }).problems,
    ).toEqual([
      {
        field: 'sql_mode',
        message:
          'sql_mode "NO_AUTO_CREATE_USER" is not available on MySQL (image mysql:9.7); the server would refuse to start',
      },
    ]);
    expect(validateMysqlConfig(config, { image: 'mariadb:10.11' }).valid).toBe(
      true,
    );
  });

  it('refuses lower_case_table_names=2, which Linux servers replace with 0', () => {
    expect(
      validateMysqlConfig({ lower_case_table_names: '2' }).problems[0].field,
    ).toBe('lower_case_table_names');
  });
});

describe('sameMysqlValue', () => {
  it('compares values the way the server reads them', () => {
    expect(sameMysqlValue('innodb_buffer_pool_size', '512M', '536870912')).toBe(
      true,
    );
    expect(sameMysqlValue('long_query_time', '0.5', '0.50')).toBe(true);
    expect(sameMysqlValue('slow_query_log', '1', 'ON')).toBe(true);
    expect(sameMysqlValue('character_set_server', 'latin1', 'LATIN1')).toBe(
      true,
    );
    expect(sameMysqlValue('max_connections', '151', '152')).toBe(false);
  });

  // What MySQL 9.7 and MariaDB 10.11 report for @@GLOBAL.sql_mode after
  // my.cnf set sql_mode=TRADITIONAL (read off both servers).
  it.each([
    [
      'MySQL 9.7',
      'STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,TRADITIONAL,NO_ENGINE_SUBSTITUTION',
    ],
    [
      'MariaDB 10.11',
      'STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,TRADITIONAL,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION',
    ],
  ])('takes sql_mode=TRADITIONAL as what %s reports for it', (_, reported) => {
    expect(sameMysqlValue('sql_mode', 'TRADITIONAL', reported)).toBe(true);
  });

  it("takes MariaDB's report of ANSI and its default as written", () => {
    expect(
      sameMysqlValue(
        'sql_mode',
        'ANSI',
        'REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ANSI',
      ),
    ).toBe(true);
    const mariadbDefault =
      'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION';
    expect(sameMysqlValue('sql_mode', mariadbDefault, mariadbDefault)).toBe(
      true,
    );
    expect(
      sameMysqlValue(
        'sql_mode',
        'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',
        mariadbDefault,
      ),
    ).toBe(false);
  });

  it('compares sql_mode as a set, and still sees a real difference', () => {
    expect(
      sameMysqlValue(
        'sql_mode',
        'STRICT_TRANS_TABLES,NO_ZERO_DATE',
        'no_zero_date,strict_trans_tables',
      ),
    ).toBe(true);
    expect(
      sameMysqlValue('sql_mode', 'STRICT_TRANS_TABLES', 'STRICT_ALL_TABLES'),
    ).toBe(false);
    expect(sameMysqlValue('sql_mode', 'ANSI', 'ANSI_QUOTES')).toBe(false);
  });
});
