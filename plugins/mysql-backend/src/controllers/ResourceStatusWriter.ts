import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MYSQL_OWNER_ANNOTATION,
  MysqlInstanceSummary,
  mysqlLabels,
  parseMyCnf,
} from '@mysql-portal/plugin-mysql-common';
import {
  MYSQL_INSTANCE_API,
  MysqlClusters,
  MysqlInstanceResource,
} from '@mysql-portal/plugin-mysql-node';
import { resourceStatus, statusChanged } from '../domain/resourceStatus';
import { Controller } from './Controller';
import { InstanceCache, InstanceObjects } from '../service/InstanceCache';
import { InstanceRecord, InstanceRecords } from '../service/InstanceRecords';
import { statusOf } from '../service/kubernetesErrors';
import { desiredConfig } from '../service/rollout';
import { INSTANCE_API } from '../service/instanceResource';

/**
 * The MysqlInstance of an instance made before the resource existed, from
 * its record and objects: what it runs now is what its owners asked for.
 */
export function adoptedResource(
  record: InstanceRecord,
  inst: InstanceObjects,
): MysqlInstanceResource {
  const sts = inst.statefulSet;
  const container = sts.spec?.template.spec?.containers[0];
  const claim = sts.spec?.volumeClaimTemplates?.[0]?.spec;
  const resources = container?.resources as
    | MysqlInstanceResource['spec']['resources']
    | undefined;
  const config = parseMyCnf(desiredConfig(inst) ?? '');
  return {
    apiVersion: `${MYSQL_INSTANCE_API.group}/${MYSQL_INSTANCE_API.version}`,
    kind: MYSQL_INSTANCE_API.kind,
    metadata: {
      name: inst.name,
      namespace: inst.namespace,
      labels: mysqlLabels(inst.name),
      annotations: { [MYSQL_OWNER_ANNOTATION]: record.owner },
    },
    spec: {
      owner: record.owner,
      image: container?.image ?? '',
      ...(Object.keys(config).length > 0 ? { config } : {}),
      ...(resources && Object.keys(resources).length > 0 ? { resources } : {}),
      storage: {
        size: String(claim?.resources?.requests?.storage ?? '1Gi'),
        ...(claim?.storageClassName
          ? { storageClassName: claim.storageClassName }
          : {}),
      },
      ...(record.databaseName && record.username
        ? { database: { name: record.databaseName, user: record.username } }
        : {}),
    },
  };
}

/**
 * Keeps each instance's MysqlInstance status current: after each poll it
 * writes what changed (only that, so an idle fleet causes no writes), and
 * makes the resource of an instance that has none yet, once, from its
 * objects. Every write carries the resourceVersion it was computed from (the
 * replaced object's);
 * a 409 means another replica or an edit came first, and the next poll
 * looks again.
 */
export class ResourceStatusWriter {
  private readonly controller: Controller;

  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly records: InstanceRecords,
    private readonly logger: LoggerService,
    private readonly now: () => Date = () => new Date(),
    /** The summary of one instance now, for writes between polls. */
    summaryOf?: (record: InstanceRecord) => Promise<MysqlInstanceSummary>,
  ) {
    this.controller = new Controller({
      name: 'resource-status',
      logger,
      reconcile: async ref => {
        const record = this.records.get(ref);
        if (!record || !summaryOf) return;
        await this.sync([{ record, summary: await summaryOf(record) }]);
      },
    });
  }

  /**
   * Writes the status of `ref` soon, without waiting for its next poll:
   * for changes of its objects (a rollout, a pending delete).
   */
  enqueue(ref: string) {
    this.controller.enqueue(ref);
  }

  /** Stops, and waits for the writes under way. */
  async stop() {
    await this.controller.stop();
  }

  /**
   * Writes the status of each instance whose objects are known. Until the
   * MysqlInstance watch of a namespace has listed, nothing is made there.
   */
  async sync(
    items: Array<{ record: InstanceRecord; summary: MysqlInstanceSummary }>,
  ): Promise<void> {
    for (const { record, summary } of items) {
      const inst = this.cache.get(record.ref);
      if (!inst) continue;
      if (!this.cache.resourcesConnected(record.cluster, record.namespace)) {
        continue;
      }
      try {
        await this.syncOne(record, summary, inst);
      } catch (error) {
        if (statusOf(error) === 409) continue;
        this.logger.warn(
          `writing the MysqlInstance status of ${record.ref}: ${error}`,
        );
      }
    }
  }

  /**
   * Makes the MysqlInstance of an instance that has none. The record is
   * read before and after: a delete that removed the record meanwhile
   * (the Deleter removes the record, then the resource) must not leave
   * a resource behind, so one made after it is removed again.
   */
  private async adopt(record: InstanceRecord, inst: InstanceObjects) {
    if (!(await this.records.read(record.ref))) return undefined;
    const { custom } = this.clusters.client(record.cluster);
    const made = (await custom.createNamespacedCustomObject({
      ...INSTANCE_API,
      namespace: inst.namespace,
      body: adoptedResource(record, inst),
    })) as MysqlInstanceResource;
    if (!(await this.records.read(record.ref))) {
      await custom.deleteNamespacedCustomObject({
        ...INSTANCE_API,
        namespace: inst.namespace,
        name: inst.name,
        body: { preconditions: { uid: made.metadata.uid } },
      });
      return undefined;
    }
    this.logger.info(`${record.ref}: adopted as a MysqlInstance`);
    return made;
  }

  private async syncOne(
    record: InstanceRecord,
    summary: MysqlInstanceSummary,
    inst: InstanceObjects,
  ) {
    const { custom } = this.clusters.client(record.cluster);
    let resource = inst.resource;
    if (!resource) {
      resource = await this.adopt(record, inst);
      if (!resource) return;
    }
    const next = resourceStatus(
      summary,
      inst,
      resource.status,
      this.now().toISOString(),
    );
    if (!statusChanged(resource.status, next)) return;
    // A replace, not a merge patch: what the status no longer has (an
    // operation that ended) must go.
    await custom.replaceNamespacedCustomObjectStatus({
      ...INSTANCE_API,
      namespace: inst.namespace,
      name: inst.name,
      body: { ...resource, status: next },
    });
  }
}
