import { Entity } from '@backstage/catalog-model';
import {
  MysqlBackup,
  MysqlBackupListResponse,
  MysqlInstanceDetail,
} from '@mysql-portal/plugin-mysql-common';

// Shared fixtures for the component tests.

export const instanceRef = {
  cluster: 'local',
  namespace: 'db',
  name: 'orders',
};

export const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'orders',
    namespace: 'default',
    annotations: { 'mysql.backstage.io/instance': 'local/db/orders' },
  },
  spec: { type: 'database', owner: 'group:default/team-a' },
};

export function makeDetail(
  overrides: Partial<MysqlInstanceDetail> = {},
): MysqlInstanceDetail {
  return {
    ...instanceRef,
    entityRef: 'resource:default/orders',
    owner: 'group:default/team-a',
    status: { phase: 'Running', since: '2025-01-01T00:00:00Z' },
    version: {
      image: 'mysql:8.4',
      server: '8.4.3',
      comment: 'MySQL Community Server - GPL',
      lastPolledAt: new Date(Date.now() - 12_000).toISOString(),
    },
    config: {
      desired: {
        max_connections: '200',
        innodb_buffer_pool_size: '256M',
        lower_case_table_names: '0',
      },
      applied: {
        max_connections: '200',
        innodb_buffer_pool_size: '268435456',
        lower_case_table_names: '0',
        wait_timeout: '28800',
      },
      pending: [],
      restartRequired: false,
    },
    resourceVersion: '41',
    uptimeSeconds: 3 * 3600 + 5 * 60,
    history: [
      {
        at: '2025-01-01T00:00:00Z',
        kind: 'provision',
        actor: 'user:default/alice',
        message: 'created',
      },
    ],
    connection: {
      host: 'orders.db.svc.cluster.local',
      port: 3306,
      database: 'orders',
      user: 'orders',
      secretName: 'orders',
      passwordKey: 'password',
      env: 'env: []\n',
    },
    ...overrides,
  };
}

export function makeBackup(overrides: Partial<MysqlBackup> = {}): MysqlBackup {
  return {
    id: 'b-20250101-0300',
    status: 'Completed',
    startedAt: '2025-01-01T03:00:00Z',
    completedAt: '2025-01-01T03:00:42Z',
    sizeBytes: 3 * 1024 * 1024,
    location: 'pvc://orders-backups/b-20250101-0300.sql.gz',
    trigger: 'schedule',
    ...overrides,
  };
}

export function makeBackupList(
  overrides: Partial<MysqlBackupListResponse> = {},
): MysqlBackupListResponse {
  return {
    items: [makeBackup()],
    policy: { target: 'pvc', schedule: '0 3 * * *', retention: 7 },
    lastCompletedAt: '2025-01-01T03:00:42Z',
    ...overrides,
  };
}
