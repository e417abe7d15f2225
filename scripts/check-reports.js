#!/usr/bin/env node
/*
 * `yarn test:reports`: fails when a plugin's committed report.api.md (API
 * Extractor) or knip-report.md (knip) no longer matches its code. Both
 * checks run even when the first fails, and the end names the stale
 * packages and the command that refreshes their reports.
 *
 * The API reports are made from the declarations `yarn tsc` writes to
 * dist-types/, so this runs after `yarn tsc` (as in `yarn test:all`).
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

const CHECKS = [
  {
    script: 'build:api-reports:only',
    what: 'API report (or a warning in it)',
    fix: 'build:api-reports',
  },
  {
    script: 'build:knip-reports',
    what: 'knip report',
    fix: 'build:knip-reports',
  },
];

/** `yarn <script> --ci`, its output echoed and kept. */
function run(script) {
  return new Promise(resolve => {
    const child = spawn('yarn', ['run', script, '--ci'], { cwd: root });
    let output = '';
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      from.on('data', chunk => {
        output += chunk;
        to.write(chunk);
      });
    }
    child.on('close', code => resolve({ code: code ?? 1, output }));
  });
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist-types', 'plugins'))) {
    process.stderr.write(
      '[reports] dist-types/ is missing: run `yarn tsc` first\n',
    );
    process.exit(1);
  }
  const failed = [];
  for (const check of CHECKS) {
    const { code, output } = await run(check.script);
    if (code === 0) continue;
    // The API reports stop at the first package that fails; knip names the
    // packages whose report differs.
    const named = [
      ...output.matchAll(/Knip report changed for (\S+?),/g),
      ...output.matchAll(/The conflicting file is (\S+)\/knip-report\.md/g),
    ].map(m => m[1]);
    const processed = [...output.matchAll(/^## Processing (\S+)/gm)].map(
      m => m[1],
    );
    const packages = named.length ? [...new Set(named)] : processed.slice(-1);
    failed.push({ ...check, packages });
    // API Extractor leaves the report it expected in a temporary folder:
    // show how it differs from the committed one.
    const expected = output.match(
      /Please copy the file "([^"]+)" to "(report[^"]*\.api\.md)"/,
    );
    if (expected && packages.length === 1) {
      spawnSync(
        'git',
        [
          '--no-pager',
          'diff',
          '--no-index',
          '--',
          path.join(packages[0], expected[2]),
          path.relative(root, expected[1]),
        ],
        { cwd: root, stdio: 'inherit' },
      );
    }
  }
  if (failed.length === 0) return;
  process.stderr.write('\n');
  for (const { what, fix, packages } of failed) {
    process.stderr.write(
      `[reports] stale ${what}${
        packages.length ? ` in ${packages.join(', ')}` : ''
      }: run \`yarn ${fix}\`, read the diff and commit the .md files\n`,
    );
  }
  process.exit(1);
}

main();
