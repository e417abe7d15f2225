/*
 * What both install tests need: a free port, waiting for a condition, and
 * the end of a backend's log.
 */
'use strict';

const fs = require('node:fs');
const net = require('node:net');

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Calls `read` every 500 ms until it returns something other than
 * undefined; `alive` runs before each try and throws when waiting is
 * pointless (the backend died).
 */
async function waitFor(what, read, timeoutMs, alive = () => {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    alive();
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(
    `timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${what}${
      last ? `: ${last.message ?? last}` : ''
    }`,
  );
}

/**
 * The last lines of a log, without colours and without the backend's
 * access log (every request the checks made), which would bury the error.
 */
function tail(file, lines = 60) {
  if (!fs.existsSync(file)) return '(no output)';
  return (
    fs
      .readFileSync(file, 'utf8')
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;]*m/g, '')
      .trimEnd()
      .split('\n')
      .filter(line => !line.includes('type="incomingRequest"'))
      .slice(-lines)
      .join('\n')
  );
}

module.exports = { freePort, tail, waitFor };
