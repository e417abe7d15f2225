import { specConfigState } from '../domain/specConfig';
import {
  MysqlInstancePhase,
  MysqlReconcilerMode,
  parseMyCnf,
  planMysqlConfigChange,
  sameMysqlValue,
} from '@mysql-portal/plugin-mysql-common';
import * as k8s from '@kubernetes/client-node';
import { InstanceObjects } from './InstanceCache';
import { Observation } from './MysqlStore';
import { readDelete } from '../domain/deleteState';
import { readUpgrade } from '../upgrade/upgradeState';
import {
  crashMessage,
  desiredConfig,
  desiredHash,
  isReady,
  nodeNotReadyMessage,
  oomKilledMessage,
  readRollout,
  runningConfig,
  runningHash,
} from './rollout';

/** The phase of an instance, from its objects and the latest poll. */
export function computePhase(
  inst: InstanceObjects,
  observation: Observation | undefined,
  clusterConnected: boolean,
  everReady = true,
): { phase: MysqlInstancePhase; message?: string } {
  if (!clusterConnected) {
    return {
      phase: 'Unreachable',
      message: `cluster ${inst.cluster} does not answer`,
    };
  }
  const deleting = readDelete(inst.statefulSet);
  if (deleting) {
    return {
      phase: 'Deleting',
      message: deleting.backup
        ? `deleting once the final backup ${deleting.backup} has completed`
        : 'deleting after a final backup',
    };
  }
  const upgrade = readUpgrade(inst.statefulSet);
  if (upgrade?.status === 'Upgrading') {
    return { phase: 'Reconciling', message: `upgrading to ${upgrade.to}` };
  }
  if (upgrade?.status === 'RollingBack') {
    return {
      phase: 'Reconciling',
      message: `rolling back to ${upgrade.from}: ${upgrade.message}`,
    };
  }
  // Failed after the image changed: the server may not open its data.
  if (
    upgrade?.status === 'Failed' &&
    upgrade.backup &&
    !inst.pods.some(isReady)
  ) {
    return { phase: 'Degraded', message: upgrade.message };
  }
  const rollout = readRollout(inst.statefulSet);
  if (rollout?.failed) return { phase: 'Degraded', message: rollout.failed };
  if (rollout?.reason === 'rollback') {
    return {
      phase: 'Degraded',
      message: `rolling back: ${
        rollout.cause ?? 'the new configuration failed'
      }`,
    };
  }
  const desired = desiredHash(inst);
  // A spec not rendered yet is a change under way too: the ConfigMap, and so
  // the hashes, follow a moment later.
  if (
    rollout ||
    (desired && runningHash(inst) !== desired) ||
    specConfigState(inst).state === 'render'
  ) {
    return {
      phase: 'Reconciling',
      message: rollout
        ? 'restarting to apply the configuration'
        : 'applying the configuration',
    };
  }
  // Outside a rollout a server that is down is Unreachable, whatever the
  // cause; the pod's own reason makes the message.
  const crash = crashMessage(inst.pods);
  // Polls keep the version of the last answer, so a poll without one is of
  // a server that has never answered: a new one, still starting.
  const neverAnswered =
    !observation ||
    polledAnother(observation, inst.statefulSet) ||
    (!observation.reachable && observation.version === undefined);
  if (neverAnswered) {
    // A server that has never answered and crashes will not start by itself.
    if (crash) return { phase: 'Degraded', message: crash };
    return {
      phase: 'Provisioning',
      message: observation?.error
        ? `waiting for the server to answer (${observation.error})`
        : 'waiting for the server to answer',
    };
  }
  const nodeDown = nodeNotReadyMessage(inst.pods);
  if (!observation.reachable) {
    return {
      phase: 'Unreachable',
      message:
        crash ?? oomKilledMessage(inst.pods) ?? nodeDown ?? observation.error,
    };
  }
  if (nodeDown) {
    return {
      phase: 'Degraded',
      message: `the server answers, but ${nodeDown}`,
    };
  }
  // The Service sends connections (and backup Jobs) only to a Ready pod: a
  // new server that answers the poller is not in service until then.
  if (!everReady && !inst.pods.some(isReady)) {
    return {
      phase: 'Provisioning',
      message: 'the server answers; waiting for its pod to be Ready',
    };
  }
  return { phase: 'Running' };
}

/**
 * Whether the latest poll was of another StatefulSet of the same name (this
 * one was deleted and made again): it says nothing about the server now.
 */
function polledAnother(observation: Observation, sts: k8s.V1StatefulSet) {
  return (
    observation.statefulSetUid !== undefined &&
    observation.statefulSetUid !== sts.metadata?.uid
  );
}

/**
 * Desired values, the server's values for the same keys, what differs, and
 * whether applying it restarts the server: the one plan of a config change,
 * from what the server runs (its my.cnf when known, or else the values the
 * poll read) to what is desired.
 */
export function configView(
  inst: InstanceObjects,
  observation: Observation | undefined,
  mode: MysqlReconcilerMode,
) {
  // What owners asked for: the spec, which the ConfigMap follows moments later.
  const desired =
    inst.resource?.spec.config ?? parseMyCnf(desiredConfig(inst) ?? '');
  const applied = observation?.variables ?? {};
  const pending = Object.keys(desired).filter(
    k => applied[k] === undefined || !sameMysqlValue(k, desired[k], applied[k]),
  );
  const hashPending =
    desiredHash(inst) !== runningHash(inst) ||
    specConfigState(inst).state === 'render';
  const known = runningConfig(inst);
  const running =
    known !== undefined
      ? parseMyCnf(known)
      : Object.fromEntries(
          Object.keys(desired)
            .filter(k => applied[k] !== undefined)
            .map(k => [k, applied[k]]),
        );
  const effect = planMysqlConfigChange(
    running,
    desired,
    mode,
    inst.statefulSet.spec?.template.spec?.containers[0]?.image,
  ).effect;
  return {
    desired,
    applied,
    pending,
    restartRequired:
      (hashPending || pending.length > 0) &&
      (effect === 'restart' || (mode === 'restart' && hashPending)),
    mode,
  };
}
