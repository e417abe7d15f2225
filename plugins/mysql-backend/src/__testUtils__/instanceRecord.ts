import { InstanceRecord } from '../service/InstanceRecords';

/**
 * The record of `sandbox/<namespace>/orders-db`, owned by team-a, with the
 * entity `resource:default/<entityName>`.
 */
export function instanceRecord(
  namespace: string,
  entityName: string,
  extra: Partial<InstanceRecord> = {},
): InstanceRecord {
  return {
    ref: `sandbox/${namespace}/orders-db`,
    cluster: 'sandbox',
    namespace,
    name: 'orders-db',
    entityRef: `resource:default/${entityName}`,
    owner: 'group:default/team-a',
    origin: 'created',
    createdAt: '2026-11-25T10:00:00.000Z',
    ...extra,
  };
}
