import { parseEntityRef } from '@backstage/catalog-model';
import { MysqlUpgradeStatus } from '@mysql-portal/plugin-mysql-common';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { InstanceObjects } from '../service/InstanceCache';
import { InstanceRecord } from '../service/InstanceRecords';
import { readRollout } from '../service/rollout';
import { readUpgrade } from '../upgrade/upgradeState';
import { BackupRow } from '../backups/BackupStore';

/** The notification payload, as `notificationService.send` takes it. */
export type NoticePayload = NotificationSendOptions['payload'];

/**
 * One event an owner is told of. `key` names the event the same way on
 * every replica (from what is kept in the cluster or the database, never
 * from a replica's clock), so that the replica that claims it first is the
 * only one that sends it.
 */
export interface Notice {
  key: string;
  payload: NoticePayload;
}

/** Topics, as the notifications settings page lists them. */
export const NOTICE_TOPICS = {
  degraded: 'MySQL degraded',
  rollback: 'MySQL rollback',
  backup: 'MySQL backup failed',
  upgrade: 'MySQL upgrade',
} as const;

/** The entity page of `entityRef`, relative to the app (the catalog's default route). */
export function entityPageLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}`;
}

function payload(
  record: Pick<InstanceRecord, 'ref' | 'entityRef'>,
  key: string,
  fields: Omit<NoticePayload, 'link' | 'scope'>,
): Notice {
  return {
    key,
    payload: {
      ...fields,
      link: entityPageLink(record.entityRef),
      // A notification sent again with the same scope updates the first
      // (marked unread again) instead of adding a second: another Degraded
      // spell of the same instance raises its notification anew.
      scope: `mysql:${key}`,
      // For processors (email, chat); the notifications store keeps no
      // metadata, the link names the instance.
      metadata: { instance: record.ref },
    },
  };
}

/**
 * The key of an instance's Degraded spell: claimed when it turns Degraded,
 * released when it is something else again. A namesake made later has its
 * own, since the record's creation time is part of it.
 */
export function degradedKey(record: Pick<InstanceRecord, 'ref' | 'createdAt'>) {
  return `degraded:${record.ref}@${record.createdAt}`;
}

/**
 * The notice for an instance that turned Degraded, or none when another
 * notice tells the same event: a configuration rollback under way (told by
 * {@link rollbackNotice}) or an upgrade that failed after the image changed
 * (told by {@link upgradeNotice}).
 */
export function degradedNotice(
  record: InstanceRecord,
  message: string | undefined,
  inst: InstanceObjects | undefined,
): Notice | undefined {
  const rollout = inst && readRollout(inst.statefulSet);
  if (rollout?.reason === 'rollback' && !rollout.failed) return undefined;
  const upgrade = inst && readUpgrade(inst.statefulSet);
  if (upgrade?.status === 'Failed' && upgrade.message === message) {
    return undefined;
  }
  return payload(record, degradedKey(record), {
    title: `${record.name} is Degraded`,
    description: message ?? 'The MySQL instance is degraded.',
    severity: 'high',
    topic: NOTICE_TOPICS.degraded,
  });
}

/** A configuration the server did not run, and the rollback to the last one that ran. */
export function rollbackNotice(
  record: InstanceRecord,
  rollback: {
    /** When the rollback started, as its mark says: the same on every replica. */
    rollbackStartedAt: string;
    cause: string;
    changes: string[];
  },
): Notice {
  const what = rollback.changes.join(', ') || 'the new configuration';
  return payload(
    record,
    `rollback:${record.ref}@${rollback.rollbackStartedAt}`,
    {
      title: `${record.name}: configuration rolled back`,
      description: `${what} did not run (${rollback.cause}); the last configuration that ran is being restored.`,
      severity: 'high',
      topic: NOTICE_TOPICS.rollback,
    },
  );
}

/** A backup that failed, whoever started it. */
export function backupFailedNotice(
  record: InstanceRecord,
  backup: Pick<BackupRow, 'id' | 'trigger' | 'message'>,
): Notice {
  return payload(record, `backup:${record.ref}:${backup.id}`, {
    title: `${record.name}: backup failed`,
    description: `The ${backup.trigger} backup ${backup.id} failed: ${
      backup.message ?? 'no reason given'
    }`,
    severity: 'high',
    topic: NOTICE_TOPICS.backup,
  });
}

/**
 * The notice for an upgrade that ended (done, rolled back to the old image,
 * or failed), or none while it runs. `ended.at` is the time of the state it
 * ended from, which every replica reads from the StatefulSet.
 */
export function upgradeNotice(
  record: InstanceRecord,
  ended: MysqlUpgradeStatus,
): Notice | undefined {
  const key = `upgrade:${record.ref}:${ended.from}>${ended.to}@${ended.at}`;
  switch (ended.status) {
    case 'Completed':
      return payload(record, key, {
        title: `${record.name} was upgraded to ${ended.to}`,
        description: `The upgrade from ${ended.from} to ${ended.to} is done.`,
        severity: 'normal',
        topic: NOTICE_TOPICS.upgrade,
      });
    case 'RolledBack':
      return payload(record, key, {
        title: `${record.name}: upgrade rolled back`,
        description: `The upgrade to ${ended.to} was rolled back: ${
          ended.message ?? `${ended.from} runs again`
        }.`,
        severity: 'high',
        topic: NOTICE_TOPICS.rollback,
      });
    case 'Failed':
      return payload(record, key, {
        title: `${record.name}: upgrade to ${ended.to} failed`,
        description: ended.message ?? 'The upgrade failed.',
        severity: 'critical',
        topic: NOTICE_TOPICS.upgrade,
      });
    default:
      return undefined;
  }
}
