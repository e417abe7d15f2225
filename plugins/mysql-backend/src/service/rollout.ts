import {
  MY_CNF_KEY,
  MYSQL_CONFIG_HASH_ANNOTATION,
} from '@mysql-portal/plugin-mysql-common';
import { configHash } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { InstanceObjects } from './InstanceCache';

/** On the StatefulSet: the rollout being followed, so a restarted backend resumes it. */
export const ROLLOUT_ANNOTATION = 'mysql.backstage.io/rollout';
/**
 * On the StatefulSet: the my.cnf that last stayed Ready, restored when a
 * rollout fails. Earlier versions kept it on the ConfigMap; it is read from
 * there until the next good rollout moves it, so the ConfigMap holds only
 * what users write.
 */
export const LAST_GOOD_ANNOTATION = 'mysql.backstage.io/last-good-config';
/** On the ConfigMap: who made the last edit through the portal. */
export const EDITED_BY_ANNOTATION = 'mysql.backstage.io/edited-by';
/**
 * On the StatefulSet, in `online` mode: the my.cnf the server runs after
 * dynamic changes were applied with SET GLOBAL (see {@link OnlineConfig}).
 */
export const ONLINE_CONFIG_ANNOTATION = 'mysql.backstage.io/online-config';

/**
 * A change applied without a restart: `cnf` is the new my.cnf, `base` the
 * one the server ran before. The change is claimed (`applied: false`) with
 * a resourceVersion-checked write before any SET GLOBAL runs, so that only
 * one backend applies it, and one that stopped halfway is finished on resume.
 */
export interface OnlineConfig {
  cnf: string;
  base: string;
  applied: boolean;
}

