import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  describeMysqlConfigChange,
  formatInstanceRef,
  MYSQL_CONFIG_HASH_ANNOTATION,
  MysqlConfigValue,
  MysqlInstanceDetail,
  MysqlInstancePhase,
  MysqlInstanceRef,
  MysqlInstanceStatus,
  MysqlInstanceSummary,
  MysqlReconcilerMode,
  planMysqlConfigChange,
} from '@mysql-portal/plugin-mysql-common';
import {
  MYSQL_SECRET_KEYS,
  MysqlClusters,
  MysqlInstanceResource,
} from '@mysql-portal/plugin-mysql-node';
import { specToken } from '../domain/specConfig';
import { readInstanceResource, replaceSpecConfig } from './instanceResource';
import * as k8s from '@kubernetes/client-node';
import { InstanceCache, InstanceObjects } from './InstanceCache';
import { InstanceRecord, InstanceRecords } from './InstanceRecords';
import { describeKubernetesError, statusOf } from './kubernetesErrors';
import { InstanceStatuses } from './InstanceStatuses';
import { MysqlStore, Observation } from './MysqlStore';
import {
  readRollout,
  RESTARTED_AT_ANNOTATION,
  ROLLOUT_ANNOTATION,
} from './rollout';
import { refuseWhileDeleting } from '../domain/deleteState';
import { computePhase, configView } from './status';
import { connectionDetails } from './connection';
import { restartPending, versionDrift } from '../fleet/facts';
import { MERGE_PATCH } from './kubernetesWrites';

/** How long a new instance may go unseen by the watches before it counts as missing. */
const NEW_INSTANCE_GRACE_MS = 60_000;

/**
 * What the REST API serves and changes: the instances the backend recorded,
 * joined with what the watches see and what the store keeps.
 */
export class InstanceService {
  private readonly mode: MysqlReconcilerMode;
  private readonly detailExtras: (
    ref: string,
  ) => Promise<Partial<MysqlInstanceDetail>>;
  private readonly statuses: InstanceStatuses;

  constructor(
    private readonly clusters: MysqlClusters,
    private readonly cache: InstanceCache,
    private readonly store: MysqlStore,
    private readonly records: InstanceRecords,
    options: {
      mode?: MysqlReconcilerMode;
      /** Adds what other parts of the backend know to each detail (restore, upgrade). */
      detailExtras?: (ref: string) => Promise<Partial<MysqlInstanceDetail>>;
    } = {},
  ) {
    this.mode = options.mode ?? 'restart';
    this.detailExtras = options.detailExtras ?? (async () => ({}));
    this.statuses = new InstanceStatuses(store);
  }

  private readonly adoptedNames = new Map<
    string,
    { databaseName?: string; username?: string }
  >();

  /** The record of an instance; 404 for anything the backend did not create. */
  async record(ref: MysqlInstanceRef): Promise<InstanceRecord> {
    const key = formatInstanceRef(ref);
    if (!this.clusters.list().some(c => c.name === ref.cluster)) {
      throw new NotFoundError(`cluster "${ref.cluster}" is not configured`);
    }
    const record = this.records.get(key) ?? (await this.records.read(key));
    if (record) return record;
    const deleted = await this.records.lastDeleted(key);
    throw new NotFoundError(
      deleted
        ? `no MySQL instance ${key}: ${
            deleted.deletedBy ?? 'someone'
          } deleted it at ${deleted.deletedAt}${
            deleted.keptData ? ', keeping its data volume and Secret' : ''
          }`
        : `no MySQL instance ${key}`,
    );
  }

  /** The watched objects of an instance, for changes to it. */
  private async objects(ref: MysqlInstanceRef): Promise<InstanceObjects> {
    const record = await this.record(ref);
    const inst = this.cache.get(record.ref);
    if (inst) {
      refuseWhileDeleting(inst);
      return inst;
    }
    if (!this.cache.connected(ref.cluster, ref.namespace)) {
      throw new ServiceUnavailableError(
        `cluster ${ref.cluster} is starting or does not answer yet; try again shortly`,
      );
    }
    throw new ConflictError(
      `${record.ref} has no StatefulSet yet, or it was deleted outside the portal; run the create template again with the same input and adoptExistingData: true to repair it on its data`,
    );
  }

  private summary(
    record: InstanceRecord,
    observation: Observation | undefined,
  ): MysqlInstanceSummary {
    const inst = this.cache.get(record.ref);
    // One namespace the backend cannot watch does not darken the others.
    const connected = this.cache.connected(record.cluster, record.namespace);
    const { phase, message } = inst
      ? computePhase(inst, observation, connected, !!record.readyAt)
      : missingPhase(record, connected);
    const image =
      inst?.statefulSet.spec?.template.spec?.containers[0]?.image ?? '';
    return {
      cluster: record.cluster,
      namespace: record.namespace,
      name: record.name,
      entityRef: record.entityRef,
      owner: record.owner,
      status: this.statuses.resolve(record.ref, phase, message),
      version: { image, server: observation?.version },
      createdAt: record.createdAt,
      drift: versionDrift(image, observation),
      pendingRestart: inst ? restartPending(inst) : false,
    };
  }

