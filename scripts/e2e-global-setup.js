/*
 * Playwright global setup: make sure Debian's Chromium is there. A browser
 * download never works on our machines, so the package is installed with apt
 * when we run as root; otherwise the run fails with the exact command to run.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

module.exports = async function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${CHROMIUM} is missing. Install Debian's browser first: sudo apt-get install -y chromium`,
    );
  }
  process.stderr.write('[e2e] installing Debian chromium (first run only)…\n');
  const apt = args =>
    spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status;
  if (apt(['install', '-y', '-qq', 'chromium']) !== 0) {
    apt(['update', '-qq']);
    if (apt(['install', '-y', '-qq', 'chromium']) !== 0) {
      throw new Error('apt-get install chromium failed (see output above)');
    }
  }
};
