import { ConfigReader } from '@backstage/config';
import { readMysqlClusters } from './clusters';

function read(entry: object) {
  return readMysqlClusters(
    new ConfigReader({
      mysql: {
        clusters: [{ name: 'one', url: 'https://k8s', token: 't', ...entry }],
      },
    }),
  );
}

describe('readMysqlClusters', () => {
  it('waits 30 s for an API call unless told otherwise', () => {
    expect(read({})[0].requestTimeoutSeconds).toBe(30);
    expect(read({ requestTimeoutSeconds: 5 })[0].requestTimeoutSeconds).toBe(5);
  });

  it.each([0, 601, -1])(
    'refuses a requestTimeoutSeconds of %p, naming the field',
    value => {
      expect(() => read({ requestTimeoutSeconds: value })).toThrow(
        `mysql.clusters[0].requestTimeoutSeconds must be from 1 to 600, not ${value}`,
      );
    },
  );

  it('refuses an unknown podAccess, naming the field', () => {
    expect(() => read({ podAccess: 'nodePort' })).toThrow(
      'mysql.clusters[0].podAccess must be podIP or serviceDns, not "nodePort"',
    );
  });
});
