import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import { MysqlInstanceStatus } from '@mysql-portal/plugin-mysql-common';
import { Knex } from 'knex';
import { BackupRunner } from '../backups/BackupRunner';
import { InstanceCache } from '../service/InstanceCache';
import { InstanceRecords } from '../service/InstanceRecords';
import { MysqlStore } from '../service/MysqlStore';
import { Poller } from '../service/Poller';
import { Reconciler } from '../service/Reconciler';
import { InstanceSignals } from '../signals/InstanceSignals';
import { Upgrader } from '../upgrade/Upgrader';
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
  store: MysqlStore;
  poller: Poller;
  reconciler: Reconciler;
  backups: BackupRunner;
  upgrader: Upgrader;
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

  cache.onChange(ref => signals.objectsChanged(ref, cache.get(ref)));
  options.store.onHistory = ref => signals.changed(ref, 'history');
  options.poller.onPolled = (ref, observation, previous) =>
    signals.polled(ref, observation, previous);
  options.backups.onStarted = record => signals.changed(record.ref, 'backup');
  options.backups.onFinished = (record, backup) => {
    signals.changed(record.ref, 'backup');
    notifier.backupFinished(record, backup);
  };
  options.reconciler.onRollback = (inst, rollback) => {
    notifier.rolledBack(inst.ref, rollback);
  };
  options.upgrader.onEnded = (ref, ended) => {
    notifier.upgradeEnded(ref, ended);
  };

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
