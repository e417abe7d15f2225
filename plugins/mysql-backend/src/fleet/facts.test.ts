import {
  MY_CNF_KEY,
  MYSQL_CONFIG_HASH_ANNOTATION,
} from '@mysql-portal/plugin-mysql-common';
import { configHash } from '@mysql-portal/plugin-mysql-node';
import { InstanceObjects } from '../service/InstanceCache';
import { ONLINE_CONFIG_ANNOTATION } from '../service/rollout';
import { restartPending, versionDrift } from './facts';

describe('versionDrift', () => {
  it.each([
    ['mysql:8.4', '8.4.3', undefined, false],
    ['mysql:8.4', '8.0.36', undefined, true],
    ['mysql:9.7', '9.7.4', 'MySQL Community Server - GPL', false],
    ['mysql:8.4', '10.11.19-MariaDB-0+deb12u1', undefined, true],
    ['mariadb:10.11', '10.11.19-MariaDB-0+deb12u1', undefined, false],
    ['mysql:latest', '9.7.4', undefined, false],
  ])('%s running %s (%s): %s', (image, version, versionComment, drift) => {
    expect(versionDrift(image, { version, versionComment })).toBe(drift);
  });

  it('sees no drift before the server answered, or in a version it cannot read', () => {
    expect(versionDrift('mysql:8.4', undefined)).toBe(false);
    expect(versionDrift('mysql:8.4', { version: undefined })).toBe(false);
    expect(versionDrift('mysql:8.4', { version: 'nonsense' })).toBe(false);
    expect(versionDrift('', { version: '8.0.36' })).toBe(false);
  });
});

function objects(options: {
  desired?: string;
  template?: string;
  online?: string;
}): InstanceObjects {
  return {
    ref: 'sandbox/shop/orders-db',
    cluster: 'sandbox',
    namespace: 'shop',
    name: 'orders-db',
    pods: [],
    configMap:
      options.desired === undefined
        ? undefined
        : { data: { [MY_CNF_KEY]: options.desired } },
    statefulSet: {
      metadata: {
        annotations: options.online
          ? {
              [ONLINE_CONFIG_ANNOTATION]: JSON.stringify({
                cnf: options.online,
                base: options.template,
                applied: true,
              }),
            }
          : {},
      },
      spec: {
        selector: {},
        serviceName: 'orders-db',
        template: {
          metadata: {
            annotations:
              options.template === undefined
                ? {}
                : {
                    [MYSQL_CONFIG_HASH_ANNOTATION]: configHash(
                      options.template,
                    ),
                  },
          },
        },
      },
    },
  };
}

describe('restartPending', () => {
  const A = '[mysqld]\nmax_connections = 151\n';
  const B = '[mysqld]\nmax_connections = 300\n';

  it('is false while the server runs the desired my.cnf', () => {
    expect(restartPending(objects({ desired: A, template: A }))).toBe(false);
  });

  it('is true when the desired my.cnf is not the one the server started with', () => {
    expect(restartPending(objects({ desired: B, template: A }))).toBe(true);
  });

  it('counts a change applied online as running', () => {
    expect(
      restartPending(objects({ desired: B, template: A, online: B })),
    ).toBe(false);
    expect(
      restartPending(objects({ desired: B, template: A, online: A })),
    ).toBe(true);
  });

  it('is false when either side is unknown', () => {
    expect(restartPending(objects({ template: A }))).toBe(false);
    expect(restartPending(objects({ desired: A }))).toBe(false);
  });
});
