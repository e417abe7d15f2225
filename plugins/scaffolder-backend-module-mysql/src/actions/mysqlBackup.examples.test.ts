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
import { examples } from './mysqlBackup.examples';
import { createMysqlBackupAction } from './mysqlBackup';

describe('mysql:backup examples', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createMysqlBackupAction({
    catalog: catalogServiceMock({ entities: [ordersDbEntity] }),
    auth: mockServices.auth(),
    discovery: mockServices.discovery(),
    pollIntervalMs: 1,
  });

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe('mysql:backup');

      const dryRun = fakeMysqlBackend();
      server.use(...dryRun.handlers);
      const planned = {
        ...createMockActionContext({ input: step.input }),
        isDryRun: true,
      };
      await action.handler(planned);
      expect(dryRun.calls.map(c => c.method)).toEqual(['GET', 'GET']);

      const fake = fakeMysqlBackend();
      server.use(...fake.handlers);
      const ctx = createMockActionContext({ input: step.input });
      await action.handler(ctx);
      expect(fake.calls.map(c => c.method)).toEqual(['POST', 'GET']);
      expect(ctx.output).toHaveBeenCalledWith('backupId', '1');
      expect(ctx.output).toHaveBeenCalledWith('status', 'Completed');
    },
  );
});
