import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DeleteMysqlInstanceResponse,
  MYSQL_LABELS,
  MYSQL_MANAGED_BY,
} from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import { InstanceRecord, InstanceRecords } from '../service/InstanceRecords';
import { MysqlStore } from '../service/MysqlStore';
import { claimName, InstanceObjects, ObjectKind } from './InstanceObjects';
import { MysqlEvents } from '../MysqlEvents';

/** The server first, so that nothing writes while the rest goes. */
const DELETE_ORDER: ObjectKind[] = [
  'statefulSet',
  'service',
  'headlessService',
  'configMap',
  'secret',
  'claim',
];

/** Without these the kept volume could not be used again. */
const DATA_KINDS = new Set<ObjectKind>(['secret', 'claim']);

function objectName(kind: ObjectKind, name: string): string {
  if (kind === 'headlessService') return `${name}-headless`;
  if (kind === 'claim') return claimName(name);
  return name;
}

/**
 * Deletes instances (`DELETE /instances/...`). Only objects that carry our
 * labels for that instance are deleted, each by UID; the record goes after
 * the children, so that a delete cut short can be repeated and finishes
 * the job, and the MysqlInstance last.
 */
export class Deleter {
  constructor(
    private readonly clusters: MysqlClusters,
    private readonly records: InstanceRecords,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    /** Raises `recordsChanged` for every record it adds or removes. */
    private readonly events: MysqlEvents = new MysqlEvents(),
  ) {}

  /**
   * Deletes the objects of the instance, keeping its data volume and
   * Secret when `keepData` is set, then its record, and with it the
   * entity. The history stays, with an entry saying who deleted it.
   */
  async delete(
    record: InstanceRecord,
    options: { keepData: boolean; actor: string },
  ): Promise<DeleteMysqlInstanceResponse> {
    const objects = new InstanceObjects(
      this.clusters.client(record.cluster),
      record.namespace,
    );
    const deleted: string[] = [];
    const kept: string[] = [];
    const remove = async (kind: ObjectKind) => {
      const name = objectName(kind, record.name);
      const label = objects.label(kind, name);
      const found = await objects.read(kind, name);
      if (!found) return;
      const labels = found.metadata?.labels ?? {};
      if (
        labels[MYSQL_LABELS.managedBy] !== MYSQL_MANAGED_BY ||
        labels[MYSQL_LABELS.instance] !== record.name
      ) {
        kept.push(`${label} (not managed by Backstage)`);
      } else if (options.keepData && DATA_KINDS.has(kind)) {
        // Owned by the MysqlInstance, a kept Secret would go with it.
        if (kind === 'secret') await objects.disown(kind, name);
        kept.push(label);
      } else if (await objects.deleteByUid(kind, name, found.metadata!.uid!)) {
        deleted.push(label);
      }
    };
    for (const kind of DELETE_ORDER) await remove(kind);
    await this.records.markDeleted(record, {
      by: options.actor,
      keptData: options.keepData,
    });
    // The resource goes after the record: the status writer makes one for
    // recorded instances only, so it cannot make this one again.
    await remove('instance');

    const parts = [
      deleted.length ? `deleted ${deleted.join(', ')}` : 'no objects left',
    ];
    if (kept.length) parts.push(`kept ${kept.join(', ')}`);
    await this.store.addHistory(record.ref, {
      kind: 'delete',
      actor: options.actor,
      message: parts.join('; '),
    });
    await this.store.forget(record.ref);
    this.events.emit('recordsChanged');
    this.logger.info(
      `${options.actor} deleted ${record.ref}: ${parts.join('; ')}`,
    );
    return { deleted, kept };
  }
}
