import { MysqlUpgradeStatus } from '@mysql-portal/plugin-mysql-common';
import * as k8s from '@kubernetes/client-node';

/** StatefulSet annotation with the last upgrade, so that any replica can follow it. */
export const UPGRADE_ANNOTATION = 'mysql.backstage.io/upgrade';

/** The upgrade recorded on the StatefulSet, if any. */
export function readUpgrade(
  sts: k8s.V1StatefulSet,
): MysqlUpgradeStatus | undefined {
  const raw = sts.metadata?.annotations?.[UPGRADE_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as MysqlUpgradeStatus;
  } catch {
    return undefined;
  }
}

/** The image of the server container. */
export function serverImage(sts: k8s.V1StatefulSet): string {
  return sts.spec?.template.spec?.containers[0]?.image ?? '';
}

/** Waiting reasons of a container whose image never started. */
const NOT_STARTED = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
]);

/**
 * Words the servers log when they upgrade the data dictionary or system
 * tables: MySQL 8+ "Server upgrade from '80400' to '90700' started",
 * "Data dictionary upgrading"; MariaDB's mariadb-upgrade "Phase 1/8".
 */
const UPGRADE_STARTED =
  /server upgrade from|data dictionary upgrad|upgrading (the )?(mysql|system) tables|phase 1\/\d/i;

/** How a pod of the new image fares: running, failed before or after it may have touched the data. */
export type UpgradeProgress =
  | { state: 'ready' }
  | { state: 'waiting' }
  | { state: 'failed'; message: string; dataTouched: boolean };

/** The progress of the pods that run `image`. */
export function upgradeProgress(
  pods: k8s.V1Pod[],
  image: string,
): UpgradeProgress {
  const pod = pods.find(p => p.spec?.containers[0]?.image === image);
  if (!pod) return { state: 'waiting' };
  const status = pod.status?.containerStatuses?.[0];
  const ready = pod.status?.conditions?.some(
    c => c.type === 'Ready' && c.status === 'True',
  );
  if (ready) return { state: 'ready' };
  const waiting = status?.state?.waiting;
  if (waiting && NOT_STARTED.has(waiting.reason ?? '')) {
    return {
      state: 'failed',
      message: `${image} cannot start: ${waiting.reason}${
        waiting.message ? ` (${waiting.message})` : ''
      }`,
      dataTouched: false,
    };
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    const log = status?.lastState?.terminated?.message ?? '';
    return {
      state: 'failed',
      message: `${image} does not start (CrashLoopBackOff)${
        log ? `: ${log.trim().split('\n').slice(-3).join(' ')}` : ''
      }`,
      // Without its log, the server may have begun upgrading the data.
      dataTouched: !log || UPGRADE_STARTED.test(log),
    };
  }
  return { state: 'waiting' };
}
