/*
 * Building and packing the plugins as they are published, shared by
 * `yarn test:packs` (scripts/check-packs.js) and the separate-app install
 * test (scripts/installs/separateInstall.js).
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/**
 * Runs a command to completion and returns its stdout; throws with both
 * outputs when it exits non-zero.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {string} cwd
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
function run(command, args, cwd, env = process.env) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}${
        result.stderr
      }${result.error ? `\n${result.error}` : ''}`,
    );
  }
  return result.stdout;
}

/** {@link run}, without blocking: plugins build and pack side by side. */
function runAsync(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd });
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    child.on('error', reject);
    child.on('close', code =>
      code === 0
        ? resolve(output)
        : reject(
            new Error(
              `${command} ${args.join(' ')} failed in ${cwd}:\n${output}`,
            ),
          ),
    );
  });
}

/**
 * The folders of every package under plugins/.
 *
 * @param {string} root the repository's root
 * @returns {string[]}
 */
function pluginDirs(root) {
  return fs
    .readdirSync(path.join(root, 'plugins'))
    .sort()
    .map(name => path.join(root, 'plugins', name))
    .filter(dir => fs.existsSync(path.join(dir, 'package.json')));
}

/**
 * Every file a published manifest points at: main, module, types, every
 * `exports` target and the config schema.
 *
 * @param {Record<string, any>} manifest a package.json as packed
 * @returns {string[]} paths relative to the package
 */
function entryPoints(manifest) {
  const targets = [manifest.main, manifest.module, manifest.types];
  const walk = value => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') {
      // `backstage` marks what an export is (a frontend plugin), not a file.
      for (const [key, target] of Object.entries(value)) {
        if (key !== 'backstage') walk(target);
      }
    }
  };
  walk(manifest.exports);
  if (manifest.configSchema) targets.push(manifest.configSchema);
  return [
    ...new Set(targets.filter(t => t && !t.endsWith('package.json'))),
  ].map(t => t.replace(/^\.\//, ''));
}

/**
 * A fingerprint of everything a plugin's tarball is made from: its sources,
 * manifest, config schema, migrations and README, the type declarations
 * `yarn tsc` wrote for it, every plugin's manifest (their versions become
 * its dependency ranges) and yarn.lock (the CLI that builds it).
 */
function packInputsHash(root, dir) {
  const hash = crypto.createHash('sha256');
  const add = target => {
    if (!fs.existsSync(target)) return;
    if (fs.statSync(target).isDirectory()) {
      for (const entry of fs.readdirSync(target).sort()) {
        add(path.join(target, entry));
      }
      return;
    }
    hash.update(`${path.relative(root, target)}\0`);
    hash.update(fs.readFileSync(target));
  };
  for (const input of [
    'src',
    'package.json',
    'config.d.ts',
    'migrations',
    'README.md',
  ]) {
    add(path.join(dir, input));
  }
  add(path.join(root, 'dist-types', path.relative(root, dir)));
  for (const plugin of pluginDirs(root)) add(path.join(plugin, 'package.json'));
  add(path.join(root, 'yarn.lock'));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds every plugin (`yarn build`) and packs it the way it is published
 * (`yarn pack`, whose prepack points the manifest at dist/) into
 * `<outDir>/<folder>.tgz`, two plugins at a time. Needs `yarn tsc` first:
 * the type declarations come from dist-types/.
 *
 * Every tarball is also kept in node_modules/.cache/mysql-portal-packs/
 * under the fingerprint of its inputs; with `reuse`, a plugin whose inputs
 * have not changed since is copied from there instead of built and packed
 * again (npm test's packs step has just made them all).
 *
 * @param {{ root: string, outDir: string, reuse?: boolean, log?: (line: string) => void }} options
 * @returns {Promise<Array<{ dir: string, name: string, tarball: string, seconds: number }>>}
 *   in the order of {@link pluginDirs}
 */
async function buildAndPackPlugins({
  root,
  outDir,
  reuse = false,
  log = () => {},
}) {
  const cache = path.join(root, 'node_modules', '.cache', 'mysql-portal-packs');
  fs.mkdirSync(outDir, { recursive: true });
  fs.mkdirSync(cache, { recursive: true });
  const dirs = pluginDirs(root);
  // Before any prepack rewrites a manifest that the fingerprints read.
  const hashes = dirs.map(dir => packInputsHash(root, dir));
  const packs = [];
  const packOne = async dir => {
    const started = Date.now();
    const folder = path.basename(dir);
    const { name } = JSON.parse(
      fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
    );
    const tarball = path.join(outDir, `${folder}.tgz`);
    const cached = path.join(
      cache,
      `${folder}-${hashes[dirs.indexOf(dir)]}.tgz`,
    );
    const reused = reuse && fs.existsSync(cached);
    if (reused) {
      fs.copyFileSync(cached, tarball);
    } else {
      await runAsync('yarn', ['build'], dir);
      await runAsync('yarn', ['pack', '--out', tarball], dir);
      const earlier = new RegExp(`^${folder}-[0-9a-f]{16}\\.tgz$`);
      for (const entry of fs.readdirSync(cache)) {
        if (earlier.test(entry)) fs.rmSync(path.join(cache, entry));
      }
      // Renamed into place: another run may be copying it at this moment.
      fs.copyFileSync(tarball, `${cached}.${process.pid}`);
      fs.renameSync(`${cached}.${process.pid}`, cached);
    }
    const seconds = (Date.now() - started) / 1000;
    log(
      `${name}: ${
        reused ? 'the tarball of unchanged inputs' : 'built and packed'
      } (${seconds.toFixed(0)} s)`,
    );
    packs[dirs.indexOf(dir)] = { dir, name, tarball, seconds };
  };
  const queue = [...dirs];
  const worker = async () => {
    while (queue.length > 0) {
      try {
        await packOne(queue.shift());
      } catch (error) {
        queue.length = 0;
        throw error;
      }
    }
  };
  await Promise.all([worker(), worker()]);
  return packs;
}

module.exports = { run, pluginDirs, entryPoints, buildAndPackPlugins };
