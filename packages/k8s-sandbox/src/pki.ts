import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The user names of the sandbox's own components, as audit events show them. */
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const SCHEDULER_USER = 'system:kube-scheduler';
export const KUBE_PROXY_USER = 'system:kube-proxy';
/** The kubelet's user: the Node authorizer knows nodes by it. */
export const KUBELET_USER = 'system:node:sandbox';

/** Credentials the control plane is started with. */
export interface SandboxCredentials {
  adminToken: string;
  controllerManagerToken: string;
  schedulerToken: string;
  kubeletToken: string;
  kubeProxyToken: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  tokenFile: string;
}

/**
 * Writes a token file and a service-account signing key pair. The token file
 * has the admin user (for people and tests, in group system:masters) and one
 * user for each component, named as Kubernetes' own bootstrap roles and the
 * Node authorizer expect them, so each gets exactly its stock permissions
 * and the audit log tells their requests from a test's.
 */
export function writeCredentials(pkiDir: string): SandboxCredentials {
  fs.mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const token = () => crypto.randomBytes(24).toString('hex');
  const [
    adminToken,
    controllerManagerToken,
    schedulerToken,
    kubeletToken,
    kubeProxyToken,
  ] = [token(), token(), token(), token(), token()];
  const tokenFile = path.join(pkiDir, 'tokens.csv');
  fs.writeFileSync(
    tokenFile,
    [
      `${adminToken},admin,admin,system:masters`,
      `${controllerManagerToken},${CONTROLLER_MANAGER_USER},${CONTROLLER_MANAGER_USER}`,
      `${schedulerToken},${SCHEDULER_USER},${SCHEDULER_USER}`,
      `${kubeletToken},${KUBELET_USER},${KUBELET_USER},system:nodes`,
      `${kubeProxyToken},${KUBE_PROXY_USER},${KUBE_PROXY_USER}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  const serviceAccountKey = path.join(pkiDir, 'sa.key');
  const serviceAccountPub = path.join(pkiDir, 'sa.pub');
  fs.writeFileSync(
    serviceAccountKey,
    privateKey.export({ type: 'pkcs1', format: 'pem' }),
    { mode: 0o600 },
  );
  fs.writeFileSync(
    serviceAccountPub,
    publicKey.export({ type: 'spki', format: 'pem' }),
  );
  return {
    adminToken,
    controllerManagerToken,
    schedulerToken,
    kubeletToken,
    kubeProxyToken,
    serviceAccountKey,
    serviceAccountPub,
    tokenFile,
  };
}

/** A kubeconfig for a token user, trusting the API server's own CA. */
export function kubeconfigYaml(
  server: string,
  caFile: string,
  token: string,
  user = 'admin',
) {
  const ca = fs.readFileSync(caFile).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: sandbox',
    '    cluster:',
    `      server: ${server}`,
    `      certificate-authority-data: ${ca}`,
    'users:',
    `  - name: ${user}`,
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: sandbox',
    '    context:',
    '      cluster: sandbox',
    `      user: ${user}`,
    'current-context: sandbox',
    '',
  ].join('\n');
}
