/*
 * The project's own PostgreSQL for the tests that need one (the stores' unit
 * tests, two backend replicas, the production bundle): Debian's server
 * package, a data folder in `.postgres/` and port 55432, so it never meets a
 * PostgreSQL the machine may run on 5432. Our machines start no database
 * service, so every test run starts this one itself; it stays up afterwards
 * (like the sandbox's cluster, it is cheap to leave and slow to start) and
 * `node scripts/lib/postgres.js stop` stops it.
 *
 * Plain CommonJS with no dependencies: bootstrap.js runs it before yarn.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const dataDir = path.join(root, '.postgres', 'data');
const logFile = path.join(root, '.postgres', 'server.log');
/** The port of the project's PostgreSQL. */
const PORT = Number(process.env.MYSQL_PORTAL_POSTGRES_PORT ?? 55432);
/** Connection string of the project's PostgreSQL (user postgres, trust auth on loopback). */
const CONNECTION_STRING = `postgresql://postgres@127.0.0.1:${PORT}`;

function log(message) {
  process.stderr.write(`[postgres] ${message}\n`);
}

/** The newest Debian PostgreSQL server's bin folder, or undefined. */
function binDir() {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs
    .readdirSync(base)
    .filter(v => fs.existsSync(path.join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : undefined;
}

function installServer() {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the tests need a PostgreSQL server. Install it with: sudo apt-get install -y postgresql',
    );
  }
  log('installing Debian postgresql (first run only)…');
  // policy-rc.d exit 101 keeps the package from starting a service on 5432.
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = fs.existsSync(policy);
  if (!hadPolicy)
    fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = args =>
      spawnSync('apt-get', args, { stdio: 'inherit', env }).status;
    if (apt(['install', '-y', '-qq', 'postgresql']) !== 0) {
      apt(['update', '-qq']);
      if (apt(['install', '-y', '-qq', 'postgresql']) !== 0) {
        throw new Error('apt-get install postgresql failed (see output above)');
      }
    }
  } finally {
    if (!hadPolicy) fs.rmSync(policy, { force: true });
  }
}

/** PostgreSQL refuses to run as root; as root we run it as Debian's postgres user. */
function asServerUser(command, args) {
  const argv =
    process.getuid?.() === 0
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
  return spawnSync(argv[0], argv[1], { encoding: 'utf8' });
}

function pgCtl(bin, args) {
  return asServerUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
}

function isRunning(bin) {
  return fs.existsSync(dataDir) && pgCtl(bin, ['status']).status === 0;
}

function initialise(bin) {
  fs.mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    spawnSync('chown', ['-R', 'postgres:postgres', path.dirname(dataDir)]);
  }
  const init = asServerUser(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  if (init.status !== 0) {
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
}

/**
 * Starts the project's PostgreSQL unless it runs already, installing and
 * initialising it on a machine's first run, and returns its connection
 * string.
 *
 * @returns {string}
 */
function ensurePostgres() {
  let bin = binDir();
  if (!bin) {
    installServer();
    bin = binDir();
    if (!bin)
      throw new Error('postgresql installed, but no server binary found');
  }
  if (isRunning(bin)) return CONNECTION_STRING;
  // Another clone's server on the same port serves this one as well.
  const ready = spawnSync(path.join(bin, 'pg_isready'), [
    '-h',
    '127.0.0.1',
    '-p',
    String(PORT),
    '-U',
    'postgres',
  ]);
  if (ready.status === 0) {
    log(`using the PostgreSQL that answers on 127.0.0.1:${PORT}`);
    return CONNECTION_STRING;
  }
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising ${path.relative(root, dataDir)}…`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    initialise(bin);
  }
  const started = Date.now();
  // The socket goes into the data folder: /var/run/postgresql may not exist.
  const options = `-p ${PORT} -c listen_addresses=127.0.0.1 -k ${dataDir} -c max_connections=300 -c fsync=off`;
  const start = pgCtl(bin, [
    '-l',
    logFile,
    '-o',
    options,
    '-w',
    '-t',
    '60',
    'start',
  ]);
  if (start.status !== 0) {
    const tail = fs.existsSync(logFile)
      ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n')
      : '';
    throw new Error(
      `PostgreSQL did not start on 127.0.0.1:${PORT}: ${start.stderr}${start.stdout}\n${tail}`,
    );
  }
  log(
    `started on 127.0.0.1:${PORT} in ${
      Date.now() - started
    } ms (data in ${path.relative(root, dataDir)})`,
  );
  return CONNECTION_STRING;
}

/** Stops the project's PostgreSQL if it runs. */
function stopPostgres() {
  const bin = binDir();
  if (bin && isRunning(bin)) pgCtl(bin, ['-m', 'fast', '-w', 'stop']);
}

/**
 * The environment that points every test at the project's PostgreSQL.
 *
 * @param {string} connection
 * @returns {Record<string, string>}
 */
function postgresEnv(connection) {
  return {
    BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING: connection,
    BENCH_POSTGRES_CONNECTION_STRING: connection,
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PORT: String(PORT),
    POSTGRES_USER: 'postgres',
  };
}

module.exports = {
  ensurePostgres,
  stopPostgres,
  postgresEnv,
  CONNECTION_STRING,
  PORT,
};

if (require.main === module) {
  const command = process.argv[2] ?? 'start';
  if (command === 'stop') stopPostgres();
  else process.stdout.write(`${ensurePostgres()}\n`);
}
