/**
 * How a variable's value is written and checked.
 *
 * @public
 */
export type MysqlVariableType =
  | 'integer'
  | 'size'
  | 'float'
  | 'boolean'
  | 'enum'
  | 'set'
  | 'string';

/**
 * When a new value takes effect: `dynamic` through `SET GLOBAL`, `restart`
 * only after a server restart, `init` only when the data directory is
 * initialised.
 *
 * @public
 */
export type MysqlVariableApply = 'dynamic' | 'restart' | 'init';

/**
 * One server variable the portal lets users set in my.cnf.
 *
 * @public
 */
export interface MysqlVariable {
  name: string;
  type: MysqlVariableType;
  unit?: 'bytes' | 'seconds' | 'connections' | 'tables' | 'threads';
  /** Lower bound for integer, size (in bytes) and float variables. */
  min?: number;
  /** Upper bound for integer, size (in bytes) and float variables. */
  max?: number;
  /** Allowed values of enum and set variables. */
  values?: readonly string[];
  /**
   * Values of `values` that the servers of one family refuse to start with
   * (seen on MySQL 9.7 and MariaDB 10.11); validation refuses them for
   * images of that family.
   */
  refusedBy?: Partial<Record<'mysql' | 'mariadb', readonly string[]>>;
  /** MySQL's default (what `SELECT @@var` reads without my.cnf); sizes in bytes. */
  default: string | number | boolean;
  /** The default of a family whose servers differ from MySQL's. */
  defaultBy?: Partial<Record<'mysql' | 'mariadb', string | number | boolean>>;
  apply: MysqlVariableApply;
  /** One line for forms and documentation. */
  description: string;
}

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
const TIB = 1024 * GIB;

// The server accepts up to 2^64-1 bytes for these per-session buffers,
// which are allocated only when a query needs them; the catalogue stops at
// 1 TiB, far beyond any pod's memory, so every bound stays an exact
// JavaScript number.
const SIZE_CAP = TIB;

// Buffers allocated when the server starts stop at the memory limit of the
// largest instance size (8Gi): MySQL 9.7 touches about a tenth of the buffer
// pool and all of the log buffer at start (3.2 GB resident for 8 GiB + 2 GiB),
// and MariaDB 10.11 refuses to start when it cannot commit the whole pool
// ("Cannot map innodb_buffer_pool_size_max" for 32 GiB on a 23 GiB machine).
const STARTUP_MEMORY_CAP = 8 * GIB;

// Both servers need one file descriptor per connection and two per cached
// table, and silently lower max_connections and then table_open_cache to
// fit their open-files limit (max_connections + 2 * table_open_cache + 10 <=
// open_files_limit): under the 20000 descriptors of the sandbox's machines
// MySQL 9.7 read back 19190 for max_connections=100000 and MariaDB 10.11
// 16770 (and table_open_cache 200 for 524288). Both maxima together fit in
// 20000.
const MAX_CONNECTIONS = 5000;
const MAX_TABLE_OPEN_CACHE = 7000;

// LONG_TIMEOUT in the server sources (one year); Windows builds use less.
const ONE_YEAR_SECONDS = 31536000;

const SQL_MODES = [
  // The order in which the server reports @@sql_mode.
  'REAL_AS_FLOAT',
  'PIPES_AS_CONCAT',
  'ANSI_QUOTES',
  'IGNORE_SPACE',
  'ONLY_FULL_GROUP_BY',
  'NO_UNSIGNED_SUBTRACTION',
  'NO_DIR_IN_CREATE',
  'ANSI',
  'NO_AUTO_VALUE_ON_ZERO',
  'NO_BACKSLASH_ESCAPES',
  'STRICT_TRANS_TABLES',
  'STRICT_ALL_TABLES',
  'NO_ZERO_IN_DATE',
  'NO_ZERO_DATE',
  'ALLOW_INVALID_DATES',
  'ERROR_FOR_DIVISION_BY_ZERO',
  'TRADITIONAL',
  // MariaDB only (its default has it); MySQL 8.0 removed it and refuses it.
  'NO_AUTO_CREATE_USER',
  'HIGH_NOT_PRECEDENCE',
  'NO_ENGINE_SUBSTITUTION',
  'PAD_CHAR_TO_FULL_LENGTH',
  'TIME_TRUNCATE_FRACTIONAL',
] as const;

/**
 * The variables the portal knows, with their types, the ranges that both
 * MySQL and MariaDB keep as written, each family's defaults, and whether a
 * change needs a restart. The conformance test
 * (packages/k8s-sandbox/src/conformance.integration.test.ts) starts both
 * real servers with every minimum, default, maximum and value and reads
 * each back.
 *
 * @public
 */
