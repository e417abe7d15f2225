import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { InstanceObjects } from './InstanceCache';

/** The request option that sends a patch as a JSON merge patch. */
export const MERGE_PATCH = k8s.setHeaderOptions(
  'Content-Type',
  k8s.PatchStrategy.MergePatch,
);

/** A merge patch of the instance's StatefulSet; `body` carries its precondition. */
export async function patchStatefulSet(
  clusters: MysqlClusters,
  inst: InstanceObjects,
  body: object,
) {
  const { apps } = clusters.client(inst.cluster);
  return apps.patchNamespacedStatefulSet(
    { name: inst.name, namespace: inst.namespace, body },
    MERGE_PATCH,
  );
}
