import * as k8s from '@kubernetes/client-node';
import {
  sandboxKubectl,
  TestSandbox,
  useSandbox,
} from '@mysql-portal/k8s-sandbox';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { buildMysqlManifests } from './manifests';
import {
  MYSQL_INSTANCE_API,
  MysqlInstanceResource,
  MysqlInstanceResourceSpec,
} from './mysqlInstance';

jest.setTimeout(120_000);

// The definition in deploy/crds, as the sandbox's real API server serves
// it: what the schema and its CEL rules refuse, and what kubectl shows.

const NAMESPACE = `crd-it-${randomBytes(3).toString('hex')}`;
const { group, version, plural, kind } = MYSQL_INSTANCE_API;
/** Where every request of this suite goes. */
const WHERE = { group, version, plural, namespace: NAMESPACE };

let sandbox: TestSandbox;
let api: k8s.CustomObjectsApi;

const SPEC: MysqlInstanceResourceSpec = {
  owner: 'group:default/team-a',
  image: 'mysql:9.7',
  config: { max_connections: '151', sql_mode: 'STRICT_TRANS_TABLES' },
  resources: {
    requests: { cpu: '250m', memory: '512Mi' },
    limits: { cpu: '1', memory: '1Gi' },
  },
  storage: { size: '1Gi', storageClassName: 'standard' },
  database: { name: 'app', user: 'app' },
  backup: { target: 'pvc', schedule: '0 3 * * *', retention: 7 },
};

function instance(
  name: string,
  spec: MysqlInstanceResourceSpec = SPEC,
): MysqlInstanceResource {
  return {
    apiVersion: `${group}/${version}`,
    kind,
    metadata: { name, namespace: NAMESPACE },
    spec,
  };
}

function create(body: MysqlInstanceResource) {
  return api.createNamespacedCustomObject({
    ...WHERE,
    body,
  }) as Promise<MysqlInstanceResource>;
}

function read(name: string) {
  return api.getNamespacedCustomObject({
    ...WHERE,
    name,
  }) as Promise<MysqlInstanceResource>;
}

const mergePatch = k8s.setHeaderOptions(
  'Content-Type',
  k8s.PatchStrategy.MergePatch,
);

function patchSpec(name: string, spec: object) {
  return api.patchNamespacedCustomObject(
    { ...WHERE, name, body: { spec } },
    mergePatch,
  ) as Promise<MysqlInstanceResource>;
}

/** The API server's refusal: its status code and message. */
async function refusal(request: Promise<unknown>) {
  try {
    await request;
  } catch (error) {
    const { code, body } = error as { code?: number; body?: string };
    return { code, message: JSON.parse(body ?? '{}').message as string };
  }
  throw new Error('the API server accepted it');
}

beforeAll(async () => {
  sandbox = await useSandbox();
  api = sandbox.kc.makeApiClient(k8s.CustomObjectsApi);
  await sandbox.kc
    .makeApiClient(k8s.CoreV1Api)
    .createNamespace({ body: { metadata: { name: NAMESPACE } } });
});

afterAll(async () => {
  await sandbox?.kc
    .makeApiClient(k8s.CoreV1Api)
    .deleteNamespace({ name: NAMESPACE });
});

