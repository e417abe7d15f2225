import { MysqlConfigValue } from '@mysql-portal/plugin-mysql-common';
import {
  MYSQL_INSTANCE_API,
  MysqlInstanceResource,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import {
  SPEC_EDITED_BY_ANNOTATION,
  specConfigValues,
  specEditor,
} from '../domain/specConfig';

/** Where MysqlInstances are, as the custom objects API takes it. */
export const INSTANCE_API = {
  group: MYSQL_INSTANCE_API.group,
  version: MYSQL_INSTANCE_API.version,
  plural: MYSQL_INSTANCE_API.plural,
};

/** Reads one MysqlInstance from the API server, past any cache. */
export async function readInstanceResource(
  custom: k8s.CustomObjectsApi,
  namespace: string,
  name: string,
): Promise<MysqlInstanceResource> {
  return (await custom.getNamespacedCustomObject({
    ...INSTANCE_API,
    namespace,
    name,
  })) as MysqlInstanceResource;
}

/**
 * Replaces `spec.config` of `base` with `values`, saying who asked. The write
 * carries `base`'s resourceVersion: a 409 means the object changed since.
 */
export async function replaceSpecConfig(
  custom: k8s.CustomObjectsApi,
  base: MysqlInstanceResource,
  values: Record<string, MysqlConfigValue>,
  actor?: string,
): Promise<MysqlInstanceResource> {
  return (await custom.replaceNamespacedCustomObject({
    ...INSTANCE_API,
    namespace: base.metadata.namespace!,
    name: base.metadata.name!,
    body: {
      ...base,
      metadata: {
        ...base.metadata,
        annotations: {
          ...base.metadata.annotations,
          [SPEC_EDITED_BY_ANNOTATION]: specEditor(values, actor),
        },
      },
      spec: { ...base.spec, config: specConfigValues(values) },
    },
  })) as MysqlInstanceResource;
}
