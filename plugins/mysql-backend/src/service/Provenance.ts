import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  isDnsLabel,
  MYSQL_OWNER_ANNOTATION,
} from '@mysql-portal/plugin-mysql-common';
import { InstanceCache, InstanceObjects } from './InstanceCache';
import { InstanceRecords } from './InstanceRecords';
import { MysqlStore } from './MysqlStore';
import { isReady } from './rollout';
import { MysqlEvents } from '../MysqlEvents';

/** The entity ref of a new instance: names are unique across clusters. */
export function instanceEntityRef(name: string): string {
  return stringifyEntityRef({ kind: 'resource', namespace: 'default', name });
}

/**
 * Keeps the cache's view to the instances the backend owns: it adopts, once
 * per cluster, the instances an earlier version of the plugin created
 * (labelled, with an owner annotation, no record and no MysqlInstance),
 * ignores with one log
 * line anything else that carries our labels, and notes when an instance
 * first runs Ready.
 */
export class Provenance {
  private readonly ignored = new Set<string>();
  private readonly checking = new Set<string>();
  /** Clusters whose adoption check is done; until then nothing is ignored. */
  private readonly settled = new Set<string>();

  constructor(
    private readonly cache: InstanceCache,
    private readonly records: InstanceRecords,
    private readonly store: MysqlStore,
    private readonly logger: LoggerService,
    /** Raises `recordsChanged` for every record it adds or removes. */
    private readonly events: MysqlEvents = new MysqlEvents(),
  ) {}

  start() {
    this.cache.onConnect(cluster => {
      this.adoptOnce(cluster).catch(error =>
        this.logger.error(`adopting instances in cluster ${cluster}: ${error}`),
      );
    });
    this.cache.onChange(ref => {
      this.check(ref).catch(error =>
        this.logger.warn(`checking the record of ${ref}: ${error}`),
      );
    });
  }

  /** Adopts the unrecorded, annotated instances of a cluster, the first time only. */
  async adoptOnce(cluster: string) {
    if (this.settled.has(cluster)) return;
    if (await this.records.adopted(cluster)) {
      this.settled.add(cluster);
      return;
    }
    // An instance with a MysqlInstance was made by this version, for the
    // portal that recorded it: another portal (a second Backstage on the
    // same namespace, or a fresh database) must not take it over.
    const legacy = this.cache
      .listAll(cluster)
      .filter(inst => !this.records.get(inst.ref) && !inst.resource)
      .sort((a, b) => created(a) - created(b));
    for (const inst of legacy) {
      // Another replica may adopt the same instance at the same moment.
      await this.adopt(inst).catch(error =>
        this.logger.warn(`not adopting ${inst.ref}: ${error}`),
      );
    }
    await this.records.markAdopted(cluster);
    this.settled.add(cluster);
    for (const inst of this.cache.listAll(cluster)) await this.check(inst.ref);
  }

  private async adopt(inst: InstanceObjects) {
    const owner =
      inst.statefulSet.metadata?.annotations?.[MYSQL_OWNER_ANNOTATION];
    if (!owner) {
      this.logger.warn(
        `not adopting ${inst.ref}: it has our labels but no ${MYSQL_OWNER_ANNOTATION} annotation`,
      );
      return;
    }
    const entityRef = await this.freeEntityRef(inst);
    if (!entityRef) {
      this.logger.warn(
        `not adopting ${inst.ref}: its name is taken by another instance's entity`,
      );
      return;
    }
    await this.records.add({
      ref: inst.ref,
      cluster: inst.cluster,
      namespace: inst.namespace,
      name: inst.name,
      entityRef,
      owner,
      origin: 'adopted',
      createdAt: inst.statefulSet.metadata?.creationTimestamp
        ? new Date(inst.statefulSet.metadata.creationTimestamp).toISOString()
        : new Date().toISOString(),
    });
    await this.store.addHistory(inst.ref, {
      kind: 'provision',
      message: `adopted from an earlier version of the plugin, owner ${owner}, entity ${entityRef}`,
    });
    this.logger.info(`adopted ${inst.ref} as ${entityRef}, owner ${owner}`);
    this.events.emit('recordsChanged');
  }

  /**
   * `resource:default/<name>`, or for a namesake in another namespace
   * `resource:default/<name>-<namespace>`, so that two instances never
   * share the entity that their permissions are checked against.
   */
  private async freeEntityRef(inst: InstanceObjects) {
    for (const name of [inst.name, `${inst.name}-${inst.namespace}`]) {
      if (!isDnsLabel(name)) continue;
      const ref = instanceEntityRef(name);
      if ((await this.records.findByName(name, ref)).length === 0) return ref;
    }
    return undefined;
  }

  private async check(ref: string) {
    if (this.records.get(ref)) {
      const inst = this.cache.get(ref);
      if (inst?.pods.some(isReady)) await this.records.markReady(ref);
      return;
    }
    const cluster = ref.split('/')[0];
    if (!this.settled.has(cluster)) return;
    if (this.ignored.has(ref) || this.checking.has(ref)) return;
    this.checking.add(ref);
    try {
      // Another replica may have created it a moment ago.
      if (await this.records.refresh(ref)) {
        this.events.emit('recordsChanged');
        return;
      }
      this.ignored.add(ref);
      this.logger.warn(
        `ignoring ${ref}: it carries the labels of the MySQL plugins but was not created through the backend`,
      );
    } finally {
      this.checking.delete(ref);
    }
  }
}

function created(inst: InstanceObjects) {
  return new Date(inst.statefulSet.metadata?.creationTimestamp ?? 0).getTime();
}
