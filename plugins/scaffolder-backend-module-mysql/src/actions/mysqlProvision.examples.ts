import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'A MySQL 8.4 database with the defaults, on the default cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'provision',
          action: 'mysql:provision',
          name: 'Create the database',
          input: {
            name: 'orders-db',
            owner: 'group:default/team-a',
          },
        },
      ],
    }),
  },
  {
    description:
      'A medium database with its own configuration, without waiting for it',
    example: yaml.stringify({
      steps: [
        {
          id: 'provision',
          action: 'mysql:provision',
          name: 'Create the database',
          input: {
            name: 'billing-db',
            owner: 'group:default/payments',
            cluster: 'sandbox',
            namespace: 'databases',
            version: 'mysql:8.4',
            storageSize: '20Gi',
            storageClass: 'microk8s-hostpath',
            resources: {
              requests: { cpu: '500m', memory: '1Gi' },
              limits: { cpu: '2', memory: '2Gi' },
            },
            databaseName: 'billing',
            username: 'billing',
            config: {
              max_connections: 300,
              innodb_buffer_pool_size: '512M',
              slow_query_log: true,
              long_query_time: 2,
            },
            waitForReady: false,
          },
        },
      ],
    }),
  },
  {
    description:
      'A database again on the data volume that an earlier orders-db left behind (its Secret still holds the passwords of that data)',
    example: yaml.stringify({
      steps: [
        {
          id: 'provision',
          action: 'mysql:provision',
          name: 'Create the database on its old data',
          input: {
            name: 'orders-db',
            owner: 'group:default/team-a',
            namespace: 'databases',
            adoptExistingData: true,
            timeoutSeconds: 600,
          },
        },
      ],
    }),
  },
];
