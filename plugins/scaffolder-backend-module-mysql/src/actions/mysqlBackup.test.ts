import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { MysqlBackup } from '@mysql-portal/plugin-mysql-common';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  BackendCall,
  backupLocation,
  errorBody,
  FakeObservation,
  fakeMysqlBackend,
  ordersDbEntity,
} from '../__testUtils__/fakeMysqlBackend';
import { createMysqlBackupAction } from './mysqlBackup';

const server = setupServer();
registerMswTestHooks(server);

function actionFor(entities: Entity[] = [ordersDbEntity]) {
  return createMysqlBackupAction({
    catalog: catalogServiceMock({ entities }),
    auth: mockServices.auth(),
    discovery: mockServices.discovery(),
    pollIntervalMs: 1,
  });
}

/**
 * createMockActionContext drops isDryRun and signal, so they are added
 * here; the checkpoint stores its value as JSON, as the scaffolder does.
 */
function context(
  actionInput: object,
  options: {
    isDryRun?: boolean;
    signal?: AbortSignal;
    checkpoints?: Map<string, unknown>;
  } = {},
) {
  const { checkpoints = new Map<string, unknown>(), ...rest } = options;
  return {
    ...createMockActionContext({
      input: actionInput as any,
      logger: mockServices.logger.mock(),
    }),
    checkpoint: jest.fn(
      async (opts: { key: string; fn: () => Promise<any> | any }) => {
        if (!checkpoints.has(opts.key)) {
          checkpoints.set(
            opts.key,
            JSON.parse(JSON.stringify(await opts.fn())),
          );
        }
        return checkpoints.get(opts.key) as any;
      },
    ),
    checkpoints,
    ...rest,
  };
}

function backend(
  options: {
    backupProgress?: Partial<MysqlBackup>[];
    observations?: FakeObservation[];
    override?: (call: BackendCall) => Response | undefined;
  } = {},
) {
  const fake = fakeMysqlBackend(options);
  server.use(...fake.handlers);
  return fake;
}

/** Date.now moves on by `stepMs` with each list of backups. */
function clockAdvancedByBackupLists(stepMs: number) {
  let now = 1_000_000;
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => now);
  return {
    tick: (call: BackendCall) => {
      if (call.method === 'GET' && call.path.endsWith('/backups')) {
        now += stepMs;
      }
      return undefined;
    },
    restore: () => spy.mockRestore(),
  };
}

const routes = (calls: BackendCall[]) =>
  calls.map(c => `${c.method} ${c.path}`);

const entityRef = 'resource:default/orders-db';
const DETAIL = 'GET /api/mysql/instances/sandbox/databases/orders-db';
const START = 'POST /api/mysql/instances/sandbox/databases/orders-db/backups';
const LIST = 'GET /api/mysql/instances/sandbox/databases/orders-db/backups';
const CHECKPOINT = 'mysql.backup.sandbox/databases/orders-db';
const stillRunning: Partial<MysqlBackup> = {};
const completed: Partial<MysqlBackup> = {
  status: 'Completed',
  completedAt: '2025-01-01T00:01:00Z',
  sizeBytes: 2048,
};

