import { ConflictError } from '@backstage/errors';
import * as k8s from '@kubernetes/client-node';

/** The StatefulSet annotation that holds a delete waiting for its final backup. */
export const DELETE_ANNOTATION = 'mysql.backstage.io/delete';

/** A delete that runs once its final backup completed. */
export interface PendingDelete {
  keepData: boolean;
  actor: string;
  /** When the delete was asked for. */
  at: string;
  /** The final backup, once it started. */
  backup?: string;
}

/** The delete recorded on the StatefulSet, if any. */
export function readDelete(sts: k8s.V1StatefulSet): PendingDelete | undefined {
  const raw = sts.metadata?.annotations?.[DELETE_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PendingDelete;
  } catch {
    return undefined;
  }
}

/** What happens next to a pending delete, from what is known of its backup. */
export type DeleteStep =
  | { step: 'startBackup' }
  | { step: 'wait' }
  | { step: 'delete' }
  | { step: 'cancel'; why: string };

/**
 * Decides the next step of a pending delete: start its backup, wait for
 * it, delete once it completed, or give up (and delete nothing) when it
 * failed or is gone.
 */
export function nextDeleteStep(
  pending: PendingDelete,
  backup: { status: string; message?: string } | undefined,
): DeleteStep {
  if (!pending.backup) return { step: 'startBackup' };
  if (!backup) {
    return {
      step: 'cancel',
      why: `the final backup ${pending.backup} is not recorded`,
    };
  }
  if (backup.status === 'Completed') return { step: 'delete' };
  if (backup.status === 'Failed') {
    return {
      step: 'cancel',
      why: `the final backup ${pending.backup} failed: ${
        backup.message ?? 'no reason given'
      }`,
    };
  }
  return { step: 'wait' };
}

/**
 * Refuses a change (409) to an instance whose delete waits for its final
 * backup: a restart now would fail the backup, and with it the delete.
 */
export function refuseWhileDeleting(inst: {
  ref: string;
  statefulSet: k8s.V1StatefulSet;
}): void {
  const pending = readDelete(inst.statefulSet);
  if (pending) {
    throw new ConflictError(
      `${inst.ref} is being deleted after a final backup (${pending.actor} asked at ${pending.at}); nothing was changed`,
    );
  }
}