  /** The records of every instance in a configured cluster. */
  listRecords(): InstanceRecord[] {
    const configured = new Set(this.clusters.list().map(c => c.name));
    return this.records.list().filter(r => configured.has(r.cluster));
  }

  /** The summary of one instance, with one read of the store. */
  async summaryOf(record: InstanceRecord): Promise<MysqlInstanceSummary> {
    await this.statuses.load();
    return this.summary(record, await this.store.getObservation(record.ref));
  }

  /** The summaries of these instances, from memory and one read of the store. */
  async summaries(records: InstanceRecord[]): Promise<MysqlInstanceSummary[]> {
    await this.statuses.load();
    const observations = await this.store.listObservations();
    return records.map(record =>
      this.summary(record, observations.get(record.ref)),
    );
  }

  /**
   * Computes every phase and saves those that changed; for the background
   * task. Returns the statuses that changed, by instance ref, and every
   * instance's summary.
   */
  async saveStatuses(): Promise<{
    changed: Map<string, MysqlInstanceStatus>;
    summaries: Array<{ record: InstanceRecord; summary: MysqlInstanceSummary }>;
  }> {
    const records = this.listRecords();
    const summaries = await this.summaries(records);
    return {
      changed: await this.statuses.save(),
      summaries: records.map((record, i) => ({
        record,
        summary: summaries[i],
      })),
    };
  }

  async detail(ref: MysqlInstanceRef): Promise<MysqlInstanceDetail> {
    const record = await this.record(ref);
    await this.statuses.load();
    const inst = this.cache.get(record.ref);
    const [observation, history] = await Promise.all([
      this.store.getObservation(record.ref),
      this.store.listHistory(record.ref, { since: record.createdAt }),
    ]);
    const summary = this.summary(record, observation);
    return {
      ...summary,
      version: {
        ...summary.version,
        comment: observation?.versionComment,
        lastPolledAt: observation?.polledAt,
      },
      uptimeSeconds: observation?.reachable
        ? observation.uptimeSeconds
        : undefined,
      config: inst
        ? configView(inst, observation, this.mode)
        : {
            desired: {},
            applied: {},
            pending: [],
            restartRequired: false,
            mode: this.mode,
          },
      resourceVersion: inst ? specToken(inst) : '',
      history,
      connection: connectionDetails(record, await this.names(record)),
      ...(await this.detailExtras(record.ref)),
    };
  }

  /**
   * The database and user of an instance. Adopted instances have no
   * recorded spec: their Secret says, read once (it never changes).
   */
  private async names(record: InstanceRecord) {
    if (record.databaseName) return record;
    // A namesake made later is another instance, with its own Secret.
    const key = `${record.ref}@${record.createdAt}`;
    const known = this.adoptedNames.get(key);
    if (known) return known;
    try {
      const secret = await this.clusters
        .client(record.cluster)
        .core.readNamespacedSecret({
          name: record.name,
          namespace: record.namespace,
        });
      const decode = (secretKey: string) => {
        const value = secret.data?.[secretKey];
        return value
          ? Buffer.from(value, 'base64').toString('utf8')
          : undefined;
      };
      const names = {
        databaseName: decode(MYSQL_SECRET_KEYS.database),
        username: decode(MYSQL_SECRET_KEYS.username),
      };
      this.adoptedNames.set(key, names);
      return names;
    } catch {
      return {};
    }
  }

