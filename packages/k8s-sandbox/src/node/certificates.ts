import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The files of the sandbox's certificate authority and the certificates it signed. */
export interface ClusterCertificates {
  /** The CA every client trusts and the kubelet checks the API server's client certificate with. */
  caCert: string;
  caKey: string;
  /** The API server's serving certificate and key. */
  apiserverCert: string;
  apiserverKey: string;
  /** The API server's client certificate for the kubelet (logs, exec). */
  kubeletClientCert: string;
  kubeletClientKey: string;
}

function openssl(args: string[]) {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `openssl ${args[0]} failed: ${result.stderr || result.error}`,
    );
  }
}

/**
 * Makes a CA (ECDSA P-256: quick to generate), the API server's serving
 * certificate for `ips` and the names of the `kubernetes` Service, and the
 * API server's client certificate for kubelets (group `system:masters`).
 */
export function writeClusterCertificates(
  dir: string,
  ips: string[],
): ClusterCertificates {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(dir, name);
  const certs: ClusterCertificates = {
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    apiserverCert: file('apiserver.crt'),
    apiserverKey: file('apiserver.key'),
    kubeletClientCert: file('apiserver-kubelet-client.crt'),
    kubeletClientKey: file('apiserver-kubelet-client.key'),
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-nodes',
    '-keyout',
    certs.caKey,
    '-out',
    certs.caCert,
    '-days',
    '3650',
    '-subj',
    '/CN=k8s-sandbox-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const sign = (
    name: string,
    subject: string,
    extensions: string[],
    cert: string,
    key: string,
  ) => {
    const csr = file(`${name}.csr`);
    const ext = file(`${name}.ext`);
    openssl([
      'req',
      ...ec,
      '-nodes',
      '-keyout',
      key,
      '-out',
      csr,
      '-subj',
      subject,
    ]);
    fs.writeFileSync(ext, `${extensions.join('\n')}\n`);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      certs.caCert,
      '-CAkey',
      certs.caKey,
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '3650',
      '-extfile',
      ext,
    ]);
    fs.rmSync(csr);
    fs.rmSync(ext);
  };
  const names = [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ];
  sign(
    'apiserver',
    '/CN=kube-apiserver',
    [
      `subjectAltName=${[
        ...names.map(n => `DNS:${n}`),
        ...['127.0.0.1', ...ips].map(ip => `IP:${ip}`),
      ].join(',')}`,
      'extendedKeyUsage=serverAuth',
      'keyUsage=critical,digitalSignature,keyEncipherment',
    ],
    certs.apiserverCert,
    certs.apiserverKey,
  );
  sign(
    'apiserver-kubelet-client',
    '/O=system:masters/CN=kube-apiserver-kubelet-client',
    [
      'extendedKeyUsage=clientAuth',
      'keyUsage=critical,digitalSignature,keyEncipherment',
    ],
    certs.kubeletClientCert,
    certs.kubeletClientKey,
  );
  return certs;
}
