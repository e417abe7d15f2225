import type { MysqlUpgradeStatus } from '@mysql-portal/plugin-mysql-common';
import type { BackupRow } from './backups/BackupStore';
import type { InstanceObjects } from './service/InstanceCache';
import type { InstanceRecord } from './service/InstanceRecords';
import type { Observation } from './service/MysqlStore';

/** What a rollback restored, as its mark on the StatefulSet says. */
export interface RollbackEvent {
  /** The same on every replica: the key that makes the notice one. */
  rollbackStartedAt: string;
  cause: string;
  changes: string[];
}

/** The backend's internal events, by name, with their arguments. */
export interface MysqlEventMap {
  /** Records were added or removed: the catalog provider reads them again. */
  recordsChanged: [];
  /** An entry was added to an instance's history. */
  historyAdded: [ref: string];
  /** A poll saved an observation. */
  polled: [ref: string, observation: Observation, previous?: Observation];
  /** A rollout or an online change finished: the new values can be read. */
  rolloutDone: [inst: InstanceObjects];
  /** A rollback restored the last good my.cnf (seen by each replica). */
  rolledBack: [inst: InstanceObjects, rollback: RollbackEvent];
  backupStarted: [record: InstanceRecord, backup: BackupRow];
  backupFinished: [record: InstanceRecord, backup: BackupRow];
  /** An upgrade ended with a server that runs: the version can be read. */
  upgradeFinished: [inst: InstanceObjects];
  /** An upgrade ended, however it ended. */
  upgradeEnded: [ref: string, ended: MysqlUpgradeStatus];
}

type Listener<K extends keyof MysqlEventMap> = (
  ...args: MysqlEventMap[K]
) => void;

/**
 * One typed emitter, passed to the constructors of the classes that raise
 * events, so that nothing is wired by setting callbacks after
 * construction, and any number of listeners hear each event. Listeners
 * run synchronously and must not throw; work they start is their own.
 */
export class MysqlEvents {
  private readonly listeners = new Map<
    keyof MysqlEventMap,
    Array<(...args: any[]) => void>
  >();

  on<K extends keyof MysqlEventMap>(event: K, listener: Listener<K>): void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as (...args: any[]) => void);
    this.listeners.set(event, list);
  }

  emit<K extends keyof MysqlEventMap>(
    event: K,
    ...args: MysqlEventMap[K]
  ): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}
