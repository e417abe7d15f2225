import { InputError } from '@backstage/errors';
import {
  MysqlConfigValue,
  MysqlReconcilerMode,
  planMysqlConfigChange,
  validateMysqlConfig,
} from '@mysql-portal/plugin-mysql-common';

/**
 * One variable that `mysql:configure` changes: `from` is the desired value
 * before (absent when my.cnf did not set it, so the server default applied),
 * `to` the normalized new value.
 */
export type ConfigChange = { name: string; from?: string; to: string };

/** What a configuration request does to an instance's desired my.cnf. */
export interface ConfigPlan {
  changes: ConfigChange[];
  /** The whole desired configuration to send with the PUT. */
  merged: Record<string, string>;
  /** Whether the backend restarts the server to apply it. */
  restartRequired: boolean;
}

function formatProblems(problems: string[]): string {
  return `Invalid input for mysql:configure:\n- ${problems.join('\n- ')}`;
}

/**
 * Drops the blanks a form leaves (empty strings, null, undefined mean "leave
 * unchanged"), validates the rest against the variable catalogue and returns
 * the normalized values. Throws one InputError naming every bad field.
 */
export function toRequestedConfig(
  config: Record<string, MysqlConfigValue | null | undefined> | undefined,
): Record<string, string> {
  const given = Object.fromEntries(
    Object.entries(config ?? {}).filter(
      ([, value]) =>
        value !== undefined &&
        value !== null &&
        !(typeof value === 'string' && value.trim() === ''),
    ),
  );
  const result = validateMysqlConfig(given);
  if (!result.valid) {
    throw new InputError(
      formatProblems(
        result.problems.map(
          p => `config${p.field ? `.${p.field}` : ''}: ${p.message}`,
        ),
      ),
    );
  }
  return result.values;
}

/**
 * Merges the requested values onto the desired configuration and plans the
 * change with the one model the backend and the card use
 * (`planMysqlConfigChange`). Desired values the request does not mention
 * stay as they are. Throws an InputError, as the backend would, when the
 * result cannot be applied: a variable that is fixed when the data
 * directory is created, a combination that is invalid as a whole (such as a
 * collation that does not match the character set already configured), or
 * a value the servers of `image`'s family refuse.
 */
export function planConfigChange(
  desired: Record<string, string>,
  requested: Record<string, string>,
  mode: MysqlReconcilerMode = 'restart',
  image?: string,
): ConfigPlan {
  const plan = planMysqlConfigChange(
    desired,
    { ...desired, ...requested },
    mode,
    image,
  );
  if (plan.problems.length > 0) {
    throw new InputError(
      formatProblems(
        plan.problems.map(
          p => `config${p.field ? `.${p.field}` : ''}: ${p.message}`,
        ),
      ),
    );
  }
  return {
    // Requested values are never empty, so every change has a new value.
    changes: plan.changes.map(({ name, from, to }) =>
      from === undefined ? { name, to: to! } : { name, from, to: to! },
    ),
    merged: plan.values,
    restartRequired: plan.effect === 'restart',
  };
}
