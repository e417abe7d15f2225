import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  BackendCall,
  CREATED_OBJECTS,
  errorBody,
  FakeObservation,
  fakeMysqlBackend,
} from '../__testUtils__/fakeMysqlBackend';
import { createMysqlProvisionAction } from './mysqlProvision';

const server = setupServer();
registerMswTestHooks(server);

function actionFor(options: { readyTimeoutSeconds?: number } = {}) {
  return createMysqlProvisionAction({
    auth: mockServices.auth(),
    discovery: mockServices.discovery(),
    pollIntervalMs: 1,
    ...options,
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
    observations?: FakeObservation[];
    override?: (call: BackendCall) => Response | undefined;
  } = {},
) {
  const fake = fakeMysqlBackend(options);
  server.use(...fake.handlers);
  return fake;
}

const routes = (calls: BackendCall[]) =>
  calls.map(c => `${c.method} ${c.path}`);

const CREATE = 'POST /api/mysql/instances';
const DETAIL = 'GET /api/mysql/instances/sandbox/databases/orders-db';
const UNDO =
  'DELETE /api/mysql/instances/sandbox/databases/orders-db/runs/run-1';

const input = {
  name: 'orders-db',
  owner: 'group:default/team-a',
  namespace: 'databases',
  config: { max_connections: 200 },
};

/** What the checkpoint keeps of the fake's first create run. */
const keptByCheckpoint = {
  cluster: 'sandbox',
  namespace: 'databases',
  name: 'orders-db',
  entityRef: 'resource:default/orders-db',
  runId: 'run-1',
};

const crashLoop: FakeObservation = {
  phase: 'Degraded',
  message:
    "the server does not start (CrashLoopBackOff): [ERROR] [MY-000067] unknown variable 'max_conections=200'.",
};

/** Makes Date.now advance only when the backend is asked for the detail. */
function clockAdvancedByDetailRequests(stepMs: number) {
  let now = 1_000_000;
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => now);
  return {
    tick: (call: BackendCall) => {
      if (call.method === 'GET') now += stepMs;
      return undefined;
    },
    restore: () => spy.mockRestore(),
  };
}

/** The outputs that say where orders-db is and how to connect to it. */
function expectConnectionOutputs(output: unknown) {
  expect((output as jest.Mock).mock.calls).toEqual(
    expect.arrayContaining([
      ['entityRef', 'resource:default/orders-db'],
      ['cluster', 'sandbox'],
      ['namespace', 'databases'],
      ['host', 'orders-db.databases.svc.cluster.local'],
      ['port', 3306],
      ['secretName', 'orders-db'],
    ]),
  );
}

