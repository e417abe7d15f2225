import { formatSize, parseSize } from './sizes';
import { getMysqlVariable, MysqlVariable, mysqlVariables } from './variables';
import { imageServerFamily } from './version';

/**
 * One thing wrong with a configuration. `field` is the variable name, or
 * `''` when the configuration as a whole is wrong.
 *
 * @public
 */
export interface ConfigProblem {
  field: string;
  message: string;
}

/**
 * A variable's value as it comes from a form, an API body or a template:
 * numbers, booleans and strings are all accepted.
 *
 * @public
 */
export type MysqlConfigValue = string | number | boolean;

/**
 * The outcome of {@link validateMysqlConfig}. `values` holds the normalized
 * my.cnf strings of the valid fields only.
 *
 * @public
 */
export interface ConfigValidationResult {
  valid: boolean;
  problems: ConfigProblem[];
  values: Record<string, string>;
}

const MAX_VALUE_LENGTH = 1024;
const MAX_STRING_LENGTH = 255;

// Characters that could end the line, start a comment, a section, an
// include or a quoted value in my.cnf, or an escape in the server's option
// parser: a value holding any of them could smuggle in other settings.
const FORBIDDEN_CHARS = '#;[]"\'\\=';

function findForbidden(value: string): string | undefined {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || FORBIDDEN_CHARS.includes(char)) {
      return char;
    }
  }
  return undefined;
}

// Only ASCII spaces: String.prototype.trim would also drop characters such
// as U+FEFF that the server does not.
function trimSpaces(value: string): string {
  return value.replace(/^ +| +$/g, '');
}

type Check = { value: string; problem?: undefined } | { problem: string };

function describeChar(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) {
    return `control character U+${code
      .toString(16)
      .toUpperCase()
      .padStart(4, '0')}`;
  }
  return `"${char}"`;
}

function quote(text: string): string {
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return JSON.stringify(shown);
}

function checkText(name: string, value: string): Check | undefined {
  if (value.length > MAX_VALUE_LENGTH) {
    return {
      problem: `${name} must be at most ${MAX_VALUE_LENGTH} characters long`,
    };
  }
  const forbidden = findForbidden(value);
  if (forbidden !== undefined) {
    return { problem: `${name} must not contain ${describeChar(forbidden)}` };
  }
  if (trimSpaces(value).startsWith('!')) {
    return { problem: `${name} must not start with "!"` };
  }
  return undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return trimSpaces(value);
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

const INTEGER = /^-?\d{1,20}$/;
const DECIMAL = /^-?\d{1,20}(\.\d{1,20})?$/;

function checkInteger(variable: MysqlVariable, value: unknown): Check {
  const { name, min = 0, max = Number.MAX_SAFE_INTEGER } = variable;
  const problem = `${name} must be an integer between ${min} and ${max}`;
  const text = asText(value);
  if (text === undefined || !INTEGER.test(text)) {
    return { problem };
  }
  const number = Number(text);
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    return { problem };
  }
  return { value: String(number) };
}

function checkFloat(variable: MysqlVariable, value: unknown): Check {
  const { name, min = 0, max = Number.MAX_SAFE_INTEGER } = variable;
  const problem = `${name} must be a decimal number between ${min} and ${max}`;
  const text = asText(value);
  if (text === undefined || !DECIMAL.test(text)) {
    return { problem };
  }
  const number = Number(text);
  if (number < min || number > max) {
    return { problem };
  }
  const normalized = String(number);
  // String() writes tiny numbers as 1e-7; my.cnf keeps plain decimals.
  return DECIMAL.test(normalized) ? { value: normalized } : { problem };
}

function checkSize(variable: MysqlVariable, value: unknown): Check {
  const { name, min = 0, max = Number.MAX_SAFE_INTEGER } = variable;
  const problem = `${name} must be a size between ${formatSize(
    min,
  )} and ${formatSize(
    max,
  )} bytes (an integer, optionally with a K, M, G or T suffix)`;
  if (typeof value !== 'number' && typeof value !== 'string') {
    return { problem };
  }
  const text = typeof value === 'string' ? trimSpaces(value) : value;
  const bytes = parseSize(text);
  if (bytes === undefined || bytes < min || bytes > max) {
    return { problem };
  }
  if (typeof text === 'number') {
    return { value: String(bytes) };
  }
  const suffix = text.slice(-1).toUpperCase();
  return /\d/.test(suffix)
    ? { value: String(bytes) }
    : { value: `${Number(text.slice(0, -1))}${suffix}` };
}

const TRUE_WORDS = new Set(['true', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'off', '0']);

function checkBoolean(variable: MysqlVariable, value: unknown): Check {
  const problem = `${variable.name} must be ON or OFF (also true/false or 1/0)`;
  const text =
    typeof value === 'boolean' ? String(value) : asText(value)?.toLowerCase();
  if (text !== undefined && TRUE_WORDS.has(text)) {
    return { value: 'ON' };
  }
  if (text !== undefined && FALSE_WORDS.has(text)) {
    return { value: 'OFF' };
  }
  return { problem };
}

