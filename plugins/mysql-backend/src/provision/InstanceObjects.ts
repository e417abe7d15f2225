import { MYSQL_LABELS, MYSQL_MANAGED_BY } from '@internal/plugin-mysql-common';
import {
  MysqlClusterClient,
  MysqlManifests,
} from '@internal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { ConflictError } from '@backstage/errors';
import { describeKubernetesError, statusOf } from './kubernetesErrors';

/** The five objects of an instance, in creation order. */
export const OBJECT_KINDS = [
  'secret',
  'configMap',
  'headlessService',
  'service',
  'statefulSet',
] as const;

/** One of the objects of an instance. */
export type ObjectKind = (typeof OBJECT_KINDS)[number];

type AnyObject = k8s.KubernetesObject;

/** Create, read and delete for the objects of one instance. */
export class InstanceObjects {
  constructor(
    private readonly client: MysqlClusterClient,
    private readonly namespace: string,
  ) {}

  private describe(kind: ObjectKind, name: string) {
    const label = {
      secret: 'Secret',
      configMap: 'ConfigMap',
      headlessService: 'Service',
      service: 'Service',
      statefulSet: 'StatefulSet',
    }[kind];
    return `${label} ${this.namespace}/${name} in cluster ${this.client.config.name}`;
  }

  async read(kind: ObjectKind, name: string): Promise<AnyObject | undefined> {
    const { core, apps } = this.client;
    const args = { name, namespace: this.namespace };
    try {
      switch (kind) {
        case 'secret':
          return await core.readNamespacedSecret(args);
        case 'configMap':
          return await core.readNamespacedConfigMap(args);
        case 'statefulSet':
          return await apps.readNamespacedStatefulSet(args);
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

  async create(kind: ObjectKind, body: AnyObject): Promise<void> {
    const { core, apps } = this.client;
    const namespace = this.namespace;
    try {
      switch (kind) {
        case 'secret':
          await core.createNamespacedSecret({
            namespace,
            body: body as k8s.V1Secret,
          });
          break;
        case 'configMap':
          await core.createNamespacedConfigMap({
            namespace,
            body: body as k8s.V1ConfigMap,
          });
          break;
        case 'statefulSet':
          await apps.createNamespacedStatefulSet({
            namespace,
            body: body as k8s.V1StatefulSet,
          });
          break;
        default:
          await core.createNamespacedService({
            namespace,
            body: body as k8s.V1Service,
          });
      }
    } catch (error) {
      throw describeKubernetesError(
        error,
        `creating ${this.describe(kind, body.metadata!.name!)}`,
      );
    }
  }

  async delete(kind: ObjectKind, name: string): Promise<void> {
    const { core, apps } = this.client;
    const args = { name, namespace: this.namespace };
    try {
      switch (kind) {
        case 'secret':
          await core.deleteNamespacedSecret(args);
          break;
        case 'configMap':
          await core.deleteNamespacedConfigMap(args);
          break;
        case 'statefulSet':
          await apps.deleteNamespacedStatefulSet(args);
          break;
        default:
          await core.deleteNamespacedService(args);
      }
    } catch (error) {
      if (statusOf(error) !== 404) {
        throw describeKubernetesError(
          error,
          `deleting ${this.describe(kind, name)}`,
        );
      }
    }
  }

  /** Deletes the data volumes the StatefulSet controller made for `name`. */
  async deleteClaims(name: string): Promise<void> {
    const selector = `${MYSQL_LABELS.instance}=${name},${MYSQL_LABELS.managedBy}=${MYSQL_MANAGED_BY}`;
    try {
      await this.client.core.deleteCollectionNamespacedPersistentVolumeClaim({
        namespace: this.namespace,
        labelSelector: selector,
      });
    } catch (error) {
      throw describeKubernetesError(
        error,
        `deleting the data volumes of ${name}`,
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
