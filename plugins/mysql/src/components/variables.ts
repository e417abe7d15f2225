import {
  formatSize,
  getMysqlVariable,
  MysqlVariable,
  mysqlVariables,
  parseSize,
} from '@mysql-portal/plugin-mysql-common';

/** What changing a variable does to the running server. */
export type ChangeEffect = 'restart' | 'live' | 'fixed';

/** The backend's reconciler mode; older backends do not report it and always restart. */
export type ReconcilerMode = 'restart' | 'online';

/**
 * Whether changing the variable restarts the server, applies live, or
 * cannot happen. In `restart` mode the backend rolls the pod on every
 * change, dynamic variables included.
 */
export function changeEffect(
  name: string,
  mode: ReconcilerMode = 'restart',
): ChangeEffect {
  const apply = getMysqlVariable(name)?.apply ?? 'restart';
  if (apply === 'init') {
    return 'fixed';
  }
  if (mode === 'restart' || apply === 'restart') {
    return 'restart';
  }
  return 'live';
}

/** A sentence for forms and tooltips describing {@link changeEffect}. */
export function changeEffectText(
  name: string,
  mode: ReconcilerMode = 'restart',
): string {
  switch (changeEffect(name, mode)) {
    case 'fixed':
      return 'Set when the database is created; it cannot change afterwards.';
    case 'live':
      return 'Applied without a restart.';
    default:
      return getMysqlVariable(name)?.apply === 'dynamic'
        ? 'Changing it restarts the server (the portal restarts on every change).'
        : 'Changing it restarts the server.';
  }
}

/** Sizes written with the largest exact unit (268435456 → 256M), other values as they are. */
export function displayValue(name: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    return '—';
  }
  if (getMysqlVariable(name)?.type === 'size') {
    const bytes = parseSize(value);
    return bytes === undefined ? value : formatSize(bytes);
  }
  return value;
}

/** The default as a my.cnf value: sizes with a unit, booleans as ON/OFF. */
export function defaultValue(variable: MysqlVariable): string {
  if (typeof variable.default === 'boolean') {
    return variable.default ? 'ON' : 'OFF';
  }
  if (variable.type === 'size' && typeof variable.default === 'number') {
    return formatSize(variable.default);
  }
  return String(variable.default);
}

/** The variable's unit for display; sizes are bytes written with K/M/G/T. */
export function unitOf(name: string): string {
  return getMysqlVariable(name)?.unit ?? '';
}

/**
 * The running values the card shows even when my.cnf does not set them:
 * what a newcomer asks first (how many connections, how much memory for
 * data, how large a query may be, which character set, whether slow
 * queries are logged).
 */
export const KEY_VARIABLES: readonly string[] = [
  'max_connections',
  'innodb_buffer_pool_size',
  'max_allowed_packet',
  'character_set_server',
  'slow_query_log',
];

/** Names in catalogue order, unknown names last in alphabetical order. */
export function sortVariableNames(names: Iterable<string>): string[] {
  const order = new Map(mysqlVariables.map((v, index) => [v.name, index]));
  return [...new Set(names)].sort((a, b) => {
    const ia = order.get(a) ?? Number.MAX_SAFE_INTEGER;
    const ib = order.get(b) ?? Number.MAX_SAFE_INTEGER;
    return ia === ib ? a.localeCompare(b) : ia - ib;
  });
}
