import { MysqlInstanceSummary } from '@mysql-portal/plugin-mysql-common';
import {
  MysqlInstanceCondition,
  MysqlInstanceOperation,
  MysqlInstanceResourceStatus,
} from '@mysql-portal/plugin-mysql-node';
import { isDeepStrictEqual } from 'node:util';
import { InstanceObjects } from '../service/InstanceCache';
import { desiredHash, readRollout, runningHash } from '../service/rollout';
import { readDelete } from './deleteState';
import { readUpgrade } from '../upgrade/upgradeState';
import { SpecConfigState, specConfigState } from './specConfig';

const ROLLOUT_TYPES = {
  config: 'Rollout',
  restart: 'Restart',
  rollback: 'Rollback',
} as const;

/** The operation under way, from what the StatefulSet records. */
function operationOf(
  inst: InstanceObjects,
): MysqlInstanceOperation | undefined {
  const deleting = readDelete(inst.statefulSet);
  if (deleting) {
    return {
      type: 'Delete',
      state: deleting.backup ? 'BackingUp' : 'WaitingForBackup',
      startedAt: deleting.at,
    };
  }
  const upgrade = readUpgrade(inst.statefulSet);
  if (
    upgrade &&
    ['BackingUp', 'Upgrading', 'RollingBack'].includes(upgrade.status)
  ) {
    return {
      type: 'Upgrade',
      state: upgrade.status,
      startedAt: upgrade.at,
      from: upgrade.from,
      to: upgrade.to,
      ...(upgrade.message ? { message: upgrade.message } : {}),
    };
  }
  const rollout = readRollout(inst.statefulSet);
  if (!rollout) return undefined;
  return {
    type: ROLLOUT_TYPES[rollout.reason],
    state: rollout.failed ? 'Failed' : 'InProgress',
    startedAt: rollout.startedAt,
    to: rollout.hash,
    ...(rollout.from ? { from: rollout.from } : {}),
    ...(rollout.failed || rollout.cause
      ? { message: rollout.failed ?? rollout.cause }
      : {}),
  };
}

type ConditionInput = Omit<MysqlInstanceCondition, 'lastTransitionTime'>;

function configAppliedOf(
  summary: MysqlInstanceSummary,
  inst: InstanceObjects,
  spec: SpecConfigState,
): ConditionInput {
  if (spec.state === 'invalid') {
    return {
      type: 'ConfigApplied',
      status: 'False',
      reason: 'InvalidSpec',
      message: `not applied, the server keeps its configuration: ${spec.problems.join(
        '; ',
      )}`,
    };
  }
  if (spec.state !== 'render' && runningHash(inst) === desiredHash(inst)) {
    return {
      type: 'ConfigApplied',
      status: 'True',
      reason: 'Applied',
      message: 'the server runs the desired my.cnf',
    };
  }
  return {
    type: 'ConfigApplied',
    status: 'False',
    reason: summary.pendingRestart ? 'PendingRestart' : 'Applying',
    message: summary.pendingRestart
      ? 'the desired my.cnf applies at the next restart'
      : 'the desired my.cnf is being applied',
  };
}

function conditionsOf(
  summary: MysqlInstanceSummary,
  inst: InstanceObjects,
  spec: SpecConfigState,
): ConditionInput[] {
  const { phase, message = '' } = summary.status;
  return [
    phase === 'Running'
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'Running',
          message: 'the server answers',
        }
      : { type: 'Ready', status: 'False', reason: phase, message },
    configAppliedOf(summary, inst, spec),
    phase === 'Reconciling' || phase === 'Provisioning'
      ? { type: 'Progressing', status: 'True', reason: phase, message }
      : {
          type: 'Progressing',
          status: 'False',
          reason: 'Idle',
          message: 'no change is under way',
        },
    phase === 'Degraded'
      ? { type: 'Degraded', status: 'True', reason: 'Degraded', message }
      : {
          type: 'Degraded',
          status: 'False',
          reason: 'AsExpected',
          message: '',
        },
  ];
}

/**
 * The status of an instance's MysqlInstance, from what the backend knows
 * of it. A condition keeps its `lastTransitionTime` while its status stays,
 * as the Kubernetes API conventions ask; `now` is when the others moved.
 * `observedGeneration` is the spec generation the ConfigMap was rendered
 * from, or refused: until a new spec is, the previous one stays.
 */
export function resourceStatus(
  summary: MysqlInstanceSummary,
  inst: InstanceObjects,
  previous: MysqlInstanceResourceStatus | undefined,
  now: string,
): MysqlInstanceResourceStatus {
  const before = new Map(previous?.conditions?.map(c => [c.type, c]));
  const operation = operationOf(inst);
  const hash = runningHash(inst);
  const spec = specConfigState(inst);
  const observedGeneration =
    spec.state === 'in-sync' || spec.state === 'invalid'
      ? spec.generation
      : previous?.observedGeneration;
  return {
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    phase: summary.status.phase,
    ...(summary.status.message ? { message: summary.status.message } : {}),
    version: {
      image: summary.version.image,
      ...(summary.version.server ? { server: summary.version.server } : {}),
    },
    ...(hash ? { configHash: hash } : {}),
    ...(operation ? { operation } : {}),
    conditions: conditionsOf(summary, inst, spec).map(condition => {
      const old = before.get(condition.type);
      return {
        ...condition,
        ...(observedGeneration !== undefined ? { observedGeneration } : {}),
        lastTransitionTime:
          old?.status === condition.status ? old.lastTransitionTime : now,
      };
    }),
  };
}

/** Whether writing `next` over `current` would change anything. */
export function statusChanged(
  current: MysqlInstanceResourceStatus | undefined,
  next: MysqlInstanceResourceStatus,
): boolean {
  return !isDeepStrictEqual(current ?? {}, next);
}
