import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples for `mysql:backup`, shown in the scaffolder's action list. */
export const examples: TemplateExample[] = [
  {
    description:
      'Back up a database and wait until the dump is complete (up to 30 minutes)',
    example: yaml.stringify({
      steps: [
        {
          id: 'backup',
          action: 'mysql:backup',
          name: 'Back up the database',
          input: {
            entityRef: 'resource:default/orders-db',
          },
        },
      ],
    }),
  },
  {
    description:
      'Start a backup and go on without waiting; the entity page shows how it ends',
    example: yaml.stringify({
      steps: [
        {
          id: 'backup',
          action: 'mysql:backup',
          name: 'Start a backup',
          input: {
            entityRef: 'resource:default/orders-db',
            wait: false,
          },
        },
      ],
    }),
  },
  {
    description:
      'Back up a large database before a risky change, allowing it two hours',
    example: yaml.stringify({
      steps: [
        {
          id: 'backup',
          action: 'mysql:backup',
          name: 'Back up the database first',
          input: {
            entityRef: 'resource:default/orders-db',
            timeoutSeconds: 7200,
          },
        },
        {
          id: 'configure',
          action: 'mysql:configure',
          name: 'Then change the configuration',
          input: {
            entityRef: 'resource:default/orders-db',
            config: { innodb_buffer_pool_size: '2G' },
          },
        },
      ],
    }),
  },
];
