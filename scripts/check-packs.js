#!/usr/bin/env node
/*
 * `yarn test:packs`: builds and packs every plugin the way it is published
 * (`yarn pack` runs Backstage's prepack, which points the manifest at
 * dist/), and checks that each tarball holds the files its manifest names:
 * main, module, types, every `exports` target and the config schema.
 * Needs `yarn tsc` first (the type declarations come from dist-types/).
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mysql-portal-packs-'));

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}${
        result.stderr
      }`,
    );
  }
  return result.stdout;
}

/** Every file a published manifest points at. */
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

const problems = [];
const plugins = fs
  .readdirSync(path.join(root, 'plugins'))
  .map(name => path.join(root, 'plugins', name))
  .filter(dir => fs.existsSync(path.join(dir, 'package.json')));
for (const dir of plugins) {
  const name = JSON.parse(
    fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
  ).name;
  const started = Date.now();
  run('yarn', ['build'], dir);
  const tarball = path.join(out, `${path.basename(dir)}.tgz`);
  run('yarn', ['pack', '--out', tarball], dir);
  const files = new Set(
    run('tar', ['tzf', tarball], out)
      .split('\n')
      .filter(Boolean)
      .map(f => f.replace(/^package\//, '')),
  );
  const manifest = JSON.parse(
    run('tar', ['xzf', tarball, '-O', 'package/package.json'], out),
  );
  const missing = entryPoints(manifest).filter(f => !files.has(f));
  const fromSource = entryPoints(manifest).filter(f => f.startsWith('src/'));
  if (manifest.private) problems.push(`${name}: still private`);
  if (!manifest.main?.startsWith('dist/'))
    problems.push(`${name}: main is ${manifest.main}, not in dist/`);
  for (const f of missing) problems.push(`${name}: ${f} is not in the tarball`);
  for (const f of fromSource)
    problems.push(`${name}: ${f} points at the sources`);
  for (const dep of Object.values(manifest.dependencies ?? {})) {
    if (String(dep).startsWith('workspace:'))
      problems.push(`${name}: a dependency is still ${dep}`);
  }
  process.stderr.write(
    `[packs] ${name}: ${files.size} files, ${
      entryPoints(manifest).length
    } entry points (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
}
fs.rmSync(out, { recursive: true, force: true });
if (problems.length > 0) {
  process.stderr.write(`[packs] ${problems.join('\n[packs] ')}\n`);
  process.exit(1);
}
process.stderr.write(`[packs] ${plugins.length} plugins pack with dist/\n`);
