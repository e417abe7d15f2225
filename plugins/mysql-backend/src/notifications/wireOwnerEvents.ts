import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import { MysqlInstanceStatus } from '@mysql-portal/plugin-mysql-common';
import { Knex } from 'knex';
import { MysqlEvents } from '../MysqlEvents';
import { InstanceCache } from '../service/InstanceCache';
import { InstanceRecords } from '../service/InstanceRecords';
import { InstanceSignals } from '../signals/InstanceSignals';
import { NoticeStore } from './NoticeStore';
import { OwnerNotifier } from './OwnerNotifier';

/**
 * Connects the events of the backend's services to the owners
 * (notifications, once per event) and to open cards (signals, from every
 * replica that sees a change). The phases are handed in by the global poll
 * task, which is where they are computed and saved.
 */
export function wireOwnerEvents(options: {
  db: Knex;
  notifications: NotificationService;
  signals: SignalsService;
  logger: LoggerService;
  cache: InstanceCache;
  records: InstanceRecords;
  events: MysqlEvents;
}) {
  const { cache, records, logger } = options;
  const notifier = new OwnerNotifier(
    options.notifications,
    new NoticeStore(options.db),
    ref => records.get(ref),
    ref => cache.get(ref),
    logger,
  );
  const signals = new InstanceSignals(options.signals, logger);

  const { events } = options;
  cache.onChange(ref => signals.objectsChanged(ref, cache.get(ref)));
  events.on('historyAdded', ref => signals.changed(ref, 'history'));
  events.on('polled', (ref, observation, previous) =>
    signals.polled(ref, observation, previous),
  );
  events.on('backupStarted', record => signals.changed(record.ref, 'backup'));
  events.on('backupFinished', (record, backup) => {
    signals.changed(record.ref, 'backup');
    notifier.backupFinished(record, backup);
  });
  events.on('rolledBack', (inst, rollback) => {
    notifier.rolledBack(inst.ref, rollback);
  });
  events.on('upgradeEnded', (ref, ended) => {
    notifier.upgradeEnded(ref, ended);
  });

  return {
    /** The phases the poll task saved: signals for each, a notification for a new Degraded spell. */
    async statusesChanged(changed: Map<string, MysqlInstanceStatus>) {
      for (const ref of changed.keys()) signals.changed(ref, 'status');
      await notifier.statusesChanged(changed);
    },
    stop() {
      signals.stop();
    },
  };
}
