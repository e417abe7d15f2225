import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  MysqlClusters,
  readMysqlProvisionConfig,
} from '@mysql-portal/plugin-mysql-node';
import { toProvisionRequest } from './provisionRequest';

const config = new ConfigReader({
  mysql: {
    clusters: [
      {
        name: 'sandbox',
        url: 'https://127.0.0.1:6443',
        token: 't',
        defaultNamespace: 'databases',
        allowedNamespaces: ['databases', 'team-a'],
      },
    ],
  },
});
const clusters = MysqlClusters.fromConfig(config);
const provision = readMysqlProvisionConfig(config);

function problems(input: object): string {
  try {
    toProvisionRequest(input as any, clusters, provision);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('toProvisionRequest', () => {
  it('fills in the defaults of a minimal request', () => {
    const request = toProvisionRequest(
      { name: 'orders-db', owner: 'team-a' },
      clusters,
      provision,
    );
    expect(request).toEqual({
      cluster: 'sandbox',
      adoptExistingData: false,
      spec: {
        name: 'orders-db',
        namespace: 'databases',
        owner: 'group:default/team-a',
        image: 'mysql:9.7',
        storage: { size: '10Gi', storageClass: 'microk8s-hostpath' },
        resources: {},
        databaseName: 'orders_db',
        username: 'app',
        config: {},
      },
    });
  });

  it('takes storage and resources from the size, and explicit values over it', () => {
    const { spec } = toProvisionRequest(
      {
        name: 'orders-db',
        owner: 'user:default/alice',
        size: 'medium',
        resources: { limits: { memory: '3Gi' } },
      },
      clusters,
      provision,
    );
    expect(spec.owner).toBe('user:default/alice');
    expect(spec.storage.size).toBe('20Gi');
    expect(spec.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '2', memory: '3Gi' },
    });
  });

  it('refuses a namespace outside allowedNamespaces, naming the field and the allowed ones', () => {
    const message = problems({
      name: 'orders-db',
      owner: 'team-a',
      namespace: 'kube-system',
    });
    expect(message).toContain(
      'namespace: "kube-system" is not allowed on cluster sandbox; choose one of: databases, team-a',
    );
    expect(
      toProvisionRequest(
        { name: 'orders-db', owner: 'team-a', namespace: 'team-a' },
        clusters,
        provision,
      ).spec.namespace,
    ).toBe('team-a');
  });

  it('names every bad field at once', () => {
    const message = problems({
      name: 'Orders_DB',
      owner: '',
      cluster: 'prod',
      version: 'postgres:16',
      size: 'huge',
      storageSize: 'lots',
      storageClass: 'No Such Class',
      resources: { requests: { cpu: 'fast' } },
      databaseName: 'drop table',
      username: '1root',
      config: { max_connections: 'x\n[mysqld]' },
    });
    expect(message).not.toContain('- namespace:');
    for (const field of [
      'name:',
      'owner:',
      'cluster:',
      'version:',
      'size:',
      'storageSize:',
      'storageClass:',
      'resources.requests.cpu:',
      'databaseName:',
      'username:',
      'config.max_connections:',
    ]) {
      expect(message).toContain(`- ${field}`);
    }
  });

  it("refuses a value the chosen image's servers refuse", () => {
    expect(
      problems({
        name: 'orders-db',
        owner: 'team-a',
        version: 'mariadb:10.11',
        config: {
          character_set_server: 'utf8mb4',
          collation_server: 'utf8mb4_0900_ai_ci',
        },
      }),
    ).toContain(
      '- config.collation_server: collation_server "utf8mb4_0900_ai_ci" is not available on MariaDB',
    );
  });

  it("lets a restore keep its source's image, which an upgrade may have taken off the list, and defaults to it", () => {
    const restore = { sourceImage: 'mysql:9.7.4' };
    const upgraded = { name: 'copy-db', owner: 'team-a' };
    expect(
      toProvisionRequest(upgraded, clusters, provision, restore).spec.image,
    ).toBe('mysql:9.7.4');
    expect(
      toProvisionRequest(
        { ...upgraded, version: 'mysql:9.7.4' },
        clusters,
        provision,
        restore,
      ).spec.image,
    ).toBe('mysql:9.7.4');
    expect(
      toProvisionRequest(
        { ...upgraded, version: 'mysql:9.7' },
        clusters,
        provision,
        restore,
      ).spec.image,
    ).toBe('mysql:9.7');
    // Only the source's own image; a new database may not pick it.
    expect(() =>
      toProvisionRequest(
        { ...upgraded, version: 'mysql:9.7.5' },
        clusters,
        provision,
        restore,
      ),
    ).toThrow(
      /- version: "mysql:9.7.5" is not allowed here; choose one of: mysql:9.7, mysql:8.4, mariadb:10.11 or the source's mysql:9.7.4$/,
    );
    expect(problems({ ...upgraded, version: 'mysql:9.7.4' })).toMatch(
      /- version: "mysql:9.7.4" is not allowed here; choose one of: mysql:9.7, mysql:8.4, mariadb:10.11$/,
    );
  });

  it('refuses names longer than 40 characters and names that are not DNS labels', () => {
    expect(problems({ name: 'a'.repeat(41), owner: 'team-a' })).toContain(
      '- name:',
    );
    expect(problems({ name: '-db', owner: 'team-a' })).toContain('- name:');
  });
});
