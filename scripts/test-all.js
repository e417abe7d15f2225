#!/usr/bin/env node
/*
 * `yarn test:all` (what `npm test` runs): every suite in order, stopping at
 * the first that fails, with how long each took.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const STEPS = [
  'tsc',
  'lint:all',
  'prettier:check',
  'test:reports',
  'test:unit',
  'test:packs',
  'test:integration',
  'test:installs',
  'test:e2e',
];

const root = path.resolve(__dirname, '..');
const took = [];
const report = () => {
  for (const [step, seconds, status] of took) {
    process.stderr.write(
      `[test] ${step.padEnd(18)} ${seconds
        .toFixed(0)
        .padStart(5)} s  ${status}\n`,
    );
  }
};

for (const step of STEPS) {
  process.stderr.write(`[test] ${step}…\n`);
  const started = Date.now();
  const result = spawnSync('yarn', ['run', step], {
    cwd: root,
    stdio: 'inherit',
  });
  const ok = result.status === 0;
  took.push([step, (Date.now() - started) / 1000, ok ? 'ok' : 'FAILED']);
  if (!ok) {
    report();
    process.exit(result.status ?? 1);
  }
}
report();
