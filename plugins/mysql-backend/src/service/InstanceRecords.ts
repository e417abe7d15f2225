import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';

/**
 * The backend's record of an instance it created (or adopted from an
 * earlier version): the instance's provenance. Its owner and entity ref,
 * not labels on Kubernetes objects, decide who may change it.
 */
export interface InstanceRecord {
  ref: string;
  cluster: string;
  namespace: string;
  name: string;
  entityRef: string;
  owner: string;
  createdBy?: string;
  origin: 'created' | 'adopted';
  createdAt: string;
  readyAt?: string;
  /** The database and user made at creation; unknown for adopted instances. */
  databaseName?: string;
  username?: string;
}

/** What is left of an instance deleted through the portal. */
export interface DeletedInstance {
  ref: string;
  entityRef: string;
  owner: string;
  deletedBy?: string;
  deletedAt: string;
  keptData: boolean;
}

/** One object a provisioning run created. */
export interface CreatedObject {
  kind: string;
  name: string;
  uid: string;
}

/** A provisioning run: what one `POST /instances` created. */
export interface ProvisionRun {
  id: string;
  ref: string;
  actor?: string;
  startedAt: string;
  created: CreatedObject[];
  /** The data volume claim that existed before the run, if any. */
  claimUid?: string;
  undoneAt?: string;
}

function toRecord(row: any): InstanceRecord {
  const spec = row.spec ? JSON.parse(row.spec) : {};
  return {
    ref: row.instance_ref,
    cluster: row.cluster,
    namespace: row.namespace,
    name: row.name,
    entityRef: row.entity_ref,
    owner: row.owner,
    createdBy: row.created_by ?? undefined,
    origin: row.origin,
    createdAt: new Date(row.created_at).toISOString(),
    readyAt: row.ready_at ? new Date(row.ready_at).toISOString() : undefined,
    databaseName: spec.databaseName,
    username: spec.username,
  };
}

function toDeleted(row: any): DeletedInstance {
  return {
    ref: row.instance_ref,
    entityRef: row.entity_ref,
    owner: row.owner,
    deletedBy: row.deleted_by ?? undefined,
    deletedAt: new Date(row.deleted_at).toISOString(),
    keptData: Boolean(row.kept_data),
  };
}

function toRun(row: any): ProvisionRun {
  return {
    id: row.id,
    ref: row.instance_ref,
    actor: row.actor ?? undefined,
    startedAt: new Date(row.started_at).toISOString(),
    created: JSON.parse(row.created),
    claimUid: row.claim_uid ?? undefined,
    undoneAt: row.undone_at ? new Date(row.undone_at).toISOString() : undefined,
  };
}

/**
 * The instance records, kept in memory for the watches' hot paths and in
 * the plugin's database as the source of truth, so that every replica and
 * every restart agrees on which instances are ours.
 */
export class InstanceRecords {
  private readonly byRef = new Map<string, InstanceRecord>();

  static async create(db: Knex): Promise<InstanceRecords> {
    const records = new InstanceRecords(db);
    await records.reload();
    return records;
  }

  private constructor(private readonly db: Knex) {}

  /** Reads every record again (another replica may have added some). */
  async reload() {
    const rows = await this.db('mysql_instances').select();
    this.byRef.clear();
    for (const row of rows) this.byRef.set(row.instance_ref, toRecord(row));
  }

  /** Reads one record again; true when it exists. */
  async refresh(ref: string): Promise<boolean> {
    const row = await this.db('mysql_instances')
      .where({ instance_ref: ref })
      .first();
    if (row) this.byRef.set(ref, toRecord(row));
    else this.byRef.delete(ref);
    return !!row;
  }

  /** The record as the database has it now; another replica may have changed it. */
  async read(ref: string): Promise<InstanceRecord | undefined> {
    return (await this.refresh(ref)) ? this.byRef.get(ref) : undefined;
  }

  get(ref: string): InstanceRecord | undefined {
    return this.byRef.get(ref);
  }

  list(): InstanceRecord[] {
    return [...this.byRef.values()];
  }

