import {
  MysqlAttentionReason,
  MysqlInstanceSummary,
} from '@mysql-portal/plugin-mysql-common';
import { nextRun, staleness } from '../backups/schedule';

/** What the attention rules need to know of an instance's backups. */
export interface BackupFacts {
  /** The last completed backup of this instance (not of an earlier namesake). */
  lastCompletedAt?: string;
  /** The instance's backup schedule (its policy's, or the default). */
  schedule: string;
  /** The longest grace a scheduled backup gets (the backup timeout). */
  graceLimitMs: number;
  /** A memo of `nextRun` shared by the instances of one list. */
  next?: typeof nextRun;
}

/** How long a rollout may take before its pending restart counts as stuck. */
export const STUCK_ROLLOUT_MS = 10 * 60_000;

function rolloutUnderWay(
  status: MysqlInstanceSummary['status'],
  now: Date,
): boolean {
  if (status.phase !== 'Reconciling' && status.phase !== 'Provisioning') {
    return false;
  }
  return now.getTime() - new Date(status.since).getTime() <= STUCK_ROLLOUT_MS;
}

/**
 * Why an instance needs attention; empty when it does not. The rules, kept
 * simple on purpose (they are in the README):
 *
 * - its phase is Degraded or Unreachable;
 * - its server runs another version than its image declares (drift);
 * - its desired configuration waits for a restart, and no rollout is
 *   bringing it: the phase is neither Reconciling nor Provisioning, or has
 *   been for longer than {@link STUCK_ROLLOUT_MS} (the reconciler restarts
 *   for every change, so a pending restart is normally a few minutes at most);
 * - no backup of it has completed yet, new instances included: until then
 *   its data lives on one volume only;
 * - or its last completed backup is older than its schedule allows, by
 *   the same rule as the card's "stale" warning.
 */
export function attentionReasons(
  summary: Pick<
    MysqlInstanceSummary,
    'status' | 'version' | 'drift' | 'pendingRestart'
  >,
  backup: BackupFacts,
  now: Date = new Date(),
): MysqlAttentionReason[] {
  const reasons: MysqlAttentionReason[] = [];
  const { phase, message } = summary.status;
  if (phase === 'Degraded' || phase === 'Unreachable') {
    reasons.push({
      kind: 'phase',
      message: message ? `${phase}: ${message}` : phase,
    });
  }
  if (summary.drift) {
    reasons.push({
      kind: 'drift',
      message: `runs ${summary.version.server}, not the version its image ${summary.version.image} declares`,
    });
  }
  if (summary.pendingRestart && !rolloutUnderWay(summary.status, now)) {
    reasons.push({
      kind: 'pendingRestart',
      message: 'its desired configuration waits for a restart',
    });
  }
  if (!backup.lastCompletedAt) {
    reasons.push({ kind: 'backup', message: 'no backup has completed yet' });
  } else {
    const stale = staleness({
      schedule: backup.schedule,
      since: new Date(backup.lastCompletedAt),
      lastCompleted: true,
      graceLimitMs: backup.graceLimitMs,
      now,
      next: backup.next,
    });
    if (stale) reasons.push({ kind: 'backup', message: stale });
  }
  return reasons;
}
