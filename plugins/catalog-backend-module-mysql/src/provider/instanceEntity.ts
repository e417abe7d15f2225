import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  parseEntityRef,
} from '@backstage/catalog-model';
import {
  formatInstanceRef,
  MYSQL_INSTANCE_ANNOTATION,
  MysqlInstanceSummary,
} from '@mysql-portal/plugin-mysql-common';
import { instanceLocation } from '@mysql-portal/plugin-mysql-node';

/** The location key of an instance's entity. */
export function locationOf(instance: MysqlInstanceSummary): string {
  return instanceLocation(formatInstanceRef(instance));
}

/**
 * The catalog entity of one instance the mysql backend recorded: its name
 * and owner are the recorded ones, never read from labels on the cluster.
 */
export function instanceEntity(instance: MysqlInstanceSummary): Entity {
  const { cluster, namespace, name } = instance;
  const ref = parseEntityRef(instance.entityRef);
  const location = locationOf(instance);
  const image = instance.version.image;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      title: ref.name === name ? name : `${name} (${namespace})`,
      description: `Standalone MySQL${
        image ? ` (${image})` : ''
      } in ${namespace} on cluster ${cluster}`,
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        [MYSQL_INSTANCE_ANNOTATION]: formatInstanceRef(instance),
        'backstage.io/kubernetes-id': name,
        'backstage.io/kubernetes-namespace': namespace,
      },
      tags: ['mysql'],
    },
    spec: {
      type: 'database',
      owner: instance.owner,
    },
  };
}
