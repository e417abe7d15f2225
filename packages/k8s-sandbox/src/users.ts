import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { kubeconfigYaml } from './pki';
import { waitFor } from './processes';
import { SandboxUser } from './state';

/** A service account of one of the repository's deploy/ manifests. */
interface ServiceAccountUser {
  /** The account, as the manifest names it. */
  account: { name: string; namespace: string };
  /** The manifest, relative to the repository root. */
  manifest: string;
  /** The kubeconfig `up` writes for it, in the state folder. */
  kubeconfig: string;
}

/** The mysql backend's account in deploy/rbac.yaml. */
const BACKEND: ServiceAccountUser = {
  account: { name: 'backstage-mysql', namespace: 'backstage' },
  manifest: path.join('deploy', 'rbac.yaml'),
  kubeconfig: 'backend.kubeconfig',
};

/**
 * The Kubernetes plugin's read-only account in
 * deploy/kubernetes-plugin-rbac.yaml.
 */
const KUBERNETES_PLUGIN: ServiceAccountUser = {
  account: { name: 'backstage-kubernetes', namespace: 'backstage' },
  manifest: path.join('deploy', 'kubernetes-plugin-rbac.yaml'),
  kubeconfig: 'kubernetes-plugin.kubeconfig',
};

const userName = ({ account }: ServiceAccountUser) =>
  `system:serviceaccount:${account.namespace}:${account.name}`;

/**
 * The user name the API server gives the backend's service account
 * (`backstage/backstage-mysql` of deploy/rbac.yaml), as audit events show it.
 *
 * @public
 */
export const BACKEND_USER = userName(BACKEND);

/**
 * The user name the API server gives the Kubernetes plugin's read-only
 * service account (`backstage/backstage-kubernetes` of
 * deploy/kubernetes-plugin-rbac.yaml), as audit events show it.
 *
 * @public
 */
export const KUBERNETES_PLUGIN_USER = userName(KUBERNETES_PLUGIN);

/**
 * Applies one of the repository's deploy/ manifests (as `kubectl apply`
 * creates what is missing) and writes a kubeconfig with the token of its
 * service account, so tests, benchmarks and the portal talk to the sandbox
 * exactly as the deployed backend does: with the account's least-privilege
 * role, as its own user in the audit log. Needs the service-account token
 * controller, which fills the account's token Secret.
 * Without the manifest there is no such user.
 */
async function createServiceAccountUser(
  user: ServiceAccountUser,
  options: {
    admin: k8s.KubeConfig;
    root: string;
    stateDir: string;
    server: string;
    caFile: string;
  },
): Promise<SandboxUser | undefined> {
  const manifest = path.join(options.root, user.manifest);
  if (!fs.existsSync(manifest)) return undefined;
  const objects = k8s.loadAllYaml(
    fs.readFileSync(manifest, 'utf8'),
  ) as k8s.KubernetesObject[];
  const client = k8s.KubernetesObjectApi.makeApiClient(options.admin);
  for (const object of objects.filter(Boolean)) {
    try {
      await client.create(object);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
  const core = options.admin.makeApiClient(k8s.CoreV1Api);
  const { account } = user;
  // Since Kubernetes 1.24 an account gets no token Secret of its own; a
  // Secret of type service-account-token asks the token controller for a
  // long-lived one, as a deployment's kubeconfig would hold.
  const secretName = `${account.name}-token`;
  try {
    await core.createNamespacedSecret({
      namespace: account.namespace,
      body: {
        metadata: {
          name: secretName,
          annotations: { 'kubernetes.io/service-account.name': account.name },
        },
        type: 'kubernetes.io/service-account-token',
      },
    });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
  let token = '';
  await waitFor(
    `a token for service account ${account.namespace}/${account.name}`,
    async () => {
      const data = (
        await core.readNamespacedSecret({
          name: secretName,
          namespace: account.namespace,
        })
      ).data;
      token = Buffer.from(data?.token ?? '', 'base64').toString('utf8');
      return token !== '';
    },
    30_000,
  );
  // Written whole and renamed: the portal re-reads these files while the
  // sandbox starts, and must never see half of one.
  const kubeconfig = path.join(options.stateDir, user.kubeconfig);
  fs.writeFileSync(
    `${kubeconfig}.tmp`,
    kubeconfigYaml(options.server, options.caFile, token, account.name),
    { mode: 0o600 },
  );
  fs.renameSync(`${kubeconfig}.tmp`, kubeconfig);
  return { name: userName(user), kubeconfig };
}

/**
 * Creates the service accounts of the repository's deploy/ manifests and
 * writes their kubeconfigs next to the admin one: the mysql backend's
 * (`backend.kubeconfig`) and the Kubernetes plugin's read-only one
 * (`kubernetes-plugin.kubeconfig`).
 */
export async function createServiceAccountUsers(options: {
  admin: k8s.KubeConfig;
  root: string;
  stateDir: string;
  server: string;
  caFile: string;
}) {
  const backend = await createServiceAccountUser(BACKEND, options);
  const kubernetesPlugin = await createServiceAccountUser(
    KUBERNETES_PLUGIN,
    options,
  );
  return { backend, kubernetesPlugin };
}
