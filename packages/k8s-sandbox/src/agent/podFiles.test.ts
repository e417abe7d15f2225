import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { podFields, resolveEnv, resolveFileEnv } from './podFiles';

describe('resolveEnv', () => {
  const secret = {
    data: { username: Buffer.from('app').toString('base64') },
  };
  const core = {
    readNamespacedSecret: jest.fn(async () => secret),
  } as unknown as k8s.CoreV1Api;
  const pod: k8s.V1Pod = {
    metadata: {
      name: 'orders-backup-1a2b-x7',
      namespace: 'databases',
      uid: 'u-1',
      labels: { 'job-name': 'orders-backup-1a2b' },
    },
    spec: { nodeName: 'sandbox', containers: [] },
  };

  it('expands $(NAME) in values from the entries before, as the kubelet does', async () => {
    const env = await resolveEnv(
      core,
      'databases',
      {
        name: 'dump',
        env: [
          {
            name: 'MYSQL_USER',
            valueFrom: { secretKeyRef: { name: 'orders', key: 'username' } },
          },
          {
            name: 'POD',
            valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
          },
          {
            name: 'JOB',
            valueFrom: {
              fieldRef: { fieldPath: "metadata.labels['job-name']" },
            },
          },
          {
            name: 'IP',
            valueFrom: { fieldRef: { fieldPath: 'status.podIP' } },
          },
          { name: 'TARGET', value: '/backup/$(JOB)-$(MYSQL_USER).sql.gz' },
          { name: 'LATER', value: '$(DEFINED_AFTER) $$(POD)' },
          { name: 'DEFINED_AFTER', value: 'x' },
          { name: 'EMPTY', value: '' },
        ],
      },
      podFields(pod, '127.9.0.5'),
    );
    expect(env).toEqual({
      MYSQL_USER: 'app',
      POD: 'orders-backup-1a2b-x7',
      JOB: 'orders-backup-1a2b',
      IP: '127.9.0.5',
      TARGET: '/backup/orders-backup-1a2b-app.sql.gz',
      LATER: '$(DEFINED_AFTER) $(POD)',
      DEFINED_AFTER: 'x',
      EMPTY: '',
    });
  });
});

describe('resolveFileEnv', () => {
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'rootfs-'));
  fs.mkdirSync(path.join(rootfs, 'run', 'secrets'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'run', 'secrets', 'root'), 's3cret\n\n');

  it("reads a _FILE variable from the container's file, as the images do", () => {
    expect(
      resolveFileEnv(
        { MYSQL_ROOT_PASSWORD_FILE: '/run/secrets/root', MYSQL_USER: 'app' },
        rootfs,
      ),
    ).toEqual({ MYSQL_ROOT_PASSWORD: 's3cret', MYSQL_USER: 'app' });
  });

  it('refuses both forms at once, and a file that is not there', () => {
    expect(() =>
      resolveFileEnv(
        {
          MYSQL_PASSWORD: 'a',
          MYSQL_PASSWORD_FILE: '/run/secrets/root',
        },
        rootfs,
      ),
    ).toThrow('both MYSQL_PASSWORD and MYSQL_PASSWORD_FILE are set');
    expect(() =>
      resolveFileEnv({ MARIADB_ROOT_PASSWORD_FILE: '/nope' }, rootfs),
    ).toThrow('MARIADB_ROOT_PASSWORD_FILE: /nope does not exist');
  });
});