  /** Waits until the watches have seen a new instance's StatefulSet, for at most 5 s. */
  async seen(ref: MysqlInstanceRef) {
    const key = formatInstanceRef(ref);
    const deadline = Date.now() + 5000;
    while (!this.cache.get(key) && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  /**
   * Replaces `spec.config` of the instance's MysqlInstance. Everything is
   * checked before the write; `resourceVersion` is the generation the edit
   * started from, and the write carries the resourceVersion of the object
   * it was checked against, so a stale edit gets a 409 and nothing changes.
   * The Reconciler renders the spec into the ConfigMap.
   */
  async updateConfig(
    ref: MysqlInstanceRef,
    config: Record<string, MysqlConfigValue>,
    resourceVersion: string,
    actor: string,
  ): Promise<{ changes: string[] }> {
    const inst = await this.objects(ref);
    if (!inst.resource) {
      throw new ConflictError(
        `${inst.ref} has no MysqlInstance yet (the backend makes one within a poll); try again in a moment`,
      );
    }
    const { custom } = this.clusters.client(inst.cluster);
    const stale = () =>
      new ConflictError(
        `the configuration of ${inst.ref} was changed by someone else (resourceVersion ${resourceVersion} is stale); reload and edit again`,
      );
    // The cache's copy is checked first; the API server's only when the
    // cache has not seen the generation the client holds yet.
    let base = inst.resource;
    if (String(base.metadata.generation) !== resourceVersion) {
      base = await this.readResource(inst);
    }
    const plan = planMysqlConfigChange(
      base.spec.config ?? {},
      config,
      this.mode,
      inst.statefulSet.spec?.template.spec?.containers[0]?.image,
    );
    if (plan.problems.length > 0) {
      throw new InputError(
        `Invalid configuration:\n- ${plan.problems
          .map(p => `config.${p.field}: ${p.message}`)
          .join('\n- ')}`,
      );
    }
    if (String(base.metadata.generation) !== resourceVersion) throw stale();
    const changes = plan.changes.map(describeMysqlConfigChange);
    if (changes.length === 0) return { changes };
    let written: MysqlInstanceResource;
    for (let attempt = 1; ; attempt++) {
      try {
        written = await replaceSpecConfig(custom, base, plan.values, actor);
        break;
      } catch (error) {
        if (statusOf(error) !== 409) {
          throw describeKubernetesError(
            error,
            `writing the configuration of ${inst.ref}`,
          );
        }
        if (attempt >= 3) throw stale();
        // A status write moves the resourceVersion but not the generation:
        // only a change of the spec makes this edit stale.
        base = await this.readResource(inst);
        if (String(base.metadata.generation) !== resourceVersion) {
          throw stale();
        }
      }
    }
    await this.store.addHistory(inst.ref, {
      kind: 'edit',
      actor,
      message: changes.join(', '),
    });
    await this.cacheCaughtUp(inst.ref, written.metadata.resourceVersion!);
    return { changes };
  }

  private async readResource(inst: InstanceObjects) {
    try {
      return await readInstanceResource(
        this.clusters.client(inst.cluster).custom,
        inst.namespace,
        inst.name,
      );
    } catch (error) {
      throw describeKubernetesError(error, `reading ${inst.ref}`);
    }
  }

  /** Lets the answer to a write show the write: the watch delivers it within moments. */
  private async cacheCaughtUp(ref: string, resourceVersion: string) {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (
        this.cache.get(ref)?.resource?.metadata?.resourceVersion ===
        resourceVersion
      )
        return;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  /** Rolls the pod without a configuration change. */
  /**
   * Rolls the server's pod, unless a rollout is under way: the reconciler
   * owns the rollout record then, and a restart on top would replace it.
   * The record is written with the StatefulSet's resourceVersion, read from
   * the API server, so it never overwrites one written meanwhile.
   */
  async restart(ref: MysqlInstanceRef, actor: string) {
    const inst = await this.objects(ref);
    const { apps } = this.clusters.client(inst.cluster);
    let sts: k8s.V1StatefulSet;
    try {
      sts = await apps.readNamespacedStatefulSet({
        name: inst.name,
        namespace: inst.namespace,
      });
    } catch (error) {
      throw describeKubernetesError(error, `reading ${inst.ref}`);
    }
    const under = readRollout(sts);
    if (under && !under.failed) {
      throw new ConflictError(
        `${inst.ref} is already restarting (a ${under.reason} since ${under.startedAt}); restart it once that is done`,
      );
    }
    const now = new Date().toISOString();
    try {
      await apps.patchNamespacedStatefulSet(
        {
          name: inst.name,
          namespace: inst.namespace,
          body: {
            metadata: {
              resourceVersion: sts.metadata!.resourceVersion,
              annotations: {
                [ROLLOUT_ANNOTATION]: JSON.stringify({
                  hash: sts.spec?.template.metadata?.annotations?.[
                    MYSQL_CONFIG_HASH_ANNOTATION
                  ],
                  startedAt: now,
                  reason: 'restart',
                }),
              },
            },
            spec: {
              template: {
                metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: now } },
              },
            },
          },
        },
        MERGE_PATCH,
      );
    } catch (error) {
      if (statusOf(error) === 409) {
        throw new ConflictError(
          `${inst.ref} changed while the restart was asked for; nothing was restarted, try again`,
        );
      }
      throw describeKubernetesError(error, `restarting ${inst.ref}`);
    }
    await this.store.addHistory(inst.ref, {
      kind: 'restart',
      actor,
      message: 'restart requested',
    });
  }
}

/** The phase of a recorded instance whose StatefulSet the watches do not see. */
function missingPhase(
  record: InstanceRecord,
  connected: boolean,
): { phase: MysqlInstancePhase; message: string } {
  if (!connected) {
    return {
      phase: 'Unreachable',
      message: `cluster ${record.cluster} does not answer`,
    };
  }
  if (
    Date.now() - new Date(record.createdAt).getTime() <
    NEW_INSTANCE_GRACE_MS
  ) {
    return { phase: 'Provisioning', message: 'creating the objects' };
  }
  return {
    phase: 'Degraded',
    message:
      'its StatefulSet is missing (deleted outside the portal?); run the create template again with the same input and adoptExistingData: true to repair it on its data',
  };
}
