#!/usr/bin/env node
/*
 * `npm start`: the portal, and beside it the sandbox cluster that the MySQL
 * plugins use unless app-config.local.yaml configures a real cluster.
 *
 * The portal does not wait for the sandbox: on a machine's first run the
 * sandbox builds Kubernetes and its images (about 15 minutes) while the portal is already
 * up; the plugins report the cluster as starting until it answers. A sandbox
 * this script started is stopped when the portal stops.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const sandboxCli = path.join(
  root,
  'packages',
  'k8s-sandbox',
  'bin',
  'k8s-sandbox',
);

function realClusterConfigured() {
  if (process.env.MYSQL_PORTAL_SANDBOX === '0') return true;
  const local = path.join(root, 'app-config.local.yaml');
  return (
    fs.existsSync(local) &&
    /^\s*clusters\s*:/m.test(fs.readFileSync(local, 'utf8'))
  );
}

function sandboxRunning() {
  return (
    spawnSync(process.execPath, [sandboxCli, 'status'], { cwd: root })
      .status === 0
  );
}

function prefixed(stream, prefix) {
  let rest = '';
  stream.on('data', chunk => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) process.stderr.write(`${prefix}${line}\n`);
  });
}

const useSandbox = !realClusterConfigured();
const startedSandbox = useSandbox && !sandboxRunning();
if (!useSandbox) {
  process.stderr.write(
    '[start] a real cluster is configured in app-config.local.yaml; not starting the sandbox\n',
  );
} else if (startedSandbox) {
  process.stderr.write(
    '[start] starting the sandbox cluster beside the portal (the first run on a machine builds Kubernetes and the images: about 15 minutes)\n',
  );
  const sandbox = spawn(process.execPath, [sandboxCli, 'up'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  prefixed(sandbox.stderr, '');
  sandbox.on('exit', code => {
    if (code !== 0)
      process.stderr.write(
        `[start] the sandbox did not start (exit ${code}); the portal keeps running without it\n`,
      );
  });
}

const portal = spawn(
  'backstage-cli',
  ['repo', 'start', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: process.env.MYSQL_PORTAL_LOG
      ? ['inherit', 'pipe', 'pipe']
      : 'inherit',
    // A process group of its own: `repo start` does not pass a signal on
    // to the backend it starts, which then outlived the test run.
    detached: true,
  },
);

// The browser tests read the backend's audit events from this file.
if (process.env.MYSQL_PORTAL_LOG) {
  const file = path.resolve(root, process.env.MYSQL_PORTAL_LOG);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const log = fs.createWriteStream(file);
  portal.stdout.on('data', chunk => {
    log.write(chunk);
    process.stdout.write(chunk);
  });
  portal.stderr.on('data', chunk => {
    log.write(chunk);
    process.stderr.write(chunk);
  });
}

const BACKEND = 'http://localhost:7007';
const DEMO_DATABASES = [
  { name: 'demo-guests-db', owner: 'group:default/guests' },
  { name: 'demo-payments-db', owner: 'group:default/payments' },
];

async function guestToken() {
  const res = await fetch(`${BACKEND}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`guest sign-in: ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

/*
 * Two demo databases, created through the backend like any other, so that
 * a visitor signed in as guest sees one they own and can change, and one
 * of another team that they can only read. Retried until the backend and
 * the sandbox answer; a database that exists already is left alone, and
 * one deleted from the card with its data kept comes back on that data.
 */
async function seedDemoDatabases() {
  const pending = [...DEMO_DATABASES];
  const deadline = Date.now() + 15 * 60_000;
  while (pending.length > 0 && Date.now() < deadline && !stopping) {
    try {
      const token = await guestToken();
      const res = await fetch(`${BACKEND}/api/mysql/instances`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          ...pending[0],
          size: 'small',
          adoptExistingData: true,
        }),
      });
      if (res.ok || (res.status >= 400 && res.status < 500)) {
        // 409 and 403: it exists already (the sandbox was running).
        const { name, owner } = pending.shift();
        process.stderr.write(
          res.ok || res.status === 409 || res.status === 403
            ? `[start] demo database ${name} (owner ${owner})\n`
            : `[start] demo database ${name} was refused: ${await res.text()}\n`,
        );
        continue;
      }
    } catch {
      // the backend is not up yet
    }
    await new Promise(resolve => setTimeout(resolve, 3000));
  }
}

let stopping = false;
/** Signals the portal's whole process group: the CLI, webpack and the backend. */
function signalPortal(signal) {
  try {
    process.kill(-portal.pid, signal);
  } catch {
    // already gone
  }
}
function stop(signal) {
  if (stopping) return;
  stopping = true;
  signalPortal(signal);
  // What has not stopped after 20 s is stopped for good.
  setTimeout(() => signalPortal('SIGKILL'), 20_000).unref();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

portal.on('exit', code => {
  // The backend and webpack must not outlive the CLI that started them.
  signalPortal('SIGTERM');
  if (startedSandbox) {
    process.stderr.write('[start] stopping the sandbox cluster\n');
    spawnSync(process.execPath, [sandboxCli, 'down'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  process.exit(code ?? 0);
});

if (useSandbox && process.env.MYSQL_PORTAL_DEMO !== '0') {
  seedDemoDatabases();
}
