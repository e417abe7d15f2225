#!/usr/bin/env node
/*
 * Runs a root yarn script with the toolchain this repo needs.
 *
 *   node scripts/bootstrap.js <yarn script> [args...]
 *
 * Backstage needs Node 22 or 24 and yarn 4. Machines of ours ship Node 20 and
 * npm only, so when the running Node is not 22/24 (or yarn is missing) this
 * installs node@24 and @yarnpkg/cli-dist@4 from the npm registry into
 * .toolchain/ and re-runs everything with them first on PATH. It then makes
 * sure dependencies are installed and runs the script.
 *
 * Plain CommonJS with no dependencies: it must run on Node 18+.
 */
'use strict';

const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const toolchain = path.join(root, '.toolchain');
const toolchainBin = path.join(toolchain, 'node_modules', '.bin');
const toolchainHeaders = path.join(
  toolchain,
  'node_modules',
  'node',
  'node_modules',
  `node-${process.platform}-${process.arch}`,
);
const SUPPORTED_NODE_MAJORS = [22, 24];

function log(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

function fail(message) {
  log(`error: ${message}`);
  process.exit(1);
}

function nodeMajor() {
  return Number(process.versions.node.split('.')[0]);
}

function onPath(command, env) {
  const dirs = (env.PATH || '').split(path.delimiter);
  return dirs.some(dir => {
    try {
      fs.accessSync(path.join(dir, command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function run(command, args, env) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error}`);
  return result.status === null ? 1 : result.status;
}

function installToolchain() {
  const node = path.join(toolchainBin, 'node');
  const yarn = path.join(toolchainBin, 'yarn');
  if (fs.existsSync(node) && fs.existsSync(yarn)) return;
  log(
    `Node ${process.versions.node} is not 22 or 24: installing node@24 and yarn 4 ` +
      'from the npm registry into .toolchain/ (first run only, about 30 s)…',
  );
  const status = run(
    'npm',
    [
      'install',
      '--prefix',
      toolchain,
      '--no-audit',
      '--no-fund',
      '--no-save',
      'node@24',
      '@yarnpkg/cli-dist@4',
    ],
    process.env,
  );
  if (status !== 0 || !fs.existsSync(node)) {
    fail(
      'could not install node@24 from the npm registry (see npm output above)',
    );
  }
}

/** Re-runs this script under the toolchain's Node, which then takes the fast path. */
function reexecWithToolchain() {
  installToolchain();
  const env = {
    ...process.env,
    PATH: `${toolchainBin}${path.delimiter}${process.env.PATH || ''}`,
    MYSQL_PORTAL_BOOTSTRAPPED: '1',
  };
  const child = spawn(
    path.join(toolchainBin, 'node'),
    [__filename, ...process.argv.slice(2)],
    { cwd: root, env, stdio: 'inherit' },
  );
  forwardSignals(child);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function forwardSignals(child) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
}

/** node-gyp cannot download headers here; point it at the ones Node ships. */
function headersDir() {
  const candidates = [
    toolchainHeaders,
    path.resolve(path.dirname(process.execPath), '..'),
  ];
  return candidates.find(dir =>
    fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h')),
  );
}

function installDependencies(env) {
  const state = path.join(root, 'node_modules', '.yarn-state.yml');
  const lock = path.join(root, 'yarn.lock');
  const manifests = [lock, path.join(root, 'package.json')];
  const stale =
    !fs.existsSync(state) ||
    manifests.some(f => fs.statSync(f).mtimeMs > fs.statSync(state).mtimeMs);
  if (!stale) return;
  log(
    'Installing dependencies with yarn (a cold install takes about 4 minutes: ' +
      '~2,700 packages, native addons built from source)…',
  );
  const args = env.CI ? ['install', '--immutable'] : ['install'];
  if (run('yarn', args, env) !== 0) fail('yarn install failed');
}

function main() {
  const [script, ...args] = process.argv.slice(2);
  if (!script) fail('usage: node scripts/bootstrap.js <yarn script> [args...]');

  const usable =
    SUPPORTED_NODE_MAJORS.includes(nodeMajor()) && onPath('yarn', process.env);
  if (!usable) {
    if (process.env.MYSQL_PORTAL_BOOTSTRAPPED) {
      fail(`the toolchain's Node ${process.versions.node} is not usable`);
    }
    reexecWithToolchain();
    return;
  }

  const env = { ...process.env };
  const headers = headersDir();
  if (headers) env.npm_config_nodedir = headers;
  installDependencies(env);

  const child = spawn('yarn', ['run', script, ...args], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  forwardSignals(child);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();