describe('mysql:backup', () => {
  it('starts a backup on behalf of the user, waits for it and outputs where it is', async () => {
    const fake = backend({ backupProgress: [stillRunning, completed] });
    const ctx = context({ entityRef });
    await actionFor().handler(ctx);

    expect(routes(fake.calls)).toEqual([START, LIST, LIST]);
    const token = fake.calls[0].authorization!.replace(
      'Bearer mock-service-token:',
      '',
    );
    expect(JSON.parse(token)).toMatchObject({
      obo: 'user:default/mock',
      target: 'mysql',
    });
    expect(ctx.checkpoints).toEqual(new Map([[CHECKPOINT, { id: '1' }]]));
    expect((ctx.output as jest.Mock).mock.calls).toEqual([
      ['backupId', '1'],
      ['status', 'Completed'],
      ['location', backupLocation('1')],
      ['sizeBytes', 2048],
    ]);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'started backup 1 of resource:default/orders-db',
    );
    expect(ctx.logger.info).toHaveBeenCalledWith(
      `backup 1 of resource:default/orders-db completed: ${backupLocation(
        '1',
      )}, 2048 bytes`,
    );
  });

  it('accepts an entity name without kind and namespace', async () => {
    const fake = backend();
    const ctx = context({ entityRef: 'orders-db' });
    await actionFor().handler(ctx);
    expect(routes(fake.calls)).toEqual([START, LIST]);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Completed');
  });

  it('logs about every 10 s while the backup runs', async () => {
    const clock = clockAdvancedByBackupLists(4000);
    try {
      const fake = backend({
        backupProgress: [...Array(5).fill(stillRunning), completed],
        override: clock.tick,
      });
      const ctx = context({ entityRef });
      await actionFor().handler(ctx);

      expect(routes(fake.calls)).toEqual([START, ...Array(6).fill(LIST)]);
      const progress = (ctx.logger.info as jest.Mock).mock.calls
        .map(([message]) => message)
        .filter((message: string) => message.includes('still running'));
      expect(progress).toEqual([
        'backup 1 of resource:default/orders-db is still running (12s)',
      ]);
      expect(ctx.output).toHaveBeenCalledWith('status', 'Completed');
    } finally {
      clock.restore();
    }
  });

  it("fails the task with the backup's own message when it failed", async () => {
    backend({
      backupProgress: [
        stillRunning,
        {
          status: 'Failed',
          completedAt: '2025-01-01T00:01:00Z',
          message: 'mysqldump: Got error: 1045: Access denied',
        },
      ],
    });
    const ctx = context({ entityRef });
    await expect(actionFor().handler(ctx)).rejects.toThrow(
      'backup 1 of resource:default/orders-db failed: mysqldump: Got error: 1045: Access denied',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('also fails without waiting when the backup failed at once', async () => {
    backend({
      backupProgress: [{ status: 'Failed', message: 'no space left' }],
    });
    await expect(
      actionFor().handler(context({ entityRef, wait: false })),
    ).rejects.toThrow('backup 1 of resource:default/orders-db failed');
  });

  it('with wait: false outputs the running backup and does not wait', async () => {
    const fake = backend({ backupProgress: [stillRunning] });
    const ctx = context({ entityRef, wait: false });
    await actionFor().handler(ctx);

    expect(routes(fake.calls)).toEqual([START, LIST]);
    expect((ctx.output as jest.Mock).mock.calls).toEqual([
      ['backupId', '1'],
      ['status', 'Running'],
      ['location', backupLocation('1')],
    ]);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'backup 1 of resource:default/orders-db is running; not waiting for it (the entity page shows how it ends)',
    );
  });

  it('gives up waiting after timeoutSeconds, saying the backup goes on', async () => {
    const clock = clockAdvancedByBackupLists(6000);
    try {
      const fake = backend({
        backupProgress: [stillRunning],
        override: clock.tick,
      });
      await expect(
        actionFor().handler(context({ entityRef, timeoutSeconds: 20 })),
      ).rejects.toThrow(
        'backup 1 of resource:default/orders-db was still running after 20s; it goes on in the backend',
      );
      expect(routes(fake.calls)).toEqual([START, ...Array(5).fill(LIST)]);
    } finally {
      clock.restore();
    }
  });

  it('waits 1800 s by default', async () => {
    const clock = clockAdvancedByBackupLists(600_000);
    try {
      backend({ backupProgress: [stillRunning], override: clock.tick });
      const ctx = context({ entityRef });
      await expect(actionFor().handler(ctx)).rejects.toThrow(
        'was still running after 1800s',
      );
      expect(ctx.logger.info).toHaveBeenCalledWith(
        'waiting up to 1800s for backup 1 of resource:default/orders-db',
      );
    } finally {
      clock.restore();
    }
  });

  it('stops waiting when the task is cancelled', async () => {
    const controller = new AbortController();
    const fake = backend({
      backupProgress: [stillRunning],
      override: call => {
        if (call.method === 'GET') controller.abort();
        return undefined;
      },
    });
    await expect(
      actionFor().handler(
        context({ entityRef }, { signal: controller.signal }),
      ),
    ).rejects.toThrow(
      'cancelled while waiting for backup 1 of resource:default/orders-db; the backup itself goes on in the backend',
    );
    expect(routes(fake.calls)).toEqual([START, LIST]);
  });

  it('after a restart follows the backup kept by the checkpoint instead of starting another', async () => {
    const fake = backend({ backupProgress: [completed] });
    fake.state.backups.push({
      id: '1',
      status: 'Running',
      startedAt: '2025-01-01T00:00:00Z',
      location: backupLocation('1'),
      trigger: 'manual',
    });
    const checkpoints = new Map<string, unknown>([[CHECKPOINT, { id: '1' }]]);
    const ctx = context({ entityRef }, { checkpoints });
    await actionFor().handler(ctx);

    expect(routes(fake.calls)).toEqual([LIST]);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'backup 1 of resource:default/orders-db was started by an earlier attempt of this task; following it instead of starting another',
    );
    expect(ctx.output).toHaveBeenCalledWith('status', 'Completed');
  });

  it('says so when the backend no longer lists the backup', async () => {
    backend({
      override: call =>
        call.path.endsWith('/backups') && call.method === 'GET'
          ? HttpResponse.json({
              items: [],
              policy: { target: 'pvc', schedule: '0 3 * * *', retention: 7 },
            })
          : undefined,
    });
    await expect(actionFor().handler(context({ entityRef }))).rejects.toThrow(
      'backup 1 of resource:default/orders-db is not among the backups of sandbox/databases/orders-db that the mysql backend lists',
    );
  });

  it('names the permission when the user may not back up the database', async () => {
    const fake = backend({
      override: call =>
        call.method === 'POST'
          ? errorBody(
              403,
              'NotAllowedError',
              'user:default/mock may not back up sandbox/databases/orders-db',
            )
          : undefined,
    });
    const ctx = context({ entityRef });
    await expect(actionFor().handler(ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /^You may not back up resource:default\/orders-db: .*mysql\.instance\.backup\.create/,
      ),
    });
    expect(routes(fake.calls)).toEqual([START]);
    expect(ctx.checkpoints.size).toBe(0);
  });

  it('says why and that nothing was started while another backup runs', async () => {
    const fake = backend();
    fake.state.backups.push({
      id: '1',
      status: 'Running',
      startedAt: '2025-01-01T00:00:00Z',
      location: backupLocation('1'),
      trigger: 'schedule',
    });
    await expect(
      actionFor().handler(context({ entityRef })),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'Cannot back up resource:default/orders-db now: backup 1 of sandbox/databases/orders-db is still running; wait for it to end. Nothing was started; run the template again once that has changed.',
      ),
    });
    expect(routes(fake.calls)).toEqual([START]);
  });

  it('says why when the server is not ready', async () => {
    backend({
      override: call =>
        call.method === 'POST'
          ? errorBody(
              409,
              'ConflictError',
              'sandbox/databases/orders-db has no Ready server to back up; try again once it runs',
            )
          : undefined,
    });
    await expect(
      actionFor().handler(context({ entityRef })),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'has no Ready server to back up; try again once it runs. Nothing was started',
      ),
    });
  });

  it('says when the backend does not know the instance', async () => {
    backend({
      override: call =>
        call.method === 'POST'
          ? errorBody(
              404,
              'NotFoundError',
              'no instance sandbox/databases/orders-db',
            )
          : undefined,
    });
    await expect(
      actionFor().handler(context({ entityRef })),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        'The mysql backend does not know sandbox/databases/orders-db, the instance of resource:default/orders-db',
      ),
    });
  });

  it('names entityRef when the entity is not in the catalog', async () => {
    const fake = backend();
    await expect(
      actionFor().handler(
        context({ entityRef: 'resource:default/missing-db' }),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message:
        'entityRef: resource:default/missing-db is not in the catalog (or you may not see it)',
    });
    expect(fake.calls).toEqual([]);
  });

  it('names entityRef when the entity has no instance annotation', async () => {
    const fake = backend();
    const plain: Entity = {
      ...ordersDbEntity,
      metadata: { name: 'orders-db', namespace: 'default' },
    };
    await expect(
      actionFor([plain]).handler(context({ entityRef })),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'is not a MySQL database of this portal: it has no mysql.backstage.io/instance annotation',
      ),
    });
    expect(fake.calls).toEqual([]);
  });

  it('names entityRef when its instance annotation is malformed', async () => {
    const fake = backend();
    const bad: Entity = {
      ...ordersDbEntity,
      metadata: {
        ...ordersDbEntity.metadata,
        annotations: { 'mysql.backstage.io/instance': 'orders-db' },
      },
    };
    await expect(
      actionFor([bad]).handler(context({ entityRef })),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'entityRef: resource:default/orders-db has a bad mysql.backstage.io/instance annotation',
      ),
    });
    expect(fake.calls).toEqual([]);
  });

  it('names the action when entityRef is not an entity ref', async () => {
    await expect(
      actionFor().handler(context({ entityRef: ':/' })),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'Invalid input for mysql:backup:\n- entityRef: ":/" is not an entity ref',
      ),
    });
  });

  it.each([5, 10.5, 86_401])(
    'refuses timeoutSeconds %s before any request',
    async timeoutSeconds => {
      const fake = backend();
      await expect(
        actionFor().handler(context({ entityRef, timeoutSeconds })),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          `timeoutSeconds: ${timeoutSeconds} must be a whole number of seconds from 10 to 86400`,
        ),
      });
      expect(fake.calls).toEqual([]);
    },
  );

  it('in a dry run reads the instance and its backups and starts nothing', async () => {
    const fake = backend();
    const ctx = context({ entityRef }, { isDryRun: true });
    await actionFor().handler(ctx);

    expect(routes(fake.calls)).toEqual([DETAIL, LIST]);
    expect(ctx.checkpoint).not.toHaveBeenCalled();
    expect(ctx.output).not.toHaveBeenCalled();
    expect(ctx.logger.warn).not.toHaveBeenCalled();
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'its backups go to pvc (schedule 0 3 * * * UTC, keeping 7)',
    );
    expect(ctx.logger.info).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Dry run: nothing was started\. A real run starts a backup of resource:default\/orders-db and waits up to 1800s/,
      ),
    );
  });

  it('in a dry run warns of what would refuse a real run', async () => {
    const fake = backend({
      backupProgress: [stillRunning],
      observations: [{ phase: 'Unreachable', message: 'connect ETIMEDOUT' }],
    });
    fake.state.backups.push({
      id: '4',
      status: 'Running',
      startedAt: '2025-01-01T00:00:00Z',
      location: backupLocation('4'),
      trigger: 'schedule',
    });
    const ctx = context({ entityRef }, { isDryRun: true });
    await actionFor().handler(ctx);

    expect(routes(fake.calls)).toEqual([DETAIL, LIST]);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      'sandbox/databases/orders-db is Unreachable (connect ETIMEDOUT): the backend backs up only a Ready server, so a real run may be refused',
    );
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      'backup 4 of resource:default/orders-db is still running (since 2025-01-01T00:00:00Z); a real run is refused until it ends',
    );
  });

  it('in a dry run says when the user may not read the instance', async () => {
    backend({
      override: call =>
        call.method === 'GET'
          ? errorBody(
              404,
              'NotFoundError',
              'no MySQL instance sandbox/databases/orders-db',
            )
          : undefined,
    });
    await expect(
      actionFor().handler(context({ entityRef }, { isDryRun: true })),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