function checkEnum(variable: MysqlVariable, value: unknown): Check {
  const allowed = variable.values ?? [];
  const text = asText(value)?.toLowerCase();
  const match = allowed.find(candidate => candidate.toLowerCase() === text);
  return match !== undefined
    ? { value: match }
    : { problem: `${variable.name} must be one of ${allowed.join(', ')}` };
}

function checkSet(variable: MysqlVariable, value: unknown): Check {
  const allowed = variable.values ?? [];
  const text = asText(value);
  if (text === undefined) {
    return {
      problem: `${
        variable.name
      } must be a comma-separated list of ${allowed.join(', ')}`,
    };
  }
  if (text === '') {
    return { value: '' };
  }
  const chosen = new Set<string>();
  for (const item of text.split(',')) {
    const upper = trimSpaces(item).toUpperCase();
    const match = allowed.find(candidate => candidate.toUpperCase() === upper);
    if (match === undefined) {
      return {
        problem: `${variable.name} has an unknown value ${quote(
          trimSpaces(item),
        )}; allowed: ${allowed.join(', ')}`,
      };
    }
    chosen.add(match);
  }
  // Catalogue order, so that equal sets render identically.
  return {
    value: allowed.filter(candidate => chosen.has(candidate)).join(','),
  };
}

function checkString(variable: MysqlVariable, value: unknown): Check {
  const problem = `${variable.name} must be a string of at most ${MAX_STRING_LENGTH} printable ASCII characters`;
  const text = asText(value);
  // ASCII only: other Unicode line and paragraph separators must not reach
  // a file that is read line by line.
  if (
    text === undefined ||
    text.length > MAX_STRING_LENGTH ||
    !/^[\u0020-\u007e]*$/.test(text)
  ) {
    return { problem };
  }
  return { value: text };
}

const CHECKS: Record<
  MysqlVariable['type'],
  (variable: MysqlVariable, value: unknown) => Check
> = {
  integer: checkInteger,
  size: checkSize,
  float: checkFloat,
  boolean: checkBoolean,
  enum: checkEnum,
  set: checkSet,
  string: checkString,
};

/**
 * Checks a value against a catalogue entry. Not part of the package API:
 * exported so that tests can reach the `string` type, which no catalogue
 * variable uses yet.
 */
export function checkVariableValue(
  variable: MysqlVariable,
  value: unknown,
): { value?: string; problem?: string } {
  if (typeof value === 'string') {
    const textProblem = checkText(variable.name, value);
    if (textProblem) {
      return textProblem;
    }
  }
  return CHECKS[variable.type](variable, value);
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

function unknownVariable(name: string): string {
  const message = `unknown variable ${quote(name)}`;
  if (name.length > 64) {
    return message;
  }
  const wanted = name.toLowerCase().replace(/-/g, '_');
  const suggestions = mysqlVariables
    .map(variable => variable.name)
    .filter(
      candidate => candidate === wanted || levenshtein(candidate, wanted) <= 2,
    );
  return suggestions.length > 0
    ? `${message} (did you mean ${suggestions
        .map(candidate => `"${candidate}"`)
        .join(' or ')}?)`
    : message;
}

/**
 * Validates and normalizes one variable's value. Returns either the value
 * as it is written to my.cnf or a problem naming the variable and its
 * limits.
 *
 * @public
 */
export function validateMysqlVariable(
  name: string,
  value: unknown,
): { value?: string; problem?: string } {
  const variable =
    typeof name === 'string' ? getMysqlVariable(name) : undefined;
  if (!variable) {
    return { problem: unknownVariable(String(name)) };
  }
  return checkVariableValue(variable, value);
}

/** The parts of a valid value that the servers of `family` refuse. */
function refusedValues(
  name: string,
  value: string,
  family: 'mysql' | 'mariadb',
): string[] {
  const refused = getMysqlVariable(name)?.refusedBy?.[family] ?? [];
  const parts = value.split(',').map(p => p.trim().toUpperCase());
  return refused.filter(r => parts.includes(r.toUpperCase()));
}

function familyName(family: 'mysql' | 'mariadb' | undefined): string {
  return family === 'mariadb' ? 'MariaDB' : 'MySQL';
}

/** A variable's default on the servers of `family` (MySQL's without one). */
function familyDefault(
  name: string,
  family: 'mysql' | 'mariadb' | undefined,
): string | undefined {
  const variable = getMysqlVariable(name);
  if (!variable) return undefined;
  const value = (family && variable.defaultBy?.[family]) ?? variable.default;
  return checkVariableValue(variable, value).value;
}

/**
 * Validates a whole configuration: every unknown variable and every bad
 * value is reported, one problem per field, and the valid fields come back
 * normalized. A collation that does not belong to the character set given
 * beside it is a problem on `collation_server`. With `image`, the
 * configuration is checked as the servers of that image's family read it:
 * values they refuse (`utf8mb4_0900_ai_ci` on MariaDB) are problems, a
 * collation given without a character set must belong to the family's
 * default one (utf8mb4 on MySQL, latin1 on MariaDB), since both servers
 * refuse to start otherwise, and on MariaDB `thread_cache_size` must not
 * exceed `max_connections`, which MariaDB would lower it to.
 *
 * @public
 */
export function validateMysqlConfig(
  config: Record<string, unknown>,
  options: { image?: string } = {},
): ConfigValidationResult {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return {
      valid: false,
      problems: [
        {
          field: '',
          message:
            'configuration must be an object mapping variable names to values',
        },
      ],
      values: {},
    };
  }

  const problems: ConfigProblem[] = [];
  const values = new Map<string, string>();
  const family = options.image ? imageServerFamily(options.image) : undefined;
  for (const [field, value] of Object.entries(config)) {
    const result = validateMysqlVariable(field, value);
    const refused =
      result.value !== undefined && family
        ? refusedValues(field, result.value, family)
        : [];
    if (result.problem !== undefined) {
      problems.push({ field, message: result.problem });
    } else if (refused.length > 0) {
      problems.push({
        field,
        message: `${field} ${refused
          .map(v => `"${v}"`)
          .join(', ')} is not available on ${familyName(family)} (image ${
          options.image
        }); the server would refuse to start`,
      });
    } else if (result.value !== undefined) {
      values.set(field, result.value);
    }
  }

  // Without an image the caller may be checking only part of a
  // configuration, so a missing character set is not taken as the default.
  const givenCharset = values.get('character_set_server');
  const defaultCharset =
    family && !('character_set_server' in config)
      ? familyDefault('character_set_server', family)
      : undefined;
  const charset = givenCharset ?? defaultCharset;
  const collation = values.get('collation_server');
  if (
    charset !== undefined &&
    collation !== undefined &&
    !(collation === 'binary' && charset === 'binary') &&
    !collation.startsWith(`${charset}_`)
  ) {
    problems.push({
      field: 'collation_server',
      message:
        givenCharset !== undefined
          ? `collation_server "${collation}" does not belong to character_set_server "${charset}"`
          : `collation_server "${collation}" does not belong to ${familyName(
              family,
            )}'s default character_set_server "${charset}" (image ${
              options.image
            }); set character_set_server too`,
    });
    values.delete('collation_server');
  }

  const threads = values.get('thread_cache_size');
  const connections =
    values.get('max_connections') ??
    (!('max_connections' in config)
      ? familyDefault('max_connections', family)
      : undefined);
  if (
    family === 'mariadb' &&
    threads !== undefined &&
    connections !== undefined &&
    Number(threads) > Number(connections)
  ) {
    problems.push({
      field: 'thread_cache_size',
      message: `thread_cache_size ${threads} is more than max_connections ${connections}; MariaDB would lower it to ${connections}`,
    });
    values.delete('thread_cache_size');
  }

  return {
    valid: problems.length === 0,
    problems,
    values: Object.fromEntries(values),
  };
}

