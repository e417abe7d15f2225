import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import {
  buildMysqlManifests,
  MysqlInstanceSpec,
  serverImageEnv,
  serverReadinessProbe,
} from './manifests';

const spec: MysqlInstanceSpec = {
  name: 'orders-db',
  namespace: 'databases',
  owner: 'group:default/team-a',
  image: 'mysql:8.4',
  storage: { size: '5Gi', storageClass: 'microk8s-hostpath' },
  resources: {},
  databaseName: 'orders_db',
  username: 'app',
  config: { max_connections: '200' },
};
const manifests = buildMysqlManifests(spec);

describe('buildMysqlManifests', () => {
  it('stamps the ConfigMap as rendered from the first generation of the MysqlInstance', () => {
    expect(manifests.configMap.metadata?.annotations).toEqual({
      'mysql.backstage.io/owner': 'group:default/team-a',
      'mysql.backstage.io/rendered-generation': '1',
    });
  });

  it('renders the MysqlInstance with what was asked for, labelled as its children', () => {
    expect(manifests.instance).toEqual({
      apiVersion: 'mysql.backstage.io/v1alpha1',
      kind: 'MysqlInstance',
      metadata: manifests.service.metadata,
      spec: {
        owner: 'group:default/team-a',
        image: 'mysql:8.4',
        config: { max_connections: '200' },
        storage: { size: '5Gi', storageClassName: 'microk8s-hostpath' },
        database: { name: 'orders_db', user: 'app' },
      },
    });
    expect(
      buildMysqlManifests({
        ...spec,
        resources: { limits: { memory: '1Gi' } },
        storage: { size: '1Gi', storageClass: '' },
      }).instance.spec,
    ).toMatchObject({
      resources: { limits: { memory: '1Gi' } },
      storage: { size: '1Gi' },
    });
  });

  it('keeps the data when the StatefulSet is deleted or scaled', () => {
    expect(
      manifests.statefulSet.spec?.persistentVolumeClaimRetentionPolicy,
    ).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  it('selects pods by our managed-by label too, so a Helm release of the same name cannot collide', () => {
    const selector = {
      'app.kubernetes.io/name': 'mysql',
      'app.kubernetes.io/instance': 'orders-db',
      'app.kubernetes.io/managed-by': 'backstage-mysql',
    };
    expect(manifests.statefulSet.spec?.selector.matchLabels).toEqual(selector);
    expect(manifests.service.spec?.selector).toEqual(selector);
    expect(manifests.headlessService.spec?.selector).toEqual(selector);
    expect(manifests.statefulSet.spec?.template.metadata?.labels).toMatchObject(
      selector,
    );
  });

  it('puts no password in any object', () => {
    expect(manifests.secret.stringData).not.toHaveProperty('password');
    expect(manifests.secret.stringData).not.toHaveProperty('root-password');
  });

  it("lets MariaDB's images upgrade their data on start, and leaves MySQL's env alone", () => {
    const envOf = (image: string) =>
      buildMysqlManifests({
        ...spec,
        image,
      }).statefulSet.spec!.template.spec!.containers[0].env!.map(e => e.name);
    expect(envOf('mariadb:11.8')).toContain('MARIADB_AUTO_UPGRADE');
    expect(envOf('registry.example.com/db/mariadb:10.11')).toContain(
      'MARIADB_AUTO_UPGRADE',
    );
    expect(envOf('mysql:8.4')).not.toContain('MARIADB_AUTO_UPGRADE');
    expect(serverImageEnv('mariadb:11.8')).toEqual([
      { name: 'MARIADB_AUTO_UPGRADE', value: '1' },
    ]);
    expect(serverImageEnv('percona:8.4')).toEqual([]);
  });

  it("probes readiness with the admin tool the image has: MariaDB 11's images have no mysqladmin", () => {
    const probeOf = (image: string) =>
      buildMysqlManifests({
        ...spec,
        image,
      }).statefulSet.spec!.template.spec!.containers[0].readinessProbe!.exec!.command!.join(
        ' ',
      );
    expect(probeOf('mariadb:11.8')).toBe(
      'sh -c mariadb-admin ping -h 127.0.0.1 --silent',
    );
    expect(probeOf('mysql:8.4')).toBe(
      'sh -c mysqladmin ping -h 127.0.0.1 --silent',
    );
    expect(serverReadinessProbe('mariadb:10.11').exec!.command![2]).toMatch(
      /^mariadb-admin /,
    );
  });
});

/** What the Pod Security "restricted" profile refuses in a pod spec. */
function restrictedViolations(pod: k8s.V1PodSpec): string[] {
  const problems: string[] = [];
  const allowedVolumes = [
    'configMap',
    'secret',
    'emptyDir',
    'persistentVolumeClaim',
    'projected',
    'downwardAPI',
    'csi',
    'ephemeral',
  ];
  for (const volume of pod.volumes ?? []) {
    const kinds = Object.keys(volume).filter(k => k !== 'name');
    if (!kinds.every(k => allowedVolumes.includes(k))) {
      problems.push(`volume ${volume.name}: ${kinds.join(', ')}`);
    }
  }
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC)
    problems.push('host namespaces');
  const podContext = pod.securityContext ?? {};
  if (podContext.runAsUser === 0) problems.push('pod runAsUser 0');
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const ctx = c.securityContext ?? {};
    if (ctx.privileged) problems.push(`${c.name}: privileged`);
    if (ctx.allowPrivilegeEscalation !== false) {
      problems.push(`${c.name}: allowPrivilegeEscalation must be false`);
    }
    if (!(ctx.runAsNonRoot ?? podContext.runAsNonRoot)) {
      problems.push(`${c.name}: runAsNonRoot must be true`);
    }
    if ((ctx.runAsUser ?? podContext.runAsUser) === 0) {
      problems.push(`${c.name}: runAsUser 0`);
    }
    const seccomp = (ctx.seccompProfile ?? podContext.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      problems.push(`${c.name}: seccompProfile must be RuntimeDefault`);
    }
    if (!ctx.capabilities?.drop?.includes('ALL')) {
      problems.push(`${c.name}: capabilities must drop ALL`);
    }
    const added = (ctx.capabilities?.add ?? []).filter(
      cap => cap !== 'NET_BIND_SERVICE',
    );
    if (added.length > 0) problems.push(`${c.name}: adds ${added.join(', ')}`);
    if (c.ports?.some(p => p.hostPort)) problems.push(`${c.name}: hostPort`);
  }
  return problems;
}

