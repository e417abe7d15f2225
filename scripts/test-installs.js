#!/usr/bin/env node
/*
 * `yarn test:installs`: proves that the plugins install outside this
 * workspace. Under one sandbox (`k8s-sandbox exec` sets KUBECONFIG), it runs
 *
 *   - installs/separateInstall.js: the packed plugins in a separate minimal
 *     Backstage app and backend, with pinned versions;
 *   - installs/productionBundle.js: `yarn build:backend`'s bundle, extracted
 *     the way packages/backend/Dockerfile does, on PostgreSQL;
 *
 * one after the other (each starts a backend and builds a frontend: together
 * they would only fight over two cores), stopping at the first that fails.
 */
'use strict';

const path = require('node:path');

const root = path.resolve(__dirname, '..');
const TESTS = ['separateInstall', 'productionBundle'];

async function main() {
  const took = [];
  for (const name of TESTS) {
    const log = line => process.stderr.write(`[${name}] ${line}\n`);
    const started = Date.now();
    // eslint-disable-next-line global-require
    await require(path.join(__dirname, 'installs', `${name}.js`)).run({
      root,
      log,
    });
    took.push(`${name} ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  process.stderr.write(`[installs] passed: ${took.join(', ')}\n`);
}

main().catch(error => {
  process.stderr.write(`[installs] FAILED: ${error.stack ?? error}\n`);
  process.exit(1);
});
