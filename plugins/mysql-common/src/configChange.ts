import {
  ConfigProblem,
  MysqlConfigValue,
  sameMysqlValue,
  validateMysqlConfig,
} from './validation';
import { getMysqlVariable } from './variables';

/**
 * How the backend applies configuration changes: `restart` rolls the pod on
 * every change; `online` applies changes of dynamic variables only with
 * `SET GLOBAL` and restarts for the others.
 *
 * @public
 */
export type MysqlReconcilerMode = 'restart' | 'online';

/**
 * What a configuration change does to the server: `none` when nothing
 * changes, `online` when `SET GLOBAL` applies it, `restart` when only a
 * restart does.
 *
 * @public
 */
export type MysqlConfigChangeEffect = 'none' | 'online' | 'restart';

/**
 * One variable a change touches. `from` is absent when my.cnf did not set
 * it, `to` when the change removes it (the server default applies).
 *
 * @public
 */
export interface MysqlConfigChange {
  name: string;
  from?: string;
  to?: string;
}

/**
 * The outcome of {@link planMysqlConfigChange}.
 *
 * @public
 */
export interface MysqlConfigChangePlan {
  /** The whole requested configuration, normalized (valid fields only). */
  values: Record<string, string>;
  /** What differs from the current configuration, by variable name. */
  changes: MysqlConfigChange[];
  /** Everything that stops the change, one per field. */
  problems: ConfigProblem[];
  /** What the change does to the server. */
  effect: MysqlConfigChangeEffect;
}

function same(name: string, a: string | undefined, b: string | undefined) {
  if (a === undefined || b === undefined) return a === b;
  return a === b || sameMysqlValue(name, a, b);
}

/**
 * The one model of a configuration change, used by the backend, the
 * scaffolder actions, the edit dialog and the reconciler, so that they
 * never disagree on what changes or whether the server restarts.
 *
 * `current` is the configuration in force (my.cnf as parsed); `requested`
 * the whole configuration wanted instead. Values are compared as the server
 * reads them (`512M` equals `536870912`). A changed variable that is fixed
 * when the data directory is created is a problem, as is any value that
 * validation (for `image`'s server family) refuses. In `online` mode a
 * change of dynamic catalogue variables only is applied without a restart.
 *
 * @public
 */
export function planMysqlConfigChange(
  current: Record<string, string>,
  requested: Record<string, MysqlConfigValue>,
  mode: MysqlReconcilerMode,
  image?: string,
): MysqlConfigChangePlan {
  const validation = validateMysqlConfig(requested, { image });
  const problems = [...validation.problems];
  const values = validation.values;
  const changes: MysqlConfigChange[] = [];
  const names = new Set([...Object.keys(current), ...Object.keys(requested)]);
  for (const name of [...names].sort()) {
    const from = current[name];
    // An invalid value is a problem, and still a change: a my.cnf edited by
    // hand can hold anything, and only a restart tells what the server says.
    const to =
      values[name] ??
      (requested[name] === undefined ? undefined : String(requested[name]));
    if (same(name, from, to)) continue;
    changes.push({
      name,
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to }),
    });
    if (
      getMysqlVariable(name)?.apply === 'init' &&
      !problems.some(p => p.field === name)
    ) {
      problems.push({
        field: name,
        message:
          'can only be set when the database is created; it cannot change now',
      });
    }
  }
  return { values, changes, problems, effect: effectOf(changes, mode) };
}

function effectOf(
  changes: MysqlConfigChange[],
  mode: MysqlReconcilerMode,
): MysqlConfigChangeEffect {
  if (changes.length === 0) return 'none';
  if (mode === 'restart') return 'restart';
  return changes.every(c => getMysqlVariable(c.name)?.apply === 'dynamic')
    ? 'online'
    : 'restart';
}

/**
 * A change as people read it in logs, history and task output:
 * `max_connections=200`, `sql_mode reset to default`.
 *
 * @public
 */
export function describeMysqlConfigChange(change: MysqlConfigChange): string {
  return change.to === undefined
    ? `${change.name} reset to default`
    : `${change.name}=${change.to}`;
}
