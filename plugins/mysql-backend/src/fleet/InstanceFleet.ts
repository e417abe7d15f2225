import {
  MysqlBackupPolicy,
  MysqlInstanceListQuery,
  MysqlInstanceListResponse,
  MysqlInstanceSummary,
} from '@mysql-portal/plugin-mysql-common';
import { BackupStore } from '../backups/BackupStore';
import { InstanceRecord } from '../service/InstanceRecords';
import { InstanceService } from '../service/InstanceService';
import { attentionReasons } from './attention';
import { DEFAULT_LIMIT } from './listQuery';
import { nextRunMemo } from './nextRunMemo';

/** What the fleet needs to know of backups beyond the tables. */
export interface FleetBackupOptions {
  /** The policy of instances that have none of their own. */
  defaults: Pick<MysqlBackupPolicy, 'schedule'>;
  /** The longest grace a scheduled backup gets (the backup timeout). */
  graceLimitMs: number;
}

/**
 * Whether `owner` (a full entity ref) is the one `wanted` names:
 * `group:default/team-a`, `default/team-a` or `team-a`, in any case.
 */
function ownerMatches(owner: string, wanted: string) {
  const full = owner.toLocaleLowerCase('en-US');
  const want = wanted.toLocaleLowerCase('en-US');
  if (want.includes(':')) return full === want;
  const withoutKind = full.slice(full.indexOf(':') + 1);
  if (want.includes('/')) return withoutKind === want;
  return withoutKind.slice(withoutKind.lastIndexOf('/') + 1) === want;
}

function byNameThenPlace(a: InstanceRecord, b: InstanceRecord) {
  return (
    compare(a.name, b.name) ||
    compare(a.cluster, b.cluster) ||
    compare(a.namespace, b.namespace)
  );
}

function compare(a: string, b: string) {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * `GET /instances` for the fleet page: the summaries of the instances a
 * caller may read, each with its last completed backup and why it needs
 * attention, filtered and paged on the server. The cheap filters (owner,
 * cluster, name) run on the records first, so only the rest get a
 * summary; backups and policies are two queries for all instances.
 */
export class InstanceFleet {
  constructor(
    private readonly service: Pick<InstanceService, 'summaries'>,
    private readonly backups: Pick<
      BackupStore,
      'lastCompletedBackups' | 'listPolicies'
    >,
    private readonly options: FleetBackupOptions,
  ) {}

  /**
   * The page of `readable` that matches `query`. Without any parameter
   * every instance, in the records' order, as before paging existed (the
   * catalog module and the scaffolder read it whole).
   */
  async list(
    readable: InstanceRecord[],
    query: MysqlInstanceListQuery = {},
  ): Promise<MysqlInstanceListResponse> {
    const paged = Object.values(query).some(v => v !== undefined);
    const q = query.q?.trim().toLocaleLowerCase('en-US');
    let records = readable.filter(
      r =>
        (!query.owner || ownerMatches(r.owner, query.owner)) &&
        (!query.cluster || r.cluster === query.cluster) &&
        (!q || r.name.toLocaleLowerCase('en-US').includes(q)),
    );
    if (paged) records = [...records].sort(byNameThenPlace);
    const [summaries, lastBackups, policies] = await Promise.all([
      this.service.summaries(records),
      this.backups.lastCompletedBackups(),
      this.backups.listPolicies(),
    ]);
    const now = new Date();
    const next = nextRunMemo();
    const items: MysqlInstanceSummary[] = [];
    summaries.forEach((summary, i) => {
      if (query.phase && summary.status?.phase !== query.phase) return;
      const record = records[i];
      const completedAt = lastBackups.get(record.ref);
      // A backup from before the record is an earlier namesake's.
      const lastCompletedAt =
        completedAt && completedAt >= record.createdAt
          ? completedAt
          : undefined;
      const needsAttention = attentionReasons(
        summary,
        {
          lastCompletedAt,
          schedule:
            policies.get(record.ref)?.schedule ??
            this.options.defaults.schedule,
          graceLimitMs: this.options.graceLimitMs,
          next,
        },
        now,
      );
      if (query.needsAttention !== undefined) {
        if (query.needsAttention !== needsAttention.length > 0) return;
      }
      items.push({
        ...summary,
        ...(lastCompletedAt
          ? { lastBackup: { completedAt: lastCompletedAt } }
          : {}),
        needsAttention,
      });
    });
    if (!paged) return { items, totalCount: items.length };
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_LIMIT;
    return {
      items: items.slice(offset, offset + limit),
      totalCount: items.length,
    };
  }
}