/**
 * The modes a server reports for the combination modes, on MySQL and
 * MariaDB together: the server adds them to `@@sql_mode` (MariaDB also adds
 * `NO_AUTO_CREATE_USER`, MySQL adds `ONLY_FULL_GROUP_BY` to `ANSI`), so a
 * written `TRADITIONAL` must not stay pending forever.
 */
const COMBINATION_MODES: Record<string, string[]> = {
  ANSI: [
    'REAL_AS_FLOAT',
    'PIPES_AS_CONCAT',
    'ANSI_QUOTES',
    'IGNORE_SPACE',
    'ONLY_FULL_GROUP_BY',
  ],
  TRADITIONAL: [
    'STRICT_TRANS_TABLES',
    'STRICT_ALL_TABLES',
    'NO_ZERO_IN_DATE',
    'NO_ZERO_DATE',
    'ERROR_FOR_DIVISION_BY_ZERO',
    'NO_ENGINE_SUBSTITUTION',
    'NO_AUTO_CREATE_USER',
  ],
};

function expandModes(value: string): Set<string> {
  const modes = new Set(
    value
      .split(',')
      .map(m => m.trim().toUpperCase())
      .filter(Boolean),
  );
  for (const [combination, parts] of Object.entries(COMBINATION_MODES)) {
    if (modes.has(combination)) for (const part of parts) modes.add(part);
  }
  return modes;
}

/**
 * Whether two my.cnf values of a variable mean the same to the server:
 * `512M` and `536870912`, `0.5` and `0.50`, `1` and `ON`, `latin1` and
 * `LATIN1`, `TRADITIONAL` and the modes the server expands it to.
 *
 * @public
 */
export function sameMysqlValue(name: string, a: string, b: string): boolean {
  const variable = getMysqlVariable(name);
  if (variable?.type === 'size') return parseSize(a) === parseSize(b);
  if (variable?.type === 'set') {
    const left = expandModes(a);
    const right = expandModes(b);
    return left.size === right.size && [...left].every(m => right.has(m));
  }
  if (variable?.type === 'float') return Number(a) === Number(b);
  const normalizedA = validateMysqlVariable(name, a).value ?? a;
  const normalizedB = validateMysqlVariable(name, b).value ?? b;
  return normalizedA.toUpperCase() === normalizedB.toUpperCase();
}
