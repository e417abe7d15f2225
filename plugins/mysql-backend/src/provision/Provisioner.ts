import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { ANNOTATION_LOCATION } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CreateMysqlInstanceRequest,
  formatInstanceRef,
  MYSQL_INSTANCE_ANNOTATION,
  MysqlInstanceRef,
  MysqlProvisionPlan,
  MysqlProvisionRun,
} from '@mysql-portal/plugin-mysql-common';
import {
  buildMysqlManifests,
  generateInstancePasswords,
  instanceLocation,
  MysqlClusters,
  MysqlProvisionConfig,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import {
  CreatedObject,
  InstanceRecord,
  InstanceRecords,
} from '../service/InstanceRecords';
import { MysqlStore } from '../service/MysqlStore';
import { instanceEntityRef } from '../service/Provenance';
import {
  claimName,
  InstanceObjects,
  OBJECT_KINDS,
  ObjectKind,
} from './InstanceObjects';
import { toProvisionRequest } from './provisionRequest';
import { MysqlEvents } from '../MysqlEvents';

/** The pseudo-kind a run uses to remember that it made the record. */
const RECORD = 'record';

/** A controller reference to `owner`, as its children carry it. */
function ownerReferenceTo(
  owner: k8s.KubernetesObject | undefined,
): k8s.V1OwnerReference | undefined {
  if (!owner?.metadata?.uid) return undefined;
  return {
    apiVersion: owner.apiVersion!,
    kind: owner.kind!,
    name: owner.metadata.name!,
    uid: owner.metadata.uid,
    controller: true,
  };
}

/** What `create` did. */
export interface ProvisionResult {
  ref: MysqlInstanceRef;
  run?: MysqlProvisionRun;
}

/**
 * Creates instances (`POST /instances`) and undoes failed runs. Every
 * object a run creates is remembered by UID, and only those are ever
 * removed again; a data volume that existed before a run is never touched.
 */
export class Provisioner {
  constructor(
    private readonly clusters: MysqlClusters,
    private readonly provision: MysqlProvisionConfig,
    private readonly records: InstanceRecords,
    private readonly store: MysqlStore,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    /** Raises `recordsChanged` for every record it adds or removes. */
    private readonly events: MysqlEvents = new MysqlEvents(),
  ) {}

  /** Checks a request and renders its objects, without passwords; creates nothing. */
  plan(
    input: CreateMysqlInstanceRequest,
    restore?: Parameters<typeof toProvisionRequest>[3],
  ): MysqlProvisionPlan {
    const { cluster, spec } = toProvisionRequest(
      input,
      this.clusters,
      this.provision,
      restore,
    );
    const manifests = buildMysqlManifests(spec);
    return {
      cluster,
      namespace: spec.namespace,
      name: spec.name,
      entityRef: instanceEntityRef(spec.name),
      owner: spec.owner,
      image: spec.image,
      manifests: OBJECT_KINDS.map(kind => k8s.dumpYaml(manifests[kind])).join(
        '---\n',
      ),
    };
  }

  /**
   * Creates what is missing of the instance. A new instance is recorded
   * first, so that of two runs racing for one name only one proceeds. A
   * repeated request for a recorded instance is allowed only when
   * `authorizeRerun` allows it, and creates only missing objects.
   */
  async create(
    input: CreateMysqlInstanceRequest,
    options: {
      actor: string;
      authorizeRerun: (record: InstanceRecord) => Promise<void>;
      restore?: Parameters<typeof toProvisionRequest>[3];
    },
  ): Promise<ProvisionResult> {
    const request = toProvisionRequest(
      input,
      this.clusters,
      this.provision,
      options.restore,
    );
    const { spec, cluster } = request;
    const { name, namespace } = spec;
    const ref = { cluster, namespace, name };
    const instanceRef = formatInstanceRef(ref);
    const entityRef = instanceEntityRef(name);

    // The database, not this replica's memory: another one may have
    // created or undone it a moment ago.
    const record = await this.records.read(instanceRef);
    if (record) {
      if (record.owner !== spec.owner) {
        throw new ConflictError(
          `${instanceRef} already exists and is owned by ${record.owner}, not ${spec.owner}; nothing was changed`,
        );
      }
    } else {
      await this.checkNameFree(name, entityRef, instanceRef);
    }

    const objects = new InstanceObjects(
      this.clusters.client(cluster),
      namespace,
    );
    const manifests = buildMysqlManifests(spec);
    const existing = await objects.readOwned(manifests, name);
    const claim = existing.has('statefulSet')
      ? undefined
      : await objects.read('claim', claimName(name));
    if (claim && !request.adoptExistingData) {
      throw new ConflictError(
        `${objects.label(
          'claim',
          claimName(name),
        )} already exists: the data volume of an earlier instance named ${name}. ` +
          'Nothing was changed. To keep that data, run again with adoptExistingData: true; ' +
          'otherwise choose another name, or delete the claim yourself.',
      );
    }
    if ((claim || existing.has('statefulSet')) && !existing.has('secret')) {
      // New passwords would lock everyone out of the existing data.
      throw new ConflictError(
        `the data of ${instanceRef} keeps the passwords it was created with, and its Secret ${namespace}/${name} is gone. ` +
          'Nothing was changed. Recreate the Secret with those passwords (keys root-password, password, monitor-password) and run again.',
      );
    }

    const missing = OBJECT_KINDS.filter(kind => !existing.has(kind));
    if (missing.length === 0) {
      if (!record) {
        throw new ConflictError(
          `${instanceRef} exists but was not created through the portal; nothing was changed. Choose another name.`,
        );
      }
      return { ref };
    }
    if (record) await options.authorizeRerun(record);

    const run = {
      id: randomUUID(),
      ref: instanceRef,
      actor: options.actor,
      startedAt: new Date().toISOString(),
      created: [] as CreatedObject[],
      claimUid: claim?.metadata?.uid,
    };
    if (!record) {
      await this.records.add(
        {
          ref: instanceRef,
          cluster,
          namespace,
          name,
          entityRef,
          owner: spec.owner,
          createdBy: options.actor,
          origin: 'created',
          createdAt: run.startedAt,
          databaseName: spec.databaseName,
          username: spec.username,
        },
        spec,
      );
      // A namesake deleted earlier must not pass on its history.
      await this.store.forget(instanceRef);
      run.created.push({ kind: RECORD, name: instanceRef, uid: '' });
    }
    await this.records.addRun(run);
    this.events.emit('recordsChanged');

    // The children are owned by the MysqlInstance, so that Kubernetes (and
    // kubectl) see the one object they belong to.
    let owner = ownerReferenceTo(existing.get('instance'));
    try {
      for (const kind of missing) {
        let body: k8s.KubernetesObject = manifests[kind];
        if (kind === 'secret') {
          body = {
            ...manifests.secret,
            stringData: {
              ...manifests.secret.stringData,
              ...generateInstancePasswords(),
            },
          } as k8s.V1Secret;
        }
        if (owner && kind !== 'instance') {
          body = {
            ...body,
            metadata: { ...body.metadata, ownerReferences: [owner] },
          };
        }
        const made = await objects.create(kind, body);
        if (kind === 'instance') owner = ownerReferenceTo(made);
        run.created.push({
          kind,
          name: made.metadata!.name!,
          uid: made.metadata!.uid!,
        });
        await this.records.updateRun(run.id, run.created);
      }
    } catch (error) {
      this.logger.warn(
        `creating ${instanceRef} failed (${error}); removing what this run created`,
      );
      await this.removeCreated(objects, run, false);
      throw error;
    }

    const made = run.created.filter(o => o.kind !== RECORD);
    await this.store.addHistory(instanceRef, {
      kind: 'provision',
      actor: options.actor,
      message: record
        ? `repaired: created ${made.map(o => o.name).join(', ')}`
        : `created: ${spec.image}, owner ${spec.owner}${
            claim ? `, with the data of ${claimName(name)}` : ''
          }`,
    });
    return {
      ref,
      run: {
        id: run.id,
        created: made.map(o => objects.label(o.kind as ObjectKind, o.name)),
      },
    };
  }

  /** A run of this instance; 404 when there is none of that id. */
  async run(ref: MysqlInstanceRef, runId: string) {
    const run = await this.records.getRun(runId);
    if (!run || run.ref !== formatInstanceRef(ref)) {
      throw new NotFoundError(
        `no provisioning run ${runId} of ${formatInstanceRef(ref)}`,
      );
    }
    return run;
  }

  /**
   * Removes exactly what one run created, for a run whose instance never
   * ran Ready. Nothing that existed before the run is touched.
   */
  async undo(ref: MysqlInstanceRef, runId: string, actor: string) {
    const instanceRef = formatInstanceRef(ref);
    const run = await this.run(ref, runId);
    if (run.undoneAt) return;
    const objects = new InstanceObjects(
      this.clusters.client(ref.cluster),
      ref.namespace,
    );
    const sts = run.created.find(o => o.kind === 'statefulSet');
    const record = await this.records.read(instanceRef);
    if (
      (sts && (await objects.hasReadyPod(sts.name, sts.uid))) ||
      (record?.readyAt && record.readyAt >= run.startedAt)
    ) {
      throw new ConflictError(
        `${instanceRef} has run Ready since run ${runId}; it is not undone. Delete the instance instead.`,
      );
    }
    await this.removeCreated(objects, run, true);
    if (this.records.get(instanceRef)) {
      await this.store.addHistory(instanceRef, {
        kind: 'provision',
        actor,
        message: `undid the run that created ${run.created
          .filter(o => o.kind !== RECORD)
          .map(o => o.name)
          .join(', ')}`,
      });
    }
  }

  private async removeCreated(
    objects: InstanceObjects,
    run: {
      id: string;
      ref: string;
      startedAt: string;
      created: CreatedObject[];
      claimUid?: string;
    },
    withClaim: boolean,
  ) {
    for (const object of [...run.created].reverse()) {
      if (object.kind === RECORD) continue;
      await objects.deleteByUid(
        object.kind as ObjectKind,
        object.name,
        object.uid,
      );
    }
    const sts = run.created.find(o => o.kind === 'statefulSet');
    if (withClaim && sts) {
      // The controller made a claim for the run's StatefulSet; one that
      // existed before the run (claimUid) stays.
      const name = claimName(sts.name);
      const claim = await objects.read('claim', name);
      const uid = claim?.metadata?.uid;
      const made = new Date(claim?.metadata?.creationTimestamp ?? 0).getTime();
      if (
        uid &&
        uid !== run.claimUid &&
        made >= new Date(run.startedAt).getTime() - 1000
      ) {
        await objects.deleteByUid('claim', name, uid);
      }
    }
    if (run.created.some(o => o.kind === RECORD)) {
      await this.records.remove(run.ref);
      this.events.emit('recordsChanged');
    }
    await this.records.markUndone(run.id);
  }

  private async checkNameFree(
    name: string,
    entityRef: string,
    instanceRef: string,
  ) {
    const namesakes = await this.records.findByName(name, entityRef);
    if (namesakes.length > 0) {
      throw new ConflictError(
        `name: "${name}" is taken by ${namesakes
          .map(r => r.ref)
          .join(
            ', ',
          )}. Instance names are unique across clusters and namespaces; choose another name.`,
      );
    }
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials: await this.auth.getOwnServiceCredentials(),
    });
    // Only our own provider's entity counts: anyone who may register a
    // location could write the instance annotation.
    const holder =
      entity?.metadata.annotations?.[ANNOTATION_LOCATION] ===
      instanceLocation(instanceRef)
        ? entity.metadata.annotations?.[MYSQL_INSTANCE_ANNOTATION]
        : undefined;
    if (entity && holder !== instanceRef) {
      throw new ConflictError(
        `name: "${name}" is taken: the catalog already has ${entityRef}${
          holder ? ` for ${holder}` : ''
        }. Instance names are unique across clusters and namespaces; choose another name.`,
      );
    }
  }
}
