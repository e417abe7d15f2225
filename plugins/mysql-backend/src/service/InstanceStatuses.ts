import {
  MysqlInstancePhase,
  MysqlInstanceStatus,
} from '@mysql-portal/plugin-mysql-common';
import { MysqlStore } from './MysqlStore';

/**
 * Each instance's phase and since when, in memory, so that reads never
 * write: a read resolves the phase it computed against what is known, and
 * the background poll task saves what changed.
 */
export class InstanceStatuses {
  private known?: Map<string, MysqlInstanceStatus>;
  private readonly changed = new Map<string, MysqlInstanceStatus>();

  constructor(private readonly store: MysqlStore) {}

  /** Reads the saved phases once, so `since` survives a restart. */
  async load(): Promise<void> {
    this.known ??= await this.store.listStatuses();
  }

  /** The status for a phase just computed; `since` moves only when the phase changes. */
  resolve(
    ref: string,
    phase: MysqlInstancePhase,
    message?: string,
  ): MysqlInstanceStatus {
    this.known ??= new Map();
    const current = this.known.get(ref);
    if (current?.phase === phase && current.message === message) {
      return current;
    }
    const status: MysqlInstanceStatus = {
      phase,
      message,
      since:
        current?.phase === phase ? current.since : new Date().toISOString(),
    };
    this.known.set(ref, status);
    this.changed.set(ref, status);
    return status;
  }

  /** Saves the phases that changed since the last save, and returns them. */
  async save(): Promise<Map<string, MysqlInstanceStatus>> {
    const changed = new Map(this.changed);
    if (changed.size === 0) return changed;
    this.changed.clear();
    await this.store.saveStatuses(changed);
    return changed;
  }
}
