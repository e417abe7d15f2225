import {
  getMysqlVariable,
  MysqlReconcilerMode,
  MysqlVariable,
  mysqlVariables,
  planMysqlConfigChange,
  validateMysqlVariable,
} from '@mysql-portal/plugin-mysql-common';
import { defaultValue, displayValue } from '../variables';

/** A field's value: text for most types, a flag for booleans, a list for sets. */
export type FieldValue = string | boolean | string[];

/** The form's values by variable name, one per catalogue variable. */
export type FormValues = Record<string, FieldValue>;

/** One variable whose value the user changed. */
export interface ConfigChange {
  name: string;
  before: string;
  after: string;
}

function splitSet(value: string): string[] {
  return value
    .split(',')
    .map(item => item.trim())
    .filter(item => item !== '');
}

function initialValue(variable: MysqlVariable, desired?: string): FieldValue {
  switch (variable.type) {
    case 'boolean':
      return (
        (desired === undefined
          ? defaultValue(variable)
          : validateMysqlVariable(variable.name, desired).value) === 'ON'
      );
    case 'set':
      return splitSet(desired ?? defaultValue(variable));
    case 'size':
      return desired === undefined ? '' : displayValue(variable.name, desired);
    default:
      return desired ?? '';
  }
}

/**
 * The form's starting values from my.cnf. Variables my.cnf does not set
 * start empty (the server default), except booleans and sets, which
 * start at the default.
 */
export function initialValues(desired: Record<string, string>): FormValues {
  return Object.fromEntries(
    mysqlVariables.map(variable => [
      variable.name,
      initialValue(variable, desired[variable.name]),
    ]),
  );
}

function sameField(a: FieldValue, b: FieldValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return a === b;
}

function asConfigValue(value: FieldValue): string {
  if (typeof value === 'boolean') {
    return value ? 'ON' : 'OFF';
  }
  if (Array.isArray(value)) {
    return value.join(',');
  }
  return value.trim();
}

/**
 * The configuration to send: my.cnf as it is, with the fields the user
 * touched replaced. An emptied text field removes the variable, so the
 * server falls back to its default. Init-only variables never change.
 */
export function buildConfig(
  desired: Record<string, string>,
  initial: FormValues,
  values: FormValues,
): Record<string, string> {
  const config = { ...desired };
  for (const variable of mysqlVariables) {
    const value = values[variable.name];
    if (
      variable.apply === 'init' ||
      value === undefined ||
      sameField(value, initial[variable.name])
    ) {
      continue;
    }
    const text = asConfigValue(value);
    if (text === '' && variable.type !== 'set') {
      delete config[variable.name];
    } else {
      config[variable.name] = text;
    }
  }
  return config;
}

/** What saving the form would do. */
export interface FormPlan {
  /** The variables that change, as people read them. */
  changes: ConfigChange[];
  /** Problems by field name; `''` holds those that belong to no field. */
  problems: Record<string, string>;
  /** Whether the backend restarts the server to apply the change. */
  restarts: boolean;
}

function describe(name: string, value: string | undefined): string {
  if (value !== undefined) {
    return displayValue(name, value) || "''";
  }
  const variable = getMysqlVariable(name);
  return variable ? `default (${defaultValue(variable)})` : 'unset';
}

/**
 * Plans sending `config` over my.cnf (`desired`) with the one model the
 * backend uses, so the dialog and the backend agree on what changes and
 * whether the server restarts.
 */
export function planForm(
  desired: Record<string, string>,
  config: Record<string, string>,
  mode: MysqlReconcilerMode = 'restart',
  image?: string,
): FormPlan {
  const plan = planMysqlConfigChange(desired, config, mode, image);
  const problems: Record<string, string> = {};
  for (const problem of plan.problems) {
    const field = getMysqlVariable(problem.field) ? problem.field : '';
    problems[field] = problems[field]
      ? `${problems[field]}; ${problem.message}`
      : problem.message;
  }
  return {
    changes: plan.changes.map(change => ({
      name: change.name,
      before: describe(change.name, change.from),
      after: describe(change.name, change.to),
    })),
    problems,
    restarts: plan.effect === 'restart',
  };
}

/**
 * Values for a reloaded my.cnf: fields the user changed keep their value,
 * the others take the new one.
 */
export function rebaseValues(
  oldInitial: FormValues,
  values: FormValues,
  newInitial: FormValues,
): FormValues {
  return Object.fromEntries(
    Object.entries(newInitial).map(([name, value]) =>
      sameField(values[name], oldInitial[name])
        ? [name, value]
        : [name, values[name]],
    ),
  );
}