/**
 * Validates objects with kubernetes-models (the current Kubernetes schemas).
 * It is ESM only, which Jest cannot load, so a Node child process does.
 */
function schemaErrors(objects: object[]): string[] {
  const script = `
    import { StatefulSet } from 'kubernetes-models/apps/v1';
    import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
    const models = { StatefulSet, ConfigMap, Secret, Service };
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const errors = [];
    for (const object of JSON.parse(input)) {
      try {
        new models[object.kind](object).validate();
      } catch (error) {
        errors.push(object.kind + ' ' + object.metadata.name + ': ' + error.message);
      }
    }
    console.log(JSON.stringify(errors));
  `;
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', script],
    { input: JSON.stringify(objects), encoding: 'utf8', cwd: __dirname },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

describe('the manifests against current Kubernetes', () => {
  it('validate against the Kubernetes schemas of kubernetes-models', () => {
    // The MysqlInstance has no model here: the sandbox's API server checks
    // it against deploy/crds (mysqlInstance.integration.test.ts).
    const { instance: _checkedByTheApiServer, ...builtIn } = manifests;
    expect(schemaErrors(Object.values(builtIn))).toEqual([]);
  });

  it('catches an invalid object, so the check above can fail', () => {
    const broken = {
      ...manifests.statefulSet,
      spec: { ...manifests.statefulSet.spec, replicas: 'one' },
    };
    expect(schemaErrors([broken])).toEqual([
      expect.stringContaining('StatefulSet orders-db'),
    ]);
  });

  it('meets the Pod Security "restricted" profile', () => {
    expect(
      restrictedViolations(manifests.statefulSet.spec!.template.spec!),
    ).toEqual([]);
    expect(
      restrictedViolations({
        containers: [{ name: 'root', securityContext: { runAsUser: 0 } }],
      }),
    ).toEqual(expect.arrayContaining(['root: runAsUser 0']));
  });
});

describe('the probes', () => {
  it('hold liveness back with a startup probe long enough for crash recovery', () => {
    const container = manifests.statefulSet.spec!.template.spec!.containers[0];
    const startup = container.startupProbe!;
    expect(
      (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3),
    ).toBeGreaterThanOrEqual(600);
    expect(container.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });
});
