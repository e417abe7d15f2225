import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { setupServer } from 'msw/node';
import yaml from 'yaml';
import { fakeMysqlBackend } from '../__testUtils__/fakeMysqlBackend';
import { examples } from './mysqlProvision.examples';
import { createMysqlProvisionAction } from './mysqlProvision';

describe('mysql:provision examples', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createMysqlProvisionAction({
    auth: mockServices.auth(),
    discovery: mockServices.discovery(),
  });

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe('mysql:provision');
      const fake = fakeMysqlBackend();
      server.use(...fake.handlers);
      const ctx = {
        ...createMockActionContext({ input: step.input }),
        isDryRun: true,
      };
      await action.handler(ctx);
      expect(fake.calls.map(c => `${c.method} ${c.path}`)).toEqual([
        'POST /api/mysql/instances?dryRun=true',
      ]);
      const { waitForReady, timeoutSeconds, ...request } = step.input;
      expect(fake.calls[0].body).toEqual(request);
      expect(ctx.output).toHaveBeenCalledWith(
        'entityRef',
        `resource:default/${step.input.name}`,
      );
    },
  );
});