  /** Records with this instance name or entity ref, in any cluster and namespace. */
  async findByName(name: string, entityRef: string): Promise<InstanceRecord[]> {
    const rows = await this.db('mysql_instances')
      .where({ name })
      .orWhere({ entity_ref: entityRef });
    return rows.map(toRecord);
  }

  /**
   * Adds a record. The database refuses a second record of the same
   * instance or entity, so two runs racing for one name cannot both win.
   */
  async add(record: InstanceRecord, spec?: unknown): Promise<void> {
    try {
      await this.db('mysql_instances').insert({
        instance_ref: record.ref,
        cluster: record.cluster,
        namespace: record.namespace,
        name: record.name,
        entity_ref: record.entityRef,
        owner: record.owner,
        created_by: record.createdBy ?? null,
        origin: record.origin,
        spec: spec === undefined ? null : JSON.stringify(spec),
        created_at: new Date(record.createdAt),
      });
    } catch (error) {
      const existing = await this.findByName(record.name, record.entityRef);
      if (existing.length === 0) throw error;
      throw new ConflictError(
        `${record.entityRef} is already recorded for ${existing
          .map(r => r.ref)
          .join(', ')}`,
      );
    }
    this.byRef.set(record.ref, record);
  }

  async remove(ref: string): Promise<void> {
    await this.db('mysql_instances').where({ instance_ref: ref }).delete();
    this.byRef.delete(ref);
  }

  /**
   * Replaces the record of a deleted instance with what is left of it, in
   * one transaction, so that its history stays and says who deleted it.
   */
  async markDeleted(
    record: InstanceRecord,
    deleted: { by?: string; keptData: boolean },
  ): Promise<void> {
    await this.db.transaction(async tx => {
      await tx('mysql_deleted_instances').insert({
        instance_ref: record.ref,
        entity_ref: record.entityRef,
        owner: record.owner,
        deleted_by: deleted.by ?? null,
        deleted_at: new Date(),
        kept_data: deleted.keptData,
      });
      await tx('mysql_instances').where({ instance_ref: record.ref }).delete();
    });
    this.byRef.delete(record.ref);
  }

  /** The last deletion of an instance of this ref, if any. */
  async lastDeleted(ref: string): Promise<DeletedInstance | undefined> {
    const row = await this.db('mysql_deleted_instances')
      .where({ instance_ref: ref })
      .orderBy('id', 'desc')
      .first();
    return row ? toDeleted(row) : undefined;
  }

  /** Notes that the instance ran Ready once; its runs can no longer be undone. */
  async markReady(ref: string): Promise<void> {
    const record = this.byRef.get(ref);
    if (!record || record.readyAt) return;
    const readyAt = new Date();
    await this.db('mysql_instances')
      .where({ instance_ref: ref })
      .whereNull('ready_at')
      .update({ ready_at: readyAt });
    this.byRef.set(ref, { ...record, readyAt: readyAt.toISOString() });
  }

  async adopted(cluster: string): Promise<boolean> {
    return !!(await this.db('mysql_adoptions').where({ cluster }).first());
  }

  async markAdopted(cluster: string): Promise<void> {
    await this.db('mysql_adoptions')
      .insert({ cluster, done_at: new Date() })
      .onConflict('cluster')
      .ignore();
  }

  async addRun(run: ProvisionRun): Promise<void> {
    await this.db('mysql_provision_runs').insert({
      id: run.id,
      instance_ref: run.ref,
      actor: run.actor ?? null,
      started_at: new Date(run.startedAt),
      created: JSON.stringify(run.created),
      claim_uid: run.claimUid ?? null,
    });
  }

  /** Records what a run has created so far; written after every object. */
  async updateRun(id: string, created: CreatedObject[]): Promise<void> {
    await this.db('mysql_provision_runs')
      .where({ id })
      .update({ created: JSON.stringify(created) });
  }

  async getRun(id: string): Promise<ProvisionRun | undefined> {
    const row = await this.db('mysql_provision_runs').where({ id }).first();
    return row ? toRun(row) : undefined;
  }

  async markUndone(id: string): Promise<void> {
    await this.db('mysql_provision_runs')
      .where({ id })
      .update({ undone_at: new Date() });
  }
}
