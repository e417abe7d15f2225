import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { setupServer } from 'msw/node';
import {
  BackendCall,
  errorBody,
  fakeMysqlBackend,
  ordersDbEntity,
} from '../__testUtils__/fakeMysqlBackend';
import { createMysqlConfigureAction } from './mysqlConfigure';

const server = setupServer();
registerMswTestHooks(server);

function actionFor(entities: Entity[] = [ordersDbEntity]) {
  return createMysqlConfigureAction({
    catalog: catalogServiceMock({ entities }),
    auth: mockServices.auth(),
    discovery: mockServices.discovery(),
  });
}

/** createMockActionContext drops isDryRun, so it is added here. */
function context(actionInput: object, options: { isDryRun?: boolean } = {}) {
  return {
    ...createMockActionContext({
      input: actionInput as any,
      logger: mockServices.logger.mock(),
    }),
    ...options,
  };
}

function backend(
  desired: Record<string, string>,
  override?: (call: BackendCall) => Response | undefined,
  mode?: 'restart' | 'online',
) {
  const fake = fakeMysqlBackend({ desired, override, mode });
  server.use(...fake.handlers);
  return fake;
}

const entityRef = 'resource:default/orders-db';

describe('mysql:configure', () => {
  it('merges the given values onto the desired configuration and sends them with the resourceVersion', async () => {
    const fake = backend({ max_connections: '151', slow_query_log: 'ON' });
    const ctx = context({
      entityRef,
      config: {
        max_connections: 300,
        innodb_buffer_pool_size: '512M',
        slow_query_log: 'on',
        long_query_time: '',
        character_set_server: null,
      },
    });
    await actionFor().handler(ctx);

    expect(fake.calls.map(c => `${c.method} ${c.path}`)).toEqual([
      'GET /api/mysql/instances/sandbox/databases/orders-db',
      'PUT /api/mysql/instances/sandbox/databases/orders-db/config',
    ]);
    expect(fake.calls[1].body).toEqual({
      config: {
        max_connections: '300',
        slow_query_log: 'ON',
        innodb_buffer_pool_size: '512M',
      },
      resourceVersion: '7',
    });
    // A token for the mysql plugin on behalf of the user who runs the task.
    const token = fake.calls[1].authorization!.replace(
      'Bearer mock-service-token:',
      '',
    );
    expect(JSON.parse(token)).toMatchObject({
      obo: 'user:default/mock',
      target: 'mysql',
    });

    expect(ctx.output).toHaveBeenCalledWith('entityRef', entityRef);
    expect(ctx.output).toHaveBeenCalledWith('changes', [
      { name: 'innodb_buffer_pool_size', to: '512M' },
      { name: 'max_connections', from: '151', to: '300' },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('restartRequired', true);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'change max_connections: 151 -> 300',
    );
  });

  it('accepts an entity name without kind and namespace', async () => {
    const fake = backend({});
    const ctx = context({
      entityRef: 'orders-db',
      config: { max_connections: 300 },
    });
    await actionFor().handler(ctx);
    expect(fake.calls).toHaveLength(2);
    expect(ctx.output).toHaveBeenCalledWith('entityRef', entityRef);
  });

  it('names every bad field and makes no request', async () => {
    const fake = backend({});
    const catalog = catalogServiceMock.mock();
    const action = createMysqlConfigureAction({
      catalog,
      auth: mockServices.auth(),
      discovery: mockServices.discovery(),
    });
    const error = await action
      .handler(
        context({
          entityRef,
          config: { max_connections: 'lots', max_conections: 10 },
        }),
      )
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      'config.max_connections: max_connections must be an integer',
    );
    expect(error.message).toContain(
      'config.max_conections: unknown variable "max_conections" (did you mean "max_connections"?)',
    );
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
    expect(fake.calls).toEqual([]);
  });

  it('refuses a variable that is fixed when the database is created, before any write', async () => {
    const fake = backend({ lower_case_table_names: '0' });
    await expect(
      actionFor().handler(
        context({ entityRef, config: { lower_case_table_names: '1' } }),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'config.lower_case_table_names: can only be set when the database is created',
      ),
    });
    expect(fake.calls.map(c => c.method)).toEqual(['GET']);
  });

  it('refuses a collation that does not match the configured character set', async () => {
    const fake = backend({ character_set_server: 'latin1' });
    await expect(
      actionFor().handler(
        context({
          entityRef,
          config: { collation_server: 'utf8mb4_0900_ai_ci' },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('config.collation_server'),
    });
    expect(fake.calls.map(c => c.method)).toEqual(['GET']);
  });

  it('after a 409 reads again, keeps the other edit and retries once', async () => {
    let edited = false;
    const fake = backend({ max_connections: '151' }, call => {
      if (call.method === 'PUT' && !edited) {
        edited = true;
        fake.edit({ max_connections: '151', wait_timeout: '600' });
      }
      return undefined;
    });
    const ctx = context({ entityRef, config: { max_connections: 300 } });
    await actionFor().handler(ctx);

    const puts = fake.calls.filter(c => c.method === 'PUT');
    expect(puts.map(c => c.body.resourceVersion)).toEqual(['7', '8']);
    expect(puts[1].body.config).toEqual({
      max_connections: '300',
      wait_timeout: '600',
    });
    expect(fake.calls.filter(c => c.method === 'GET')).toHaveLength(2);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('changed by someone else meanwhile'),
    );
    expect(ctx.output).toHaveBeenCalledWith('changes', [
      { name: 'max_connections', from: '151', to: '300' },
    ]);
  });

  it('fails clearly when the configuration is changed again during the retry', async () => {
    const fake = backend({ max_connections: '151' }, call =>
      call.method === 'PUT'
        ? errorBody(409, 'ConflictError', 'resourceVersion is stale')
        : undefined,
    );
    await expect(
      actionFor().handler(
        context({ entityRef, config: { max_connections: 300 } }),
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'The configuration of resource:default/orders-db was changed by someone else',
      ),
    });
    expect(fake.calls.map(c => c.method)).toEqual(['GET', 'PUT', 'GET', 'PUT']);
  });

  it('says when the user may not change the configuration', async () => {
    backend({}, call =>
      call.method === 'PUT'
        ? errorBody(
            403,
            'NotAllowedError',
            'you may not change the configuration of orders-db',
          )
        : undefined,
    );
    await expect(
      actionFor().handler(
        context({ entityRef, config: { max_connections: 300 } }),
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /^You may not change the configuration of resource:default\/orders-db: .*mysql\.instance\.config\.update/,
      ),
    });
  });

  it('passes on the reason when the backend refuses the values', async () => {
    backend({}, call =>
      call.method === 'PUT'
        ? errorBody(
            400,
            'InputError',
            'Invalid configuration:\n- config.wait_timeout: too long',
          )
        : undefined,
    );
    await expect(
      actionFor().handler(
        context({ entityRef, config: { max_connections: 300 } }),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('config.wait_timeout: too long'),
    });
  });

  it('says when the backend does not know the instance', async () => {
    backend({}, call =>
      call.method === 'GET'
        ? errorBody(
            404,
            'NotFoundError',
            'no instance sandbox/databases/orders-db',
          )
        : undefined,
    );
    await expect(
      actionFor().handler(
        context({ entityRef, config: { max_connections: 300 } }),
      ),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        'The mysql backend does not know sandbox/databases/orders-db, the instance of resource:default/orders-db',
      ),
    });
  });

  it('names entityRef when the entity is not in the catalog', async () => {
    const fake = backend({});
    await expect(
      actionFor().handler(
        context({
          entityRef: 'resource:default/missing-db',
          config: { max_connections: 300 },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message:
        'entityRef: resource:default/missing-db is not in the catalog (or you may not see it)',
    });
    expect(fake.calls).toEqual([]);
  });

  it('names entityRef when the entity has no instance annotation', async () => {
    const fake = backend({});
    const plain: Entity = {
      ...ordersDbEntity,
      metadata: { name: 'orders-db', namespace: 'default' },
    };
    await expect(
      actionFor([plain]).handler(
        context({ entityRef, config: { max_connections: 300 } }),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'entityRef: resource:default/orders-db is not a MySQL database of this portal: it has no mysql.backstage.io/instance annotation',
      ),
    });
    expect(fake.calls).toEqual([]);
  });

  it('in a dry run reads and reports the changes without writing', async () => {
    const fake = backend({ max_connections: '151' });
    const ctx = context(
      { entityRef, config: { max_connections: 300, slow_query_log: true } },
      { isDryRun: true },
    );
    await actionFor().handler(ctx);

    expect(fake.calls.map(c => c.method)).toEqual(['GET']);
    expect(ctx.output).toHaveBeenCalledWith('changes', [
      { name: 'max_connections', from: '151', to: '300' },
      { name: 'slow_query_log', to: 'ON' },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('restartRequired', true);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'Dry run: the configuration was not changed',
    );
  });

  it('does not write when the values are already desired', async () => {
    const fake = backend({
      max_connections: '300',
      innodb_buffer_pool_size: '536870912',
    });
    const ctx = context({
      entityRef,
      config: { max_connections: 300, innodb_buffer_pool_size: '512M' },
    });
    await actionFor().handler(ctx);

    expect(fake.calls.map(c => c.method)).toEqual(['GET']);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      expect.stringContaining('nothing to change'),
    );
    expect(ctx.output).toHaveBeenCalledWith('changes', []);
    expect(ctx.output).toHaveBeenCalledWith('restartRequired', false);
  });

  it('in online mode needs no restart for dynamic variables only', async () => {
    backend({}, undefined, 'online');
    const dynamic = context({ entityRef, config: { max_connections: 300 } });
    await actionFor().handler(dynamic);
    expect(dynamic.output).toHaveBeenCalledWith('restartRequired', false);
    expect(dynamic.logger.info).toHaveBeenCalledWith(
      'updated the configuration of resource:default/orders-db; the backend applies it online, without a restart',
    );

    const staticToo = context(
      {
        entityRef,
        config: { max_connections: 400, skip_name_resolve: true },
      },
      { isDryRun: true },
    );
    await actionFor().handler(staticToo);
    expect(staticToo.output).toHaveBeenCalledWith('restartRequired', true);
  });

  it('treats an empty form as nothing to change', async () => {
    const fake = backend({ max_connections: '300' });
    const ctx = context({ entityRef });
    await actionFor().handler(ctx);
    expect(fake.calls.map(c => c.method)).toEqual(['GET']);
    expect(ctx.output).toHaveBeenCalledWith('changes', []);
  });
});
