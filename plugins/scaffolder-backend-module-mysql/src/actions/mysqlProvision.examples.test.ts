import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  MysqlClusters,
  readMysqlProvisionConfig,
} from '@internal/plugin-mysql-node';
import yaml from 'yaml';
import { examples } from './mysqlProvision.examples';
import { createMysqlProvisionAction } from './mysqlProvision';

describe('mysql:provision examples', () => {
  const config = new ConfigReader({
    mysql: {
      clusters: [
        { name: 'sandbox', url: 'http://127.0.0.1:1', token: 'unused' },
      ],
      images: ['mysql:8.4', 'mysql:8.0'],
    },
  });
  const action = createMysqlProvisionAction({
    clusters: MysqlClusters.fromConfig(config),
    provision: readMysqlProvisionConfig(config),
    catalog: catalogServiceMock(),
    auth: mockServices.auth(),
  });

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe('mysql:provision');
      const ctx = {
        ...createMockActionContext({ input: step.input }),
        isDryRun: true,
      };
      await action.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith(
        'entityRef',
        `resource:default/${step.input.name}`,
      );
    },
  );
});
