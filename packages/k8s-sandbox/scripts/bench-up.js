#!/usr/bin/env node
/*
 * Measures `k8s-sandbox up` with cached binaries: runs up and down N times
 * in a throw-away state folder and prints each time and the median.
 *
 *   node packages/k8s-sandbox/scripts/bench-up.js [runs, default 5]
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const runs = Number(process.argv[2] ?? 5);
const cli = path.resolve(__dirname, '..', 'bin', 'k8s-sandbox');
const times = [];
for (let i = 0; i < runs; i++) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-bench-'));
  const env = { ...process.env, SANDBOX_STATE_DIR: stateDir };
  const started = process.hrtime.bigint();
  const up = spawnSync(process.execPath, [cli, 'up'], {
    env,
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  spawnSync(process.execPath, [cli, 'down'], { env });
  fs.rmSync(stateDir, { recursive: true, force: true });
  if (up.status !== 0) {
    process.stderr.write(up.stderr);
    process.exit(1);
  }
  times.push(seconds);
  console.log(`run ${i + 1}: up answered after ${seconds.toFixed(1)} s`);
}
times.sort((a, b) => a - b);
console.log(
  `median of ${runs}: ${times[Math.floor(runs / 2)].toFixed(1)} s (${
    os.cpus().length
  } cores, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version})`,
);
