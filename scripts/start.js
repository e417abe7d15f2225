#!/usr/bin/env node
/*
 * `npm start`: the portal, and beside it the sandbox cluster that the MySQL
 * plugins use unless app-config.local.yaml configures a real cluster.
 *
 * The portal does not wait for the sandbox: on a machine's first run the
 * sandbox builds Kubernetes (about 6 minutes) while the portal is already
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
    '[start] starting the sandbox cluster beside the portal (the first run on a machine builds Kubernetes: about 6 minutes)\n',
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
    stdio: 'inherit',
  },
);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  portal.kill(signal);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

portal.on('exit', code => {
  if (startedSandbox) {
    process.stderr.write('[start] stopping the sandbox cluster\n');
    spawnSync(process.execPath, [sandboxCli, 'down'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  process.exit(code ?? 0);
});
