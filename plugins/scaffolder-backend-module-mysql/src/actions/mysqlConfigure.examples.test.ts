import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { setupServer } from 'msw/node';
import yaml from 'yaml';
import {
  fakeMysqlBackend,
  ordersDbEntity,
} from '../__testUtils__/fakeMysqlBackend';
import { examples } from './mysqlConfigure.examples';
import { createMysqlConfigureAction } from './mysqlConfigure';

describe('mysql:configure examples', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createMysqlConfigureAction({
    catalog: catalogServiceMock({ entities: [ordersDbEntity] }),
    auth: mockServices.auth(),
    discovery: mockServices.discovery(),
  });

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe('mysql:configure');
      const fake = fakeMysqlBackend({ desired: { max_connections: '151' } });
      server.use(...fake.handlers);
      const ctx = {
        ...createMockActionContext({ input: step.input }),
        isDryRun: true,
      };
      await action.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith(
        'entityRef',
        step.input.entityRef,
      );
      expect(ctx.output).toHaveBeenCalledWith(
        'changes',
        expect.arrayContaining([
          expect.objectContaining({ name: expect.any(String) }),
        ]),
      );
      expect(fake.calls.map(c => c.method)).toEqual(['GET']);
    },
  );
});
