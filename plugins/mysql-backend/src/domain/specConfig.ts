import {
  describeMysqlConfigChange,
  MY_CNF_KEY,
  MysqlConfigValue,
  parseMyCnf,
  planMysqlConfigChange,
  renderMyCnf,
} from '@mysql-portal/plugin-mysql-common';
import {
  configHash,
  MYSQL_RENDERED_GENERATION_ANNOTATION,
} from '@mysql-portal/plugin-mysql-node';
import { InstanceObjects } from '../service/InstanceCache';

/**
 * On the MysqlInstance: who made the last edit through the portal, and the
 * hash of the my.cnf it asked for. An edit of the spec made any other way
 * (`kubectl edit`) leaves a hash that no longer matches.
 */
export const SPEC_EDITED_BY_ANNOTATION = 'mysql.backstage.io/config-edited-by';

/** Who asked for the configuration that `spec.config` holds; a rollback has no actor. */
export interface SpecEditor {
  actor?: string;
  hash: string;
}

/**
 * How the ConfigMap, a rendered child, stands against `spec.config`:
 * - `in-sync`: rendered from this generation;
 * - `invalid`: the spec asks for what the server cannot run; each problem
 *   names its field, and the ConfigMap is kept as it is;
 * - `render`: the ConfigMap is to get `cnf`, rendered from `generation`;
 * - `none`: the instance has no MysqlInstance (yet) or no ConfigMap.
 */
export type SpecConfigState =
  | { state: 'none' }
  | { state: 'in-sync'; generation: number }
  | { state: 'invalid'; generation: number; problems: string[] }
  | {
      state: 'render';
      generation: number;
      cnf: string;
      changes: string[];
      /** Whether the portal (or a rollback) asked for it, rather than an edit of the spec by hand. */
      known: boolean;
      actor?: string;
    };

/** What changed between two my.cnf texts, as people read it. */
export function describeChanges(
  before: string | undefined,
  after: string | undefined,
): string[] {
  return planMysqlConfigChange(
    parseMyCnf(before ?? ''),
    parseMyCnf(after ?? ''),
    'restart',
  ).changes.map(describeMysqlConfigChange);
}

/** Whether two my.cnf texts hold the same values, as the server reads them. */
export function sameConfig(a: string, b: string): boolean {
  return describeChanges(a, b).length === 0;
}

/** The token a client holds: the MysqlInstance's `metadata.generation`. */
export function specToken(inst: InstanceObjects): string {
  const generation = inst.resource?.metadata?.generation;
  return generation === undefined ? '' : String(generation);
}

/** The values of a configuration as the spec stores them: strings, as my.cnf reads them. */
export function specConfigValues(
  values: Record<string, MysqlConfigValue>,
): Record<string, string> {
  return parseMyCnf(renderMyCnf(values));
}

/** The edited-by annotation for an edit to `values`. */
export function specEditor(
  values: Record<string, MysqlConfigValue>,
  actor?: string,
): string {
  const editor: SpecEditor = {
    ...(actor ? { actor } : {}),
    hash: configHash(renderMyCnf(values)),
  };
  return JSON.stringify(editor);
}

/** Parses the edited-by annotation; anything else reads as no editor. */
export function readSpecEditor(
  annotations: Record<string, string> | undefined,
): SpecEditor | undefined {
  try {
    const value = JSON.parse(annotations?.[SPEC_EDITED_BY_ANNOTATION] ?? '');
    return typeof value?.hash === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Compares `spec.config` with the ConfigMap it renders. A ConfigMap rendered
 * from the spec's generation is in sync, even if edited by hand since (that
 * edit runs, and is rolled back if the server refuses it). One without the
 * annotation belongs to an instance adopted, or made before the annotation:
 * its MysqlInstance was made from it, at generation 1. A spec of another
 * generation is rendered; values are compared as the server reads them.
 */
export function specConfigState(inst: InstanceObjects): SpecConfigState {
  const resource = inst.resource;
  const generation = resource?.metadata?.generation;
  if (!resource || !inst.configMap || generation === undefined) {
    return { state: 'none' };
  }
  const rendered =
    inst.configMap.metadata?.annotations?.[
      MYSQL_RENDERED_GENERATION_ANNOTATION
    ] ?? '1';
  if (rendered === String(generation)) return { state: 'in-sync', generation };
  const current = inst.configMap.data?.[MY_CNF_KEY] ?? '';
  const plan = planMysqlConfigChange(
    parseMyCnf(current),
    resource.spec.config ?? {},
    'restart',
    inst.statefulSet.spec?.template.spec?.containers[0]?.image,
  );
  if (plan.changes.length > 0 && plan.problems.length > 0) {
    return {
      state: 'invalid',
      generation,
      problems: plan.problems.map(p => `spec.config.${p.field}: ${p.message}`),
    };
  }
  const cnf = plan.changes.length === 0 ? current : renderMyCnf(plan.values);
  const editor = readSpecEditor(resource.metadata?.annotations);
  const known = editor?.hash === configHash(cnf);
  return {
    state: 'render',
    generation,
    cnf,
    changes: plan.changes.map(describeMysqlConfigChange),
    known,
    ...(known && editor?.actor ? { actor: editor.actor } : {}),
  };
}