export function readOnlineConfig(
  sts: k8s.V1StatefulSet,
): OnlineConfig | undefined {
  const raw = sts.metadata?.annotations?.[ONLINE_CONFIG_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
/** On the pod template: set by the restart endpoint to roll the pod. */
export const RESTARTED_AT_ANNOTATION = 'mysql.backstage.io/restarted-at';

/** A rollout in progress, as recorded on the StatefulSet. */
export interface Rollout {
  hash: string;
  startedAt: string;
  reason: 'config' | 'restart' | 'rollback';
  /** For a rollback: why the previous configuration failed. */
  cause?: string;
  /**
   * For a rollback: the hash of the my.cnf that failed. While the ConfigMap
   * still holds it, the rollback has not written the last good my.cnf yet.
   */
  from?: string;
  /** Set once the rollout failed and nothing more can be done. */
  failed?: string;
  /** For a rollback: the changes that did not run, as people read them. */
  changes?: string[];
}

export function readRollout(sts: k8s.V1StatefulSet): Rollout | undefined {
  const raw = sts.metadata?.annotations?.[ROLLOUT_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function desiredConfig(inst: InstanceObjects): string | undefined {
  return inst.configMap?.data?.[MY_CNF_KEY];
}

export function desiredHash(inst: InstanceObjects): string | undefined {
  const cnf = desiredConfig(inst);
  return cnf === undefined ? undefined : configHash(cnf);
}

export function templateHash(inst: InstanceObjects): string | undefined {
  return inst.statefulSet.spec?.template.metadata?.annotations?.[
    MYSQL_CONFIG_HASH_ANNOTATION
  ];
}

/** The hash of the my.cnf the server runs: applied online, or else the template's. */
export function runningHash(inst: InstanceObjects): string | undefined {
  const online = readOnlineConfig(inst.statefulSet);
  return online ? configHash(online.cnf) : templateHash(inst);
}

/** The my.cnf the server runs, when it is known: applied online, or started with. */
export function runningConfig(inst: InstanceObjects): string | undefined {
  const online = readOnlineConfig(inst.statefulSet);
  return online ? online.cnf : startedConfig(inst);
}

/** The my.cnf that last stayed Ready, if one is known. */
export function lastGoodConfig(inst: InstanceObjects): string | undefined {
  return inst.statefulSet.metadata?.annotations?.[LAST_GOOD_ANNOTATION];
}

/** The my.cnf the pod started with, when it is known. */
export function startedConfig(inst: InstanceObjects): string | undefined {
  const lastGood = lastGoodConfig(inst);
  return lastGood !== undefined && configHash(lastGood) === templateHash(inst)
    ? lastGood
    : undefined;
}

export function isReady(pod: k8s.V1Pod) {
  return (
    pod.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ) ?? false
  );
}

/**
 * Says so when the kernel ended the server for exceeding its container's
 * memory limit (the kubelet reports `OOMKilled`): the server's own log
 * holds no error then, only an end.
 */
export function oomKilledMessage(pods: k8s.V1Pod[]): string | undefined {
  for (const pod of pods) {
    const status = pod.status?.containerStatuses?.[0];
    const ended = status?.state?.terminated ?? status?.lastState?.terminated;
    const oom = oomKilled(pod, ended);
    if (!oom) continue;
    const restarts = status?.restartCount ?? 0;
    const again =
      restarts > 0
        ? `; restarted ${restarts} time${restarts === 1 ? '' : 's'}`
        : '';
    return `${oom}${again}`;
  }
  return undefined;
}

function oomKilled(
  pod: k8s.V1Pod,
  ended: k8s.V1ContainerStateTerminated | undefined,
): string | undefined {
  if (ended?.reason !== 'OOMKilled') return undefined;
  const limit = pod.spec?.containers?.[0]?.resources?.limits?.memory;
  const of = limit ? ` of ${limit}` : '';
  return `the server was killed for exceeding its memory limit${of} (OOMKilled)`;
}

/**
 * Says so when the node controller, not the kubelet, marked a pod not
 * Ready because its node stopped reporting. Ready is then False while
 * ContainersReady is still True, a pair the kubelet never writes for a pod
 * without readiness gates; the server itself may run on.
 */
export function nodeNotReadyMessage(pods: k8s.V1Pod[]): string | undefined {
  for (const pod of pods) {
    if (pod.spec?.readinessGates?.length) continue;
    const condition = (type: string) =>
      pod.status?.conditions?.find(c => c.type === type);
    const ready = condition('Ready');
    if (ready?.status !== 'False') continue;
    if (condition('ContainersReady')?.status !== 'True') continue;
    const node = pod.spec?.nodeName ? `node ${pod.spec.nodeName}` : 'its node';
    const since = ready.lastTransitionTime
      ? ` since ${new Date(ready.lastTransitionTime).toISOString()}`
      : '';
    return `${node} is not ready${since}: its kubelet stopped reporting, and the Service sends the server no connections until it is back`;
  }
  return undefined;
}

/**
 * Why the kubelet restarted the server's container in place, if it did: a
 * planned restart makes a new pod, whose container has no last state.
 */
export function containerRestartMessage(
  pods: k8s.V1Pod[],
): { at?: string; message: string } | undefined {
  for (const pod of pods) {
    const status = pod.status?.containerStatuses?.[0];
    const ended = status?.lastState?.terminated;
    if (!ended || !status.restartCount) continue;
    const times = `restart ${status.restartCount} of this pod`;
    const why =
      oomKilled(pod, ended) ??
      `the server exited with code ${ended.exitCode}${
        ended.reason ? ` (${ended.reason})` : ''
      }`;
    return {
      at: ended.finishedAt && new Date(ended.finishedAt).toISOString(),
      message: `${why}, and the kubelet restarted its container (${times})`,
    };
  }
  return undefined;
}

/** Why the instance's server does not start, from its container status. */
export function crashMessage(pods: k8s.V1Pod[]): string | undefined {
  for (const pod of pods) {
    const status = pod.status?.containerStatuses?.[0];
    if (status?.state?.waiting?.reason === 'CrashLoopBackOff') {
      const oom = oomKilledMessage([pod]);
      if (oom) return `the server does not start (CrashLoopBackOff): ${oom}`;
      const log =
        status.lastState?.terminated?.message ||
        status.state.waiting.message ||
        '';
      const errors = log
        .split('\n')
        .filter(line => /\[ERROR\]/.test(line))
        .join('\n');
      return `the server does not start (CrashLoopBackOff): ${
        errors || log
      }`.trim();
    }
  }
  return undefined;
}

/**
 * Since when every pod of the instance has been Ready without a break, or
 * undefined when one is not Ready.
 */
export function readySince(pods: k8s.V1Pod[]): number | undefined {
  if (pods.length === 0 || !pods.every(isReady)) return undefined;
  return Math.max(
    ...pods.map(pod => {
      const ready = pod.status?.conditions?.find(c => c.type === 'Ready');
      const at = ready?.lastTransitionTime;
      return at ? new Date(at).getTime() : 0;
    }),
  );
}

/** Where a followed rollout stands. */
export type RolloutState =
  | { state: 'done' }
  | { state: 'progressing'; deadline: number; slow?: string }
  | { state: 'failed'; message: string };

/**
 * Done when the StatefulSet controller has rolled every pod to the update
 * revision and it is Ready; failed when a pod of that revision crashes
 * (CrashLoopBackOff: the startup and liveness probes gave up, or the server
 * exited). A rollout past its timeout is only slow: InnoDB crash recovery
 * can take long, and the startup probe, not a clock here, says when a start
 * has failed.
 */
export function rolloutState(
  inst: InstanceObjects,
  rollout: Rollout,
  timeoutSeconds: number,
  now = Date.now(),
): RolloutState {
  const sts = inst.statefulSet;
  const updateRevision = sts.status?.updateRevision;
  const observed =
    (sts.status?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0);
  const deadline =
    new Date(rollout.startedAt).getTime() + timeoutSeconds * 1000;
  const progressing = (why: string): RolloutState =>
    now > deadline
      ? {
          state: 'progressing',
          deadline,
          slow: `${why} after ${timeoutSeconds}s`,
        }
      : { state: 'progressing', deadline };
  // Until the controller has seen the new template, its revisions are the
  // old ones and say nothing about this rollout.
  if (!observed) {
    return progressing('the StatefulSet controller has not acted');
  }
  const updated = inst.pods.filter(
    p => p.metadata?.labels?.['controller-revision-hash'] === updateRevision,
  );
  if (
    updateRevision &&
    sts.status?.currentRevision === updateRevision &&
    updated.length > 0 &&
    updated.every(isReady)
  ) {
    return { state: 'done' };
  }
  // Only pods of the new revision count: after a rollback the failed pod is
  // still there until the controller replaces it.
  const crash = crashMessage(updated);
  if (crash) return { state: 'failed', message: crash };
  return progressing('the pod is not Ready yet');
}
