#!/usr/bin/env node
/*
 * `yarn test:packs`: builds and packs every plugin the way it is published
 * (`yarn pack` runs Backstage's prepack, which points the manifest at
 * dist/), and checks that each tarball holds the files its manifest names:
 * main, module, types, every `exports` target and the config schema.
 * Needs `yarn tsc` first (the type declarations come from dist-types/).
 * The tarballs stay in node_modules/.cache/mysql-portal-packs/, where the
 * separate-app install test (scripts/installs/separateInstall.js) takes
 * them while their inputs are unchanged (scripts/lib/packPlugins.js).
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run, entryPoints, buildAndPackPlugins } = require('./lib/packPlugins');

const root = path.resolve(__dirname, '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mysql-portal-packs-'));

async function main() {
  const problems = [];
  const packs = await buildAndPackPlugins({
    root,
    outDir: out,
    log: line => process.stderr.write(`[packs] ${line}\n`),
  });
  for (const { name, tarball } of packs) {
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
    for (const f of missing)
      problems.push(`${name}: ${f} is not in the tarball`);
    for (const f of fromSource)
      problems.push(`${name}: ${f} points at the sources`);
    for (const dep of Object.values(manifest.dependencies ?? {})) {
      if (String(dep).startsWith('workspace:'))
        problems.push(`${name}: a dependency is still ${dep}`);
    }
    process.stderr.write(
      `[packs] ${name}: ${files.size} files, ${
        entryPoints(manifest).length
      } entry points\n`,
    );
  }
  fs.rmSync(out, { recursive: true, force: true });
  if (problems.length > 0) {
    process.stderr.write(`[packs] ${problems.join('\n[packs] ')}\n`);
    process.exit(1);
  }
  process.stderr.write(`[packs] ${packs.length} plugins pack with dist/\n`);
}

main().catch(error => {
  fs.rmSync(out, { recursive: true, force: true });
  process.stderr.write(`[packs] ${error.message}\n`);
  process.exit(1);
});
