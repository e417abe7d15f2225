import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  formatInstanceRef,
  MYSQL_INSTANCE_ANNOTATION,
  MYSQL_OWNER_ANNOTATION,
} from '@internal/plugin-mysql-common';
import * as k8s from '@kubernetes/client-node';

/**
 * The catalog entity of one managed StatefulSet, or undefined when the
 * StatefulSet carries no owner (it was not made by `mysql:provision`).
 */
export function instanceEntity(
  cluster: string,
  sts: k8s.V1StatefulSet,
): Entity | undefined {
  const name = sts.metadata?.name;
  const namespace = sts.metadata?.namespace;
  const owner = sts.metadata?.annotations?.[MYSQL_OWNER_ANNOTATION];
  if (!name || !namespace || !owner) return undefined;
  const instanceRef = formatInstanceRef({ cluster, namespace, name });
  const image = sts.spec?.template.spec?.containers[0]?.image ?? 'mysql';
  const location = `mysql-provider:${instanceRef}`;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      title: name,
      description: `Standalone MySQL (${image}) in ${namespace} on cluster ${cluster}`,
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        [MYSQL_INSTANCE_ANNOTATION]: instanceRef,
        'backstage.io/kubernetes-id': name,
        'backstage.io/kubernetes-namespace': namespace,
      },
      tags: ['mysql'],
    },
    spec: {
      type: 'database',
      owner,
    },
  };
}
