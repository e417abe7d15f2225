import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples for `mysql:configure`, shown in the scaffolder's action list. */
export const examples: TemplateExample[] = [
  {
    description: 'Allow more connections; every other variable stays as it is',
    example: yaml.stringify({
      steps: [
        {
          id: 'configure',
          action: 'mysql:configure',
          name: 'Change the configuration',
          input: {
            entityRef: 'resource:default/orders-db',
            config: { max_connections: 300 },
          },
        },
      ],
    }),
  },
  {
    description:
      'Values from a form: empty fields leave their variables unchanged',
    example: yaml.stringify({
      steps: [
        {
          id: 'configure',
          action: 'mysql:configure',
          name: 'Change the configuration',
          input: {
            entityRef: 'resource:default/orders-db',
            config: {
              innodb_buffer_pool_size: '512M',
              slow_query_log: true,
              long_query_time: 2,
              character_set_server: '',
            },
          },
        },
      ],
    }),
  },
];