describe('mysql:provision', () => {
  it('in a dry run asks the backend for the plan and outputs its manifests', async () => {
    const fake = backend();
    const ctx = context(
      { ...input, version: '', storageClass: '', timeoutSeconds: 60 },
      { isDryRun: true },
    );
    await actionFor().handler(ctx);

    expect(routes(fake.calls)).toEqual([`${CREATE}?dryRun=true`]);
    // Empty form fields and the action's own inputs stay out of the request.
    expect(fake.calls[0].body).toEqual(input);
    expect(fake.state.created).toBe(false);
    expect(ctx.checkpoint).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith(
      'manifests',
      expect.stringContaining('kind: Secret'),
    );
    expectConnectionOutputs(ctx.output);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'Dry run: nothing was created',
    );
  });

  it('creates the instance on behalf of the user, waits until it runs and outputs where to connect', async () => {
    const fake = backend({
      observations: [
        { phase: 'Provisioning', message: 'pod orders-db-0: Pending' },
        { phase: 'Provisioning', message: 'pod orders-db-0: Pending' },
        { phase: 'Provisioning', message: 'server starting' },
        { phase: 'Running' },
      ],
    });
    const ctx = context({ ...input, adoptExistingData: true });
    await actionFor().handler(ctx);

    expect(routes(fake.calls)).toEqual([
      CREATE,
      DETAIL,
      DETAIL,
      DETAIL,
      DETAIL,
    ]);
    expect(fake.calls[0].body).toEqual({ ...input, adoptExistingData: true });
    // A token for the mysql plugin on behalf of the user who runs the task,
    // on every request.
    for (const call of fake.calls) {
      const token = call.authorization!.replace(
        'Bearer mock-service-token:',
        '',
      );
      expect(JSON.parse(token)).toMatchObject({
        obo: 'user:default/mock',
        target: 'mysql',
      });
    }

    expect(ctx.checkpoint).toHaveBeenCalledTimes(1);
    expect(ctx.checkpoints).toEqual(
      new Map([['mysql.provision.orders-db', keptByCheckpoint]]),
    );
    for (const object of CREATED_OBJECTS) {
      expect(ctx.logger.info).toHaveBeenCalledWith(`created ${object}`);
    }
    // Each change of phase or message once.
    const infos = (ctx.logger.info as jest.Mock).mock.calls.map(c => c[0]);
    expect(
      infos.filter((line: string) => line.startsWith('sandbox/databases/')),
    ).toEqual([
      'sandbox/databases/orders-db: Provisioning: pod orders-db-0: Pending',
      'sandbox/databases/orders-db: Provisioning: server starting',
      'sandbox/databases/orders-db is running',
    ]);

    expectConnectionOutputs(ctx.output);
    expect(ctx.output).not.toHaveBeenCalledWith('manifests', expect.anything());
    // No password anywhere: the backend never returns one, nor is one logged.
    const logged = JSON.stringify([
      (ctx.logger.info as jest.Mock).mock.calls,
      (ctx.output as jest.Mock).mock.calls,
    ]);
    expect(logged).not.toMatch(/password/i);
  });

  it('on a rerun says that the instance already exists', async () => {
    const fake = backend();
    await actionFor().handler(context(input));
    const again = context(input);
    await actionFor().handler(again);

    expect(routes(fake.calls)).toEqual([CREATE, DETAIL, CREATE, DETAIL]);
    expect(again.logger.info).toHaveBeenCalledWith(
      'sandbox/databases/orders-db already exists; nothing to change',
    );
    expect(again.logger.info).not.toHaveBeenCalledWith(
      expect.stringMatching(/^created /),
    );
    const { runId, ...withoutRun } = keptByCheckpoint;
    expect(again.checkpoints.get('mysql.provision.orders-db')).toEqual(
      withoutRun,
    );
    expect(again.output).toHaveBeenCalledWith(
      'entityRef',
      'resource:default/orders-db',
    );
  });

  it('with waitForReady: false returns right after the create', async () => {
    const fake = backend();
    const ctx = context({ ...input, waitForReady: false });
    await actionFor().handler(ctx);
    expect(routes(fake.calls)).toEqual([CREATE]);
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'resource:default/orders-db',
    );
  });

  it('keeps waiting while the backend has not seen the new instance yet', async () => {
    const fake = backend({
      observations: ['not seen yet', 'not seen yet', { phase: 'Running' }],
    });
    const ctx = context(input);
    await actionFor().handler(ctx);
    expect(routes(fake.calls)).toEqual([CREATE, DETAIL, DETAIL, DETAIL]);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'sandbox/databases/orders-db: the mysql backend does not see the new instance yet',
    );
    expect(ctx.output).toHaveBeenCalledWith('secretName', 'orders-db');
  });

  it('passes on every bad field the backend names', async () => {
    const fake = backend({
      override: call =>
        call.method === 'POST'
          ? errorBody(
              400,
              'InputError',
              'Invalid input for mysql:provision:\n- version: "mysql:5.7" is not allowed here\n- config.max_conections: unknown variable',
            )
          : undefined,
    });
    const error = await actionFor()
      .handler(context({ ...input, version: 'mysql:5.7' }))
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toMatch(
      /^The mysql backend refused the request: Invalid input for mysql:provision:/,
    );
    expect(error.message).toContain(
      '- version: "mysql:5.7" is not allowed here',
    );
    expect(error.message).toContain(
      '- config.max_conections: unknown variable',
    );
    expect(routes(fake.calls)).toEqual([CREATE]);
  });

  it('explains a refused permission, in a dry run too', async () => {
    backend({
      override: call =>
        call.method === 'POST'
          ? errorBody(
              403,
              'NotAllowedError',
              'user:default/guest may not create MySQL instances',
            )
          : undefined,
    });
    for (const isDryRun of [false, true]) {
      await expect(
        actionFor().handler(context(input, { isDryRun })),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringMatching(
          /^You may not create orders-db: .*mysql\.instance\.create.* \(user:default\/guest may not create MySQL instances\)/,
        ),
      });
    }
  });

  it('passes on why the name is taken', async () => {
    const reason =
      'PersistentVolumeClaim databases/data-orders-db-0 already exists; set adoptExistingData: true to use its data';
    const fake = backend({
      override: call =>
        call.method === 'POST'
          ? errorBody(409, 'ConflictError', reason)
          : undefined,
    });
    await expect(actionFor().handler(context(input))).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(
        /^Cannot create orders-db: PersistentVolumeClaim databases\/data-orders-db-0 already exists; set adoptExistingData: true/,
      ),
    });
    expect(routes(fake.calls)).toEqual([CREATE]);
  });

  it('says when the backend cannot be reached', async () => {
    backend({ override: () => HttpResponse.error() });
    await expect(actionFor().handler(context(input))).rejects.toThrow(
      /^Could not reach the mysql backend: /,
    );
  });

  it('says when the cluster does not answer', async () => {
    backend({
      override: call =>
        call.method === 'POST'
          ? errorBody(
              503,
              'ServiceUnavailableError',
              'cluster sandbox does not answer',
            )
          : undefined,
    });
    await expect(actionFor().handler(context(input))).rejects.toThrow(
      'The mysql backend failed for orders-db: Request failed with 503 Service Unavailable (cluster sandbox does not answer)',
    );
  });

  it('stops at a crash loop, quotes the server and undoes what the run created', async () => {
    const fake = backend({
      observations: [{ phase: 'Provisioning' }, crashLoop],
    });
    const ctx = context(input);
    await expect(actionFor().handler(ctx)).rejects.toThrow(
      `sandbox/databases/orders-db does not start: ${
        (crashLoop as { message: string }).message
      }`,
    );
    expect(routes(fake.calls)).toEqual([CREATE, DETAIL, DETAIL, UNDO]);
    expect(fake.state.created).toBe(false);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      `provisioning failed; removed what this run created: ${CREATED_OBJECTS.join(
        ', ',
      )}`,
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it("says so when the server refuses the Secret's passwords, and undoes what the run created", async () => {
    const fake = backend({
      observations: [
        {
          phase: 'Unreachable',
          message:
            "Access denied for user 'backstage_monitor'@'127.0.0.1' (using password: YES)",
        },
      ],
    });
    const ctx = context({ ...input, adoptExistingData: true });
    await expect(actionFor().handler(ctx)).rejects.toThrow(
      'refuses the passwords in its Secret databases/orders-db',
    );
    expect(routes(fake.calls)).toEqual([CREATE, DETAIL, UNDO]);
  });

  it('gives up after timeoutSeconds and undoes what the run created', async () => {
    const clock = clockAdvancedByDetailRequests(4000);
    try {
      const fake = backend({
        observations: [{ phase: 'Provisioning', message: 'pod pending' }],
        override: clock.tick,
      });
      const ctx = context({ ...input, timeoutSeconds: 10 });
      await expect(actionFor().handler(ctx)).rejects.toThrow(
        "sandbox/databases/orders-db was not ready after 10s (Provisioning: pod pending); raise timeoutSeconds or check the pod's events",
      );
      expect(routes(fake.calls)).toEqual([
        CREATE,
        DETAIL,
        DETAIL,
        DETAIL,
        UNDO,
      ]);
      expect(ctx.logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'provisioning failed; removed what this run created',
        ),
      );
    } finally {
      clock.restore();
    }
  });

  it('takes the default timeout from the module', async () => {
    const clock = clockAdvancedByDetailRequests(10_000);
    try {
      backend({
        observations: [{ phase: 'Provisioning' }],
        override: clock.tick,
      });
      await expect(
        actionFor({ readyTimeoutSeconds: 20 }).handler(context(input)),
      ).rejects.toThrow('was not ready after 20s (Provisioning)');
    } finally {
      clock.restore();
    }
  });

  it('treats a 404 that lasts beyond 30 s as an error', async () => {
    const clock = clockAdvancedByDetailRequests(20_000);
    try {
      const fake = backend({
        observations: ['not seen yet'],
        override: clock.tick,
      });
      await expect(
        actionFor().handler(context({ ...input, timeoutSeconds: 600 })),
      ).rejects.toMatchObject({
        name: 'NotFoundError',
        message: expect.stringContaining(
          'The mysql backend does not know sandbox/databases/orders-db',
        ),
      });
      expect(routes(fake.calls)).toEqual([CREATE, DETAIL, DETAIL, UNDO]);
    } finally {
      clock.restore();
    }
  });

  it('stops when the task is cancelled and undoes what the run created', async () => {
    const controller = new AbortController();
    const fake = backend({
      observations: [{ phase: 'Provisioning' }],
      override: call => {
        if (call.method === 'GET') controller.abort();
        return undefined;
      },
    });
    await expect(
      actionFor().handler(context(input, { signal: controller.signal })),
    ).rejects.toThrow(
      'cancelled while waiting for sandbox/databases/orders-db to be ready',
    );
    expect(routes(fake.calls)).toEqual([CREATE, DETAIL, UNDO]);
  });

  it('undoes nothing when the run created nothing', async () => {
    const fake = backend({ observations: [crashLoop] });
    fake.state.created = true;
    const ctx = context(input);
    await expect(actionFor().handler(ctx)).rejects.toThrow('does not start');
    expect(routes(fake.calls)).toEqual([CREATE, DETAIL]);
    expect(ctx.logger.warn).not.toHaveBeenCalled();
  });

  it('after a restart undoes the run kept by the checkpoint', async () => {
    const fake = backend({ observations: [crashLoop] });
    const checkpoints = new Map<string, unknown>([
      ['mysql.provision.orders-db', keptByCheckpoint],
    ]);
    const ctx = context(input, { checkpoints });
    await expect(actionFor().handler(ctx)).rejects.toThrow('does not start');
    expect(routes(fake.calls)).toEqual([DETAIL, UNDO]);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      'provisioning failed; removed what this run created: run run-1',
    );
  });

  it('reports a failed undo and still fails with the first error', async () => {
    backend({
      observations: [crashLoop],
      override: call =>
        call.method === 'DELETE'
          ? errorBody(503, 'ServiceUnavailableError', 'cluster gone')
          : undefined,
    });
    const ctx = context(input);
    await expect(actionFor().handler(ctx)).rejects.toThrow('does not start');
    expect(ctx.logger.error).toHaveBeenCalledWith(
      expect.stringContaining(
        'removing what this run created (Secret databases/orders-db',
      ),
    );
  });

  it.each([5, 10.5, 3601])(
    'refuses timeoutSeconds %s before any request',
    async timeoutSeconds => {
      const fake = backend();
      await expect(
        actionFor().handler(context({ ...input, timeoutSeconds })),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          `timeoutSeconds: ${timeoutSeconds} must be a whole number of seconds from 10 to 3600`,
        ),
      });
      expect(fake.calls).toEqual([]);
    },
  );

  it('names the configured default when it is out of range', async () => {
    backend();
    await expect(
      actionFor({ readyTimeoutSeconds: 5 }).handler(context(input)),
    ).rejects.toThrow(
      'timeoutSeconds: 5 (the default from mysql.provision.readyTimeoutSeconds) must be',
    );
  });
});
