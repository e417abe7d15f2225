import {
  isMysqlInstancePhase,
  MYSQL_INSTANCE_PHASES,
  MysqlInstanceDetail,
  MysqlInstanceListResponse,
  MysqlInstancePhase,
  MysqlInstanceSummary,
  UpdateMysqlConfigRequest,
} from './types';

describe('MysqlInstancePhase', () => {
  it('lists the phases the backend reports', () => {
    expect(MYSQL_INSTANCE_PHASES).toEqual([
      'Provisioning',
      'Running',
      'Reconciling',
      'Degraded',
      'Unreachable',
      'Deleting',
    ]);
  });

  it.each(MYSQL_INSTANCE_PHASES.map(phase => [phase]))('knows %s', phase => {
    expect(isMysqlInstancePhase(phase)).toBe(true);
  });

  it.each(['running', 'Failed', '', undefined, null, 1, ['Running']])(
    'does not know %j',
    value => {
      expect(isMysqlInstancePhase(value)).toBe(false);
    },
  );
});

// These assignments are checked by `yarn tsc`; a type that drifts from the
// REST contract breaks the build.
describe('API types', () => {
  const detail: MysqlInstanceDetail = {
    cluster: 'microk8s',
    namespace: 'team-a',
    name: 'orders',
    entityRef: 'resource:default/orders',
    owner: 'group:default/team-a',
    status: { phase: 'Running', since: '2025-01-01T00:00:00Z' },
    version: {
      image: 'mysql:8.4',
      server: '8.4.3',
      comment: 'MySQL Community Server - GPL',
      lastPolledAt: '2025-01-01T00:01:00Z',
    },
    config: {
      desired: { max_connections: '500' },
      applied: { max_connections: '151' },
      pending: ['max_connections'],
      restartRequired: false,
    },
    resourceVersion: '42',
    uptimeSeconds: 60,
    history: [
      {
        at: '2025-01-01T00:00:00Z',
        kind: 'edit',
        actor: 'user:default/guest',
        message: 'max_connections 151 → 500',
      },
    ],
    connection: {
      host: 'orders.team-a.svc.cluster.local',
      port: 3306,
      database: 'orders',
      user: 'orders',
      secretName: 'orders',
      passwordKey: 'password',
      env: 'env: []\n',
    },
  };

  it('lets a detail stand where a summary is expected', () => {
    const summary: MysqlInstanceSummary = detail;
    const list: MysqlInstanceListResponse = {
      items: [summary],
      totalCount: 1,
    };
    expect(list.items[0].version.image).toBe('mysql:8.4');
  });

  it('shapes an update request', () => {
    const request: UpdateMysqlConfigRequest = {
      config: { max_connections: 500, slow_query_log: true, sql_mode: '' },
      resourceVersion: detail.resourceVersion,
    };
    expect(Object.keys(request)).toEqual(['config', 'resourceVersion']);
  });

  it('rejects shapes outside the contract', () => {
    // @ts-expect-error 'Failed' is not a phase
    const phase: MysqlInstancePhase = 'Failed';
    const badKind: MysqlInstanceDetail['history'][number] = {
      at: '',
      // @ts-expect-error 'drop' is not a history kind
      kind: 'drop',
      message: '',
    };
    const badConfig: UpdateMysqlConfigRequest = {
      // @ts-expect-error values are strings, numbers or booleans
      config: { max_connections: null },
      resourceVersion: '1',
    };
    expect([phase, badKind.kind, badConfig.resourceVersion]).toEqual([
      'Failed',
      'drop',
      '1',
    ]);
  });
});