export const mysqlVariables: readonly MysqlVariable[] = [
  {
    name: 'max_connections',
    type: 'integer',
    unit: 'connections',
    // MariaDB raises anything lower to 10.
    min: 10,
    max: MAX_CONNECTIONS,
    default: 151,
    apply: 'dynamic',
    description: 'Maximum number of simultaneous client connections.',
  },
  {
    name: 'max_user_connections',
    type: 'integer',
    unit: 'connections',
    min: 0,
    // MySQL takes up to 2^32-1; MariaDB's is a signed int and lowers it.
    max: 2147483647,
    default: 0,
    apply: 'dynamic',
    description:
      'Maximum simultaneous connections per account; 0 means no limit.',
  },
  {
    name: 'innodb_buffer_pool_size',
    type: 'size',
    unit: 'bytes',
    // MySQL starts with 5 MiB; MariaDB's InnoDB refuses less than 6 MiB
    // with 16 KiB pages, and the server then refuses to start.
    min: 6 * MIB,
    max: STARTUP_MEMORY_CAP,
    default: 128 * MIB,
    apply: 'dynamic',
    description: 'Memory InnoDB uses to cache table and index data.',
  },
  {
    name: 'innodb_log_buffer_size',
    type: 'size',
    unit: 'bytes',
    // MySQL's own range is 256 KiB to 4 GiB - 1, MariaDB's 2 MiB to
    // 2 GiB - 4 KiB (it raises or lowers anything outside). Allocated and
    // touched at start, so it stops at an eighth of STARTUP_MEMORY_CAP.
    min: 2 * MIB,
    max: GIB,
    default: 64 * MIB,
    defaultBy: { mariadb: 16 * MIB },
    // Dynamic in MySQL 8.0 and later, but read-only in MariaDB (the sandbox
    // server), so a change is only trusted after a restart.
    apply: 'restart',
    description: 'Buffer InnoDB uses to write to the redo log files.',
  },
  {
    name: 'innodb_flush_log_at_trx_commit',
    type: 'enum',
    values: ['0', '1', '2'],
    default: '1',
    apply: 'dynamic',
    description:
      'Redo log flushing at commit: 1 is fully durable, 0 and 2 trade durability for speed.',
  },
  {
    name: 'max_allowed_packet',
    type: 'size',
    unit: 'bytes',
    min: KIB,
    max: GIB,
    default: 64 * MIB,
    defaultBy: { mariadb: 16 * MIB },
    apply: 'dynamic',
    description: 'Largest packet or generated string the server accepts.',
  },
  {
    name: 'wait_timeout',
    type: 'integer',
    unit: 'seconds',
    min: 1,
    max: ONE_YEAR_SECONDS,
    default: 28800,
    apply: 'dynamic',
    description:
      'Seconds an idle non-interactive connection is kept before it is closed.',
  },
  {
    name: 'interactive_timeout',
    type: 'integer',
    unit: 'seconds',
    min: 1,
    max: ONE_YEAR_SECONDS,
    default: 28800,
    apply: 'dynamic',
    description:
      'Seconds an idle interactive connection is kept before it is closed.',
  },
  {
    name: 'net_read_timeout',
    type: 'integer',
    unit: 'seconds',
    min: 1,
    max: ONE_YEAR_SECONDS,
    default: 30,
    apply: 'dynamic',
    description:
      'Seconds to wait for more data from a connection before aborting the read.',
  },
  {
    name: 'net_write_timeout',
    type: 'integer',
    unit: 'seconds',
    min: 1,
    max: ONE_YEAR_SECONDS,
    default: 60,
    apply: 'dynamic',
    description:
      'Seconds to wait for a block to be written to a connection before aborting the write.',
  },
  {
    name: 'slow_query_log',
    type: 'boolean',
    default: false,
    apply: 'dynamic',
    description: 'Whether queries slower than long_query_time are logged.',
  },
  {
    name: 'long_query_time',
    type: 'float',
    unit: 'seconds',
    min: 0,
    max: ONE_YEAR_SECONDS,
    default: 10,
    apply: 'dynamic',
    description: 'Seconds after which a query counts as slow.',
  },
  {
    name: 'general_log',
    type: 'boolean',
    default: false,
    apply: 'dynamic',
    description: 'Whether every statement received is logged (verbose).',
  },
  {
    name: 'table_open_cache',
    type: 'integer',
    unit: 'tables',
    // MariaDB raises anything lower to 10.
    min: 10,
    max: MAX_TABLE_OPEN_CACHE,
    default: 4000,
    defaultBy: { mariadb: 2000 },
    apply: 'dynamic',
    description: 'Number of open tables kept for all threads.',
  },
  {
    name: 'table_definition_cache',
    type: 'integer',
    unit: 'tables',
    min: 400,
    max: 524288,
    // Autosized to MIN(400 + table_open_cache / 2, 2000): 2000 by default.
    default: 2000,
    defaultBy: { mariadb: 400 },
    apply: 'dynamic',
    description: 'Number of table definitions kept in the definition cache.',
  },
  {
    name: 'thread_cache_size',
    type: 'integer',
    unit: 'threads',
    min: 0,
    // MariaDB lowers it to max_connections (validation says so for MariaDB
    // images); a cache larger than the connections is no use on MySQL either.
    max: MAX_CONNECTIONS,
    // Autosized to 8 + max_connections / 100: 9 by default. MariaDB's 256 is
    // lowered to max_connections, 151.
    default: 9,
    defaultBy: { mariadb: 151 },
    apply: 'dynamic',
    description: 'Number of threads kept for reuse after clients disconnect.',
  },
  {
    name: 'tmp_table_size',
    type: 'size',
    unit: 'bytes',
    // MySQL takes 1 KiB; MariaDB rounds down to 16 KiB steps, so less
    // reads back as 0.
    min: 16 * KIB,
    max: SIZE_CAP,
    default: 16 * MIB,
    apply: 'dynamic',
    description:
      'Largest in-memory internal temporary table before it goes to disk.',
  },
  {
    name: 'max_heap_table_size',
    type: 'size',
    unit: 'bytes',
    min: 16 * KIB,
    max: SIZE_CAP,
    default: 16 * MIB,
    apply: 'dynamic',
    description: 'Largest size of a user-created MEMORY table.',
  },
  {
    name: 'sort_buffer_size',
    type: 'size',
    unit: 'bytes',
    min: 32 * KIB,
    max: SIZE_CAP,
    default: 256 * KIB,
    defaultBy: { mariadb: 2 * MIB },
    apply: 'dynamic',
    description: 'Buffer each session allocates for a sort.',
  },
  {
    name: 'join_buffer_size',
    type: 'size',
    unit: 'bytes',
    min: 128,
    max: SIZE_CAP,
    default: 256 * KIB,
    apply: 'dynamic',
    description: 'Buffer for joins that cannot use indexes, per join.',
  },
  {
    name: 'character_set_server',
    type: 'enum',
    values: ['utf8mb4', 'utf8mb3', 'latin1', 'ascii', 'binary'],
    default: 'utf8mb4',
    // MariaDB's own default before 11.6 (its Debian packages set utf8mb4 in
    // a config file that images and the sandbox do not read).
    defaultBy: { mariadb: 'latin1' },
    apply: 'dynamic',
    description: 'Default character set for new databases.',
  },
  {
    name: 'collation_server',
    type: 'enum',
    // The utf8mb4_0900_* collations exist only in MySQL 8.0 and later;
    // MariaDB before 11.4.5 refuses them.
    refusedBy: { mariadb: ['utf8mb4_0900_ai_ci', 'utf8mb4_0900_as_cs'] },
    values: [
      'utf8mb4_0900_ai_ci',
      'utf8mb4_0900_as_cs',
      'utf8mb4_general_ci',
      'utf8mb4_unicode_ci',
      'utf8mb4_unicode_520_ci',
      'utf8mb4_bin',
      'utf8mb3_general_ci',
      'utf8mb3_unicode_ci',
      'utf8mb3_bin',
      'latin1_swedish_ci',
      'latin1_general_ci',
      'latin1_bin',
      'ascii_general_ci',
      'ascii_bin',
      'binary',
    ],
    default: 'utf8mb4_0900_ai_ci',
    defaultBy: { mariadb: 'latin1_swedish_ci' },
    apply: 'dynamic',
    description:
      'Default collation for new databases; must belong to character_set_server.',
  },
  {
    name: 'sql_mode',
    type: 'set',
    values: SQL_MODES,
    refusedBy: {
      mysql: ['NO_AUTO_CREATE_USER'],
      mariadb: ['TIME_TRUNCATE_FRACTIONAL'],
    },
    default:
      'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',
    defaultBy: {
      mariadb:
        'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION',
    },
    apply: 'dynamic',
    description: 'SQL syntax and data validation checks the server applies.',
  },
  {
    name: 'lower_case_table_names',
    type: 'enum',
    // 2 is for case-insensitive file systems: on Linux both servers warn
    // and run with 0 instead.
    values: ['0', '1'],
    default: '0',
    apply: 'init',
    description:
      'How table names are stored and compared; fixed when the data directory is created.',
  },
  {
    name: 'skip_name_resolve',
    type: 'boolean',
    // The servers' own default is OFF, but the official mysql and mariadb
    // images turn it on in their configuration, which is what runs.
    default: true,
    apply: 'restart',
    description:
      'Whether client host names are left unresolved (accounts then match by IP only).',
  },
];

const byName = new Map(
  mysqlVariables.map(variable => [variable.name, variable]),
);

/**
 * The catalogue entry for `name`, or undefined if the portal does not know
 * the variable.
 *
 * @public
 */
export function getMysqlVariable(name: string): MysqlVariable | undefined {
  return byName.get(name);
}
