import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

function httpsStatus(
  url: string,
  options: https.RequestOptions,
): Promise<number | undefined> {
  return new Promise(resolve => {
    const req = https.get(url, options, res => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** Whether the API server answers `path` (default /readyz) with 200. */
export async function apiServerHealthy(
  server: string,
  caFile: string,
  token: string,
  check = '/readyz',
): Promise<boolean> {
  if (!fs.existsSync(caFile)) return false;
  return (
    (await httpsStatus(`${server}${check}`, {
      ca: fs.readFileSync(caFile),
      headers: { Authorization: `Bearer ${token}` },
    })) === 200
  );
}

/** Whether etcd's /health says it is healthy. */
export async function etcdHealthy(clientUrl: string): Promise<boolean> {
  const res = await fetch(`${clientUrl}/health`, {
    signal: AbortSignal.timeout(2000),
  });
  return res.ok && (await res.json()).health === 'true';
}

/**
 * Whether the controller manager's or the scheduler's /healthz answers 200
 * on `host:port` (they allow that path without credentials; their serving
 * certificates are self-signed).
 */
export async function controllerManagerHealthy(host: string, port: number) {
  return (
    (await httpsStatus(`https://${host}:${port}/healthz`, {
      rejectUnauthorized: false,
    })) === 200
  );
}

/** The sandbox's CA, which signed the API server's serving certificate. */
export function apiServerCaFile(stateDir: string) {
  return path.join(stateDir, 'pki', 'ca.crt');
}

/** The admin token, from the API server's token file. */
export function adminToken(stateDir: string): string {
  const line = fs
    .readFileSync(path.join(stateDir, 'pki', 'tokens.csv'), 'utf8')
    .split('\n')
    .find(l => l.split(',')[1] === 'admin');
  if (!line) throw new Error(`no admin token in ${stateDir}`);
  return line.split(',')[0];
}

/** The value of `--name=value` in a command line. */
export function flag(args: string[] | undefined, name: string) {
  const prefix = `--${name}=`;
  return args?.find(a => a.startsWith(prefix))?.slice(prefix.length);
}
