import {
  getMysqlVariable,
  MysqlConfigChange,
  parseSize,
  validateMysqlVariable,
} from '@mysql-portal/plugin-mysql-common';

/** One `SET GLOBAL` statement and its parameters. */
export interface SetGlobalStatement {
  sql: string;
  values: string[];
}

function statement(name: string, raw: string | undefined) {
  const variable = getMysqlVariable(name);
  if (!variable || variable.apply !== 'dynamic') return undefined;
  // Names come from the catalogue only, so they can be written as they are;
  // values are numbers, ON/OFF or a bound string parameter.
  if (raw === undefined) {
    return { sql: `SET GLOBAL ${variable.name} = DEFAULT`, values: [] };
  }
  // my.cnf may have been edited by hand (`slow_query_log = 1`): apply what
  // the server would read at start, or restart when it is not valid.
  const value = validateMysqlVariable(name, raw).value;
  if (value === undefined) return undefined;
  // Numeric enums (innodb_flush_log_at_trx_commit) refuse a quoted value.
  if (variable.type === 'enum' && /^\d+$/.test(value)) {
    return { sql: `SET GLOBAL ${variable.name} = ${value}`, values: [] };
  }
  switch (variable.type) {
    case 'size': {
      const bytes = parseSize(value);
      return bytes === undefined
        ? undefined
        : { sql: `SET GLOBAL ${variable.name} = ${bytes}`, values: [] };
    }
    case 'integer':
    case 'float':
      return Number.isFinite(Number(value))
        ? { sql: `SET GLOBAL ${variable.name} = ${Number(value)}`, values: [] }
        : undefined;
    case 'boolean':
      return {
        sql: `SET GLOBAL ${variable.name} = ${value === 'ON' ? 'ON' : 'OFF'}`,
        values: [],
      };
    default:
      return { sql: `SET GLOBAL ${variable.name} = ?`, values: [value] };
  }
}

/**
 * The `SET GLOBAL` statements that apply `changes` (of a plan whose effect
 * is `online`) without a restart, or `undefined` when a change cannot be
 * applied that way (not dynamic, not in the catalogue, or a value the server
 * would not read), so only a restart can apply it. A variable removed from
 * my.cnf goes back to its default.
 */
export function onlineStatements(
  changes: MysqlConfigChange[],
): SetGlobalStatement[] | undefined {
  const statements: SetGlobalStatement[] = [];
  for (const change of changes) {
    const next = statement(change.name, change.to);
    if (!next) return undefined;
    statements.push(next);
  }
  return statements;
}
