#!/usr/bin/env node
/*
 * `yarn test:all` (what `npm test` runs): every suite in order, stopping at
 * the first that fails, with how long each took.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensurePostgres, postgresEnv } = require('./lib/postgres');

const STEPS = [
  // The machine's packages the sandbox and its unit tests use (apt, first
  // run only): our machines start with none of them.
  'sandbox:packages',
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

// Our machines start no database service: the stores' unit tests, the two
// replicas and the production bundle use the project's own PostgreSQL.
const postgresStarted = Date.now();
const env = { ...process.env, ...postgresEnv(ensurePostgres()) };
took.push(['postgres', (Date.now() - postgresStarted) / 1000, 'ok']);

for (const step of STEPS) {
  process.stderr.write(`[test] ${step}…\n`);
  const started = Date.now();
  const result = spawnSync('yarn', ['run', step], {
    cwd: root,
    env,
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
