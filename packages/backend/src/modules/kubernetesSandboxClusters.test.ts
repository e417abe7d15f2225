import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  KubeconfigClusterSupplier,
  kubernetesModuleSandboxClusters,
  readKubeconfigCluster,
  withKubeconfigCluster,
} from './kubernetesSandboxClusters';

const CA = Buffer.from('a CA certificate').toString('base64');

function kubeconfigYaml(port: number, token = `token-${port}`) {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: sandbox',
    '    cluster:',
    `      server: https://127.0.0.1:${port}`,
    `      certificate-authority-data: ${CA}`,
    'users:',
    '  - name: backstage-kubernetes',
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: sandbox',
    '    context: { cluster: sandbox, user: backstage-kubernetes }',
    'current-context: sandbox',
    '',
  ].join('\n');
}

let dir: string;
let file: string;

/** As the sandbox writes it: whole, then renamed into place. */
function writeKubeconfig(content: string) {
  fs.writeFileSync(`${file}.tmp`, content);
  fs.renameSync(`${file}.tmp`, file);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubernetes-sandbox-'));
  file = path.join(dir, 'kubernetes-plugin.kubeconfig');
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const options = () => ({
  name: 'sandbox',
  kubeconfig: file,
  skipMetricsLookup: true,
});
const credentials = { credentials: mockCredentials.none() };

describe('KubeconfigClusterSupplier', () => {
  it('supplies no cluster while the file is missing, then the one it names, and follows restarts', async () => {
    const logger = mockServices.logger.mock();
    const supplier = KubeconfigClusterSupplier.create(options(), logger);
    await expect(supplier.getClusters()).resolves.toEqual([]);

    writeKubeconfig(kubeconfigYaml(40001));
    await expect(supplier.getClusters()).resolves.toEqual([
      {
        name: 'sandbox',
        url: 'https://127.0.0.1:40001',
        caData: CA,
        caFile: undefined,
        skipTLSVerify: false,
        skipMetricsLookup: true,
        authMetadata: {
          'kubernetes.io/auth-provider': 'serviceAccount',
          serviceAccountToken: 'token-40001',
        },
      },
    ]);

    // A restarted sandbox: new port, new token.
    writeKubeconfig(kubeconfigYaml(40002));
    const [restarted] = await supplier.getClusters();
    expect(restarted.url).toBe('https://127.0.0.1:40002');
    expect(restarted.authMetadata.serviceAccountToken).toBe('token-40002');

    fs.rmSync(file);
    await expect(supplier.getClusters()).resolves.toEqual([]);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('leaves out a kubeconfig it cannot use, with a warning, until it is fixed', async () => {
    const logger = mockServices.logger.mock();
    const supplier = KubeconfigClusterSupplier.create(options(), logger);
    writeKubeconfig(kubeconfigYaml(40003).replace(/token: .*/, 'username: x'));
    await expect(supplier.getClusters()).resolves.toEqual([]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('has no token for its current user'),
    );

    writeKubeconfig(kubeconfigYaml(40003));
    await expect(supplier.getClusters()).resolves.toHaveLength(1);
  });

  it('parses the file again only when it changed', async () => {
    const logger = mockServices.logger.mock();
    const supplier = KubeconfigClusterSupplier.create(options(), logger);
    writeKubeconfig(kubeconfigYaml(40004));
    const first = await supplier.getClusters();
    expect(await supplier.getClusters()).toBe(first);
    expect(logger.info).toHaveBeenCalledTimes(1);
  });
});

describe('withKubeconfigCluster', () => {
  const cluster = (name: string, url: string) => ({
    name,
    url,
    authMetadata: {},
  });

  it('adds the kubeconfig cluster after the configured ones, unless one has its name', async () => {
    const configured = {
      getClusters: async () => [cluster('microk8s', 'https://10.0.0.1:16443')],
    };
    const sandbox = {
      getClusters: async () => [cluster('sandbox', 'https://127.0.0.1:1')],
    };
    await expect(
      withKubeconfigCluster(configured, sandbox).getClusters(credentials),
    ).resolves.toEqual([
      cluster('microk8s', 'https://10.0.0.1:16443'),
      cluster('sandbox', 'https://127.0.0.1:1'),
    ]);

    const clash = {
      getClusters: async () => [cluster('sandbox', 'https://10.0.0.2:16443')],
    };
    await expect(
      withKubeconfigCluster(clash, sandbox).getClusters(credentials),
    ).resolves.toEqual([cluster('sandbox', 'https://10.0.0.2:16443')]);
  });
});

describe('readKubeconfigCluster', () => {
  it('resolves the path from the working folder and defaults the rest', () => {
    const config = mockServices.rootConfig({
      data: { kubernetes: { sandbox: { kubeconfig: '../x.kubeconfig' } } },
    });
    expect(readKubeconfigCluster(config)).toEqual({
      name: 'sandbox',
      title: undefined,
      kubeconfig: path.resolve('..', 'x.kubeconfig'),
      skipMetricsLookup: true,
    });
    expect(
      readKubeconfigCluster(mockServices.rootConfig({ data: {} })),
    ).toBeUndefined();
  });
});

describe('kubernetesModuleSandboxClusters', () => {
  async function clustersOf(data: object) {
    const { server } = await startTestBackend({
      features: [
        kubernetesPlugin,
        kubernetesModuleSandboxClusters,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({ data }),
      ],
    });
    const res = await request(server)
      .get('/api/kubernetes/clusters')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    return res.body.items.map((c: { name: string }) => c.name);
  }

  const kubernetes = {
    serviceLocatorMethod: { type: 'multiTenant' },
    clusterLocatorMethods: [{ type: 'config', clusters: [] }],
  };

  it("gives the Kubernetes plugin the sandbox's cluster once its kubeconfig exists", async () => {
    writeKubeconfig(kubeconfigYaml(40005));
    await expect(
      clustersOf({
        kubernetes: { ...kubernetes, sandbox: { kubeconfig: file } },
      }),
    ).resolves.toEqual(['sandbox']);
  });

  it('starts the plugin without clusters while the sandbox is not up', async () => {
    await expect(
      clustersOf({
        kubernetes: { ...kubernetes, sandbox: { kubeconfig: file } },
      }),
    ).resolves.toEqual([]);
  });
});