describe('the MysqlInstance custom resource', () => {
  it('keeps its generation for status writes, moves it for spec changes, and shows phase, version and ready in kubectl get', async () => {
    const made = await create(instance('orders'));
    expect(made.metadata.generation).toBe(1);

    // Status through the status subresource only: the main resource ignores it.
    await api.patchNamespacedCustomObjectStatus(
      {
        ...WHERE,
        name: 'orders',
        body: {
          status: {
            observedGeneration: 1,
            phase: 'Running',
            version: { image: 'mysql:9.7', server: '9.7.4' },
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                observedGeneration: 1,
                lastTransitionTime: new Date().toISOString(),
                reason: 'ServerAnswers',
                message: 'the server answers',
              },
            ],
          },
        },
      },
      mergePatch,
    );
    expect((await read('orders')).metadata.generation).toBe(1);
    await api.patchNamespacedCustomObject(
      {
        ...WHERE,
        name: 'orders',
        body: { status: { phase: 'Degraded' } },
      },
      mergePatch,
    );
    expect((await read('orders')).status?.phase).toBe('Running');

    const changed = await patchSpec('orders', {
      config: { max_connections: '200' },
    });
    expect(changed.metadata.generation).toBe(2);
    expect(changed.spec.config).toEqual({
      max_connections: '200',
      sql_mode: 'STRICT_TRANS_TABLES',
    });

    const listed = spawnSync(
      sandboxKubectl(),
      ['get', 'mysqlinstances', '--all-namespaces'],
      {
        encoding: 'utf8',
        env: { ...process.env, KUBECONFIG: sandbox.kubeconfig },
      },
    );
    expect(listed.stderr).toBe('');
    const [header, ...rows] = listed.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual([
      'NAMESPACE',
      'NAME',
      'PHASE',
      'VERSION',
      'READY',
      'AGE',
    ]);
    expect(rows.map(row => row.split(/\s+/).slice(0, 5))).toContainEqual([
      NAMESPACE,
      'orders',
      'Running',
      '9.7.4',
      'True',
    ]);
  });

  const refusedAtCreation: Array<[string, MysqlInstanceResource, RegExp]> = [
    [
      'a name that is not a DNS label',
      instance('Orders_DB'),
      /metadata.name must be a DNS-1123 label/,
    ],
    [
      'a name over 40 characters',
      instance('a'.repeat(41)),
      /metadata.name must be a DNS-1123 label of at most 40 characters/,
    ],
    [
      'an owner ref that cannot exist',
      instance('owner-path', { ...SPEC, owner: 'group:../../etc' }),
      /spec.owner: Invalid value/,
    ],
    [
      'an owner ref with a newline',
      instance('owner-newline', { ...SPEC, owner: 'group:default/a\nb' }),
      /spec.owner: Invalid value/,
    ],
    [
      'an image without a tag',
      instance('no-tag', { ...SPEC, image: 'mysql' }),
      /spec.image: Invalid value.*image must name a tag/,
    ],
    [
      'a config key that is not a variable name',
      instance('bad-key', { ...SPEC, config: { 'Max-Connections': '1' } }),
      /spec.config: Invalid value.*config keys are server variable names/,
    ],
    [
      'a section header smuggled into a config value',
      instance('smuggled', {
        ...SPEC,
        config: { sql_mode: 'ANSI\n[client]\npassword=x' },
      }),
      /spec.config: Invalid value.*one line of printable ASCII/,
    ],
    [
      'a memory that is not a quantity',
      instance('bad-memory', {
        ...SPEC,
        resources: { limits: { memory: 'lots' } },
      }),
      /spec.resources.limits: Invalid value.*resources.limits.memory must be a quantity/,
    ],
    [
      'a memory limit below the request',
      instance('limit-low', {
        ...SPEC,
        resources: {
          requests: { memory: '1Gi' },
          limits: { memory: '512Mi' },
        },
      }),
      /spec.resources: Invalid value.*resources.limits.memory must not be below resources.requests.memory/,
    ],
    [
      'a storage size of zero',
      instance('no-storage', { ...SPEC, storage: { size: '0' } }),
      /spec.storage.size: Invalid value.*storage.size must be a positive quantity/,
    ],
    [
      'a backup retention of 0',
      instance('no-retention', { ...SPEC, backup: { retention: 0 } }),
      /spec.backup.retention: Invalid value: 0/,
    ],
    [
      'a backup schedule of three fields',
      instance('short-cron', { ...SPEC, backup: { schedule: '0 3 *' } }),
      /spec.backup.schedule: Invalid value/,
    ],
    [
      'an unknown backup target',
      instance('ftp', { ...SPEC, backup: { target: 'ftp' as 'pvc' } }),
      /spec.backup.target: Unsupported value: "ftp"/,
    ],
  ];

  it.each(refusedAtCreation)(
    'refuses %s with a message that names the field, and makes nothing',
    async (_what, body, message) => {
      const refused = await refusal(create(body));
      expect(refused.code).toBe(422);
      expect(refused.message).toMatch(message);
      expect((await refusal(read(body.metadata.name!))).code).toBe(404);
    },
  );

  const refusedChanges: Array<[string, object, RegExp]> = [
    [
      'a smaller volume',
      { storage: { size: '512Mi' } },
      /spec.storage.size: Invalid value.*storage.size cannot shrink/,
    ],
    [
      'another storage class',
      { storage: { storageClassName: 'fast' } },
      /storage.storageClassName is set at creation and cannot change/,
    ],
    [
      'no storage class',
      { storage: { storageClassName: null } },
      /storage.storageClassName is set at creation and cannot change/,
    ],
    [
      'another application database',
      { database: { name: 'shop' } },
      /database is set at creation and cannot change/,
    ],
  ];

  it.each(refusedChanges)(
    'refuses %s on an existing instance, and changes nothing',
    async (_what, spec, message) => {
      const name = `change-${randomBytes(2).toString('hex')}`;
      const made = await create(instance(name));
      const refused = await refusal(patchSpec(name, spec));
      expect(refused.code).toBe(422);
      expect(refused.message).toMatch(message);
      const after = await read(name);
      expect(after.metadata.generation).toBe(made.metadata.generation);
      expect(after.spec).toEqual(made.spec);
    },
  );

  it('accepts the resource that buildMysqlManifests renders', async () => {
    const { instance: rendered } = buildMysqlManifests({
      name: 'rendered',
      namespace: NAMESPACE,
      owner: 'user:default/jane.doe',
      image: 'mariadb:11.8',
      storage: { size: '2Gi', storageClass: 'local-path' },
      resources: { requests: { memory: '256Mi' }, limits: { memory: '1Gi' } },
      databaseName: 'shop_2',
      username: 'shop',
      config: {
        max_connections: '200',
        sql_mode: 'ANSI_QUOTES,STRICT_ALL_TABLES',
      },
    });
    const made = await create(rendered);
    expect(made.spec).toEqual(rendered.spec);
    expect(made.metadata.labels).toEqual(rendered.metadata.labels);
  });

  it('lets the volume grow', async () => {
    await create(instance('grows'));
    const grown = await patchSpec('grows', { storage: { size: '2Gi' } });
    expect(grown.spec.storage).toEqual({
      size: '2Gi',
      storageClassName: 'standard',
    });
  });
});
