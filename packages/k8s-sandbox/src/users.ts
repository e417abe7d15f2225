import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { kubeconfigYaml } from './pki';
import { waitFor } from './processes';
import { SandboxUser } from './state';

/** The backend's account in deploy/rbac.yaml. */
const ACCOUNT = { name: 'backstage-mysql', namespace: 'backstage' };

/**
 * The user name the API server gives the backend's service account
 * (`backstage/backstage-mysql` of deploy/rbac.yaml), as audit events show it.
 *
 * @public
 */
export const BACKEND_USER = `system:serviceaccount:${ACCOUNT.namespace}:${ACCOUNT.name}`;

/**
 * Applies the repository's deploy/rbac.yaml (as `kubectl apply` creates what
 * is missing) and writes a kubeconfig with the token of its service account,
 * so tests and benchmarks talk to the sandbox exactly as the deployed backend
 * does: with its least-privilege role, as its own user in the audit log.
 * Needs the service-account token controller (Kubernetes 1.20 still makes a
 * token Secret per account). Without the file there is no backend user.
 */
export async function createBackendUser(options: {
  admin: k8s.KubeConfig;
  rbacFile: string;
  kubeconfig: string;
  server: string;
  caFile: string;
}): Promise<SandboxUser | undefined> {
  if (!fs.existsSync(options.rbacFile)) return undefined;
  const objects = k8s.loadAllYaml(
    fs.readFileSync(options.rbacFile, 'utf8'),
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
  let token = '';
  await waitFor(
    `a token for service account ${ACCOUNT.namespace}/${ACCOUNT.name}`,
    async () => {
      const sa = await core.readNamespacedServiceAccount(ACCOUNT);
      const secret = sa.secrets?.[0]?.name;
      if (!secret) return false;
      const data = (
        await core.readNamespacedSecret({
          name: secret,
          namespace: ACCOUNT.namespace,
        })
      ).data;
      token = Buffer.from(data?.token ?? '', 'base64').toString('utf8');
      return token !== '';
    },
    30_000,
  );
  fs.writeFileSync(
    options.kubeconfig,
    kubeconfigYaml(options.server, options.caFile, token, ACCOUNT.name),
    { mode: 0o600 },
  );
  return { name: BACKEND_USER, kubeconfig: options.kubeconfig };
}

/** Where the backend's kubeconfig goes: next to the admin one. */
export function backendKubeconfigPath(stateDir: string) {
  return path.join(stateDir, 'backend.kubeconfig');
}
