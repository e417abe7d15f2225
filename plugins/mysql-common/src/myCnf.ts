import { MysqlConfigValue, validateMysqlConfig } from './validation';

const HEADER =
  '# Managed by Backstage (mysql plugin): edit through the portal.';
const SECTION = 'mysqld';

/**
 * Renders the `[mysqld]` section of my.cnf, one `key = value` line per
 * variable, sorted by name. Throws, listing every problem, unless the whole
 * configuration is valid, so that nothing but known variables with checked
 * values is ever written.
 *
 * @public
 */
export function renderMyCnf(values: Record<string, MysqlConfigValue>): string {
  const result = validateMysqlConfig(values);
  if (!result.valid) {
    throw new Error(
      `Invalid MySQL configuration: ${result.problems
        .map(problem => problem.message)
        .join('; ')}`,
    );
  }
  const lines = Object.keys(result.values)
    .sort()
    .map(key => {
      const value = result.values[key];
      // An empty value (an empty sql_mode) is quoted so that it reads as
      // "set to empty" rather than as a bare option.
      return `${key} = ${value === '' ? '""' : value}`;
    });
  return [HEADER, `[${SECTION}]`, ...lines, ''].join('\n');
}

function unquote(value: string): string {
  const first = value[0];
  if ((first === '"' || first === "'") && value.length >= 2) {
    const end = value.indexOf(first, 1);
    if (end > 0) {
      return value.slice(1, end);
    }
  }
  const comment = value.indexOf('#');
  return (comment >= 0 ? value.slice(0, comment) : value).trim();
}

/**
 * Reads the `[mysqld]` section of a my.cnf: `key = value`, `key=value` and
 * bare `key` (read as `ON`). Comments, blank lines, other sections and
 * `!include` directives are skipped; dashes in keys become underscores and
 * surrounding quotes are removed. Unknown keys are kept for the caller to
 * validate; a key given twice keeps its last value, as the server does.
 *
 * @public
 */
export function parseMyCnf(text: string): Record<string, string> {
  const values = new Map<string, string>();
  let section: string | undefined;
  for (const rawLine of text.split(/\r\n|\n|\r/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) {
      continue;
    }
    if (line.startsWith('!')) {
      continue;
    }
    const header = /^\[([^\]]*)\]/.exec(line);
    if (header) {
      section = header[1].trim().toLowerCase();
      continue;
    }
    if (section !== SECTION) {
      continue;
    }
    const hash = line.indexOf('#');
    let equals = line.indexOf('=');
    if (hash >= 0 && (equals < 0 || hash < equals)) {
      equals = -1;
    }
    const rawKey =
      equals >= 0
        ? line.slice(0, equals)
        : line.slice(0, hash >= 0 ? hash : undefined);
    const key = rawKey.trim().replace(/-/g, '_');
    if (key === '') {
      continue;
    }
    values.set(
      key,
      equals >= 0 ? unquote(line.slice(equals + 1).trim()) : 'ON',
    );
  }
  return Object.fromEntries(values);
}
