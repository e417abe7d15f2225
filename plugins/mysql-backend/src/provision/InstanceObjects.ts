import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import {
  MYSQL_LABELS,
  MYSQL_MANAGED_BY,
} from '@mysql-portal/plugin-mysql-common';
import {
  MYSQL_INSTANCE_API,
  MysqlClusterClient,
  MysqlManifests,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { describeKubernetesError, statusOf } from '../service/kubernetesErrors';
import { isReady } from '../service/rollout';
import { INSTANCE_API } from '../service/instanceResource';
import { MERGE_PATCH } from '../service/kubernetesWrites';

/** The objects of an instance, in creation order: its resource first. */
export const OBJECT_KINDS = [
  'instance',
  'secret',
  'configMap',
  'headlessService',
  'service',
  'statefulSet',
] as const;

/** One of the objects of an instance, or its data volume claim. */
export type ObjectKind = (typeof OBJECT_KINDS)[number] | 'claim';

const KIND_LABELS: Record<ObjectKind, string> = {
  instance: MYSQL_INSTANCE_API.kind,
  secret: 'Secret',
  configMap: 'ConfigMap',
  headlessService: 'Service',
  service: 'Service',
  statefulSet: 'StatefulSet',
  claim: 'PersistentVolumeClaim',
};

type AnyObject = k8s.KubernetesObject;

/** The claim the StatefulSet controller makes for the only pod of `name`. */
export function claimName(name: string): string {
  return `data-${name}-0`;
}

/** Create, read and delete-by-UID for the objects of one instance. */
export class InstanceObjects {
  constructor(
    private readonly client: MysqlClusterClient,
    private readonly namespace: string,
  ) {}

  /** `Kind namespace/name`, as messages and the run record name objects. */
  label(kind: ObjectKind, name: string) {
    return `${KIND_LABELS[kind]} ${this.namespace}/${name}`;
  }

  private describe(kind: ObjectKind, name: string) {
    return `${this.label(kind, name)} in cluster ${this.client.config.name}`;
  }

  async read(kind: ObjectKind, name: string): Promise<AnyObject | undefined> {
    const { core, apps, custom } = this.client;
    const args = { name, namespace: this.namespace };
    try {
      switch (kind) {
        case 'instance':
          return await custom.getNamespacedCustomObject({
            ...INSTANCE_API,
            ...args,
          });
        case 'secret':
          return await core.readNamespacedSecret(args);
        case 'configMap':
          return await core.readNamespacedConfigMap(args);
        case 'statefulSet':
          return await apps.readNamespacedStatefulSet(args);
        case 'claim':
          return await core.readNamespacedPersistentVolumeClaim(args);
        default:
          return await core.readNamespacedService(args);
      }
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw describeKubernetesError(
        error,
        `reading ${this.describe(kind, name)}`,
      );
    }
  }

  /** Creates the object and returns it as the API server stored it. */
  async create(kind: ObjectKind, body: AnyObject): Promise<AnyObject> {
    const { core, apps, custom } = this.client;
    const namespace = this.namespace;
    try {
      switch (kind) {
        case 'instance':
          return await custom.createNamespacedCustomObject({
            ...INSTANCE_API,
            namespace,
            body,
          });
        case 'secret':
          return await core.createNamespacedSecret({
            namespace,
            body: body as k8s.V1Secret,
          });
        case 'configMap':
          return await core.createNamespacedConfigMap({
            namespace,
            body: body as k8s.V1ConfigMap,
          });
        case 'statefulSet':
          return await apps.createNamespacedStatefulSet({
            namespace,
            body: body as k8s.V1StatefulSet,
          });
        case 'claim':
          throw new Error('claims are made by the StatefulSet controller');
        default:
          return await core.createNamespacedService({
            namespace,
            body: body as k8s.V1Service,
          });
      }
    } catch (error) {
      const doing = `creating ${this.describe(kind, body.metadata!.name!)}`;
      if (kind === 'instance' && statusOf(error) === 404) {
        throw new ServiceUnavailableError(
          `${doing}: the cluster does not know the MysqlInstance resource; install its definition with kubectl apply -f deploy/crds/ from the plugin's repository`,
        );
      }
      throw describeKubernetesError(error, doing);
    }
  }

  /**
   * Deletes the object only if it is still the one with `uid`: the API
   * server checks the precondition, so a namesake created since is kept.
   * Returns false when there was nothing of that UID to delete.
   */
  async deleteByUid(
    kind: ObjectKind,
    name: string,
    uid: string,
  ): Promise<boolean> {
    const { core, apps, custom } = this.client;
    const args = {
      name,
      namespace: this.namespace,
      body: { preconditions: { uid } },
    };
    try {
      switch (kind) {
        case 'instance':
          await custom.deleteNamespacedCustomObject({
            ...INSTANCE_API,
            ...args,
          });
          break;
        case 'secret':
          await core.deleteNamespacedSecret(args);
          break;
        case 'configMap':
          await core.deleteNamespacedConfigMap(args);
          break;
        case 'statefulSet':
          await apps.deleteNamespacedStatefulSet(args);
          break;
        case 'claim':
          await core.deleteNamespacedPersistentVolumeClaim(args);
          break;
        default:
          await core.deleteNamespacedService(args);
      }
      return true;
    } catch (error) {
      // 404: already gone; 409: another object of that name now.
      if (statusOf(error) === 404 || statusOf(error) === 409) return false;
      throw describeKubernetesError(
        error,
        `deleting ${this.describe(kind, name)}`,
      );
    }
  }

  /**
   * Removes the ownerReferences of a kept object, so that deleting its
   * MysqlInstance does not take it along.
   */
  async disown(kind: 'secret', name: string): Promise<void> {
    try {
      await this.client.core.patchNamespacedSecret(
        {
          name,
          namespace: this.namespace,
          body: { metadata: { ownerReferences: null } },
        },
        MERGE_PATCH,
      );
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw describeKubernetesError(
        error,
        `keeping ${this.describe(kind, name)}`,
      );
    }
  }

  /** Whether a pod of the StatefulSet with `uid` is Ready now. */
  async hasReadyPod(name: string, uid: string): Promise<boolean> {
    try {
      const pods = await this.client.core.listNamespacedPod({
        namespace: this.namespace,
        labelSelector: `${MYSQL_LABELS.instance}=${name}`,
      });
      return pods.items.some(
        pod =>
          pod.metadata?.ownerReferences?.some(owner => owner.uid === uid) &&
          isReady(pod),
      );
    } catch (error) {
      throw describeKubernetesError(
        error,
        `reading the pods of ${this.describe('statefulSet', name)}`,
      );
    }
  }

  /**
   * Reads every object of the instance and refuses when one exists that we
   * do not manage, before anything is changed.
   */
  async readOwned(manifests: MysqlManifests, name: string) {
    const existing = new Map<ObjectKind, AnyObject>();
    for (const kind of OBJECT_KINDS) {
      const objectName = manifests[kind].metadata!.name!;
      const found = await this.read(kind, objectName);
      if (!found) continue;
      const labels = found.metadata?.labels ?? {};
      if (
        labels[MYSQL_LABELS.managedBy] !== MYSQL_MANAGED_BY ||
        labels[MYSQL_LABELS.instance] !== name
      ) {
        throw new ConflictError(
          `${this.describe(
            kind,
            objectName,
          )} already exists and is not managed by Backstage ` +
            `(it lacks the labels ${MYSQL_LABELS.managedBy}=${MYSQL_MANAGED_BY} and ` +
            `${MYSQL_LABELS.instance}=${name}). Nothing was changed; choose another name.`,
        );
      }
      existing.set(kind, found);
    }
    return existing;
  }
}
