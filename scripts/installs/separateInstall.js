#!/usr/bin/env node
/*
 * Proof that another Backstage can install the plugins (issue 13, item 2).
 *
 * Packs every plugin as it is published, copies the adopter's app of
 * scripts/installs/separate-app/ to a temporary folder outside this
 * repository (so no workspace of ours can resolve in its place), points its
 * @mysql-portal dependencies at the tarballs, pins every @backstage/* package
 * exactly as our root `resolutions` do, installs it with yarn and our
 * yarn.lock as a seed, builds its app, starts its backend against the
 * sandbox cluster and checks:
 *
 * - `GET /api/mysql/instances` answers a guest;
 * - the scaffolder lists `mysql:provision` and `mysql:configure`;
 * - a database created through `POST /api/mysql/instances` becomes a
 *   catalog entity, and Chromium sees the MySQL card on its page, Running,
 *   with the version the server reports.
 *
 * Run it against the sandbox (which sets KUBECONFIG):
 *
 *   node packages/k8s-sandbox/bin/k8s-sandbox exec -- node scripts/installs/separateInstall.js
 *
 * Needs `yarn tsc` first (the plugins' type declarations come from
 * dist-types/), the project's PostgreSQL (POSTGRES_HOST, POSTGRES_PORT,
 * POSTGRES_USER; default 127.0.0.1:55432, user postgres, trust) and
 * Debian's Chromium.
 */
'use strict';

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, tail, waitFor } = require('./support');
const { buildAndPackPlugins, run: runCommand } = require('../lib/packPlugins');

const FIXTURE = path.join(__dirname, 'separate-app');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TAIL_LINES = 60;

/*
 * The environment for commands in the separate app, without what a yarn
 * of ours exported when it ran this script (project paths, npm_* config):
 * nothing may point back at this repository.
 */
function separateEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|YARN_|BERRY_)/i.test(key)) continue;
    if (key === 'PROJECT_CWD' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return {
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PORT: '55432',
    POSTGRES_USER: 'postgres',
    ...env,
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_ENABLE_PROGRESS_BARS: 'false',
    YARN_ENABLE_TELEMETRY: 'false',
    ...extra,
  };
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Fails when `dir` lies inside `root`, or when a folder above it holds a
 * yarn project that yarn would take for the separate app's parent.
 */
function assertSeparate(dir, root) {
  const relative = path.relative(root, dir);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new Error(`${dir} is inside ${root}; set TMPDIR elsewhere`);
  }
  for (let up = path.dirname(dir); ; up = path.dirname(up)) {
    for (const file of ['package.json', 'yarn.lock', '.yarnrc.yml']) {
      if (fs.existsSync(path.join(up, file))) {
        throw new Error(
          `${path.join(
            up,
            file,
          )} is above the separate app; set TMPDIR elsewhere`,
        );
      }
    }
    if (up === path.dirname(up)) return;
  }
}

/**
 * The fixture's manifests, pinned: every @backstage/* dependency at our
 * root `resolutions`' version (a fixture dependency we do not pin fails),
 * the same resolutions at its root, and every @mysql-portal package,
 * wherever it appears in the tree, resolved to its tarball.
 */
function pinManifests(appDir, root, packs) {
  const ours = readJson(path.join(root, 'package.json'));
  const tarballs = Object.fromEntries(
    packs.map(p => [
      p.name,
      `file:./${path.relative(appDir, p.tarball).split(path.sep).join('/')}`,
    ]),
  );
  const manifests = [
    path.join(appDir, 'package.json'),
    ...fs
      .readdirSync(path.join(appDir, 'packages'))
      .map(name => path.join(appDir, 'packages', name, 'package.json')),
  ];
  for (const file of manifests) {
    const manifest = readJson(file);
    for (const field of ['dependencies', 'devDependencies']) {
      for (const name of Object.keys(manifest[field] ?? {})) {
        if (name.startsWith('@backstage/')) {
          const version = ours.resolutions[name];
          if (!version) {
            throw new Error(
              `${name} (${path.relative(
                appDir,
                file,
              )}) is not pinned in our root package.json resolutions`,
            );
          }
          manifest[field][name] = version;
        } else if (name.startsWith('@mysql-portal/') && !tarballs[name]) {
          throw new Error(`${name} is not a plugin of ours`);
        }
      }
    }
    if (file === manifests[0]) {
      manifest.resolutions = { ...ours.resolutions, ...tarballs };
    }
    writeJson(file, manifest);
  }
}

/** The entries of yarn's cache that hold packed plugins of ours. */
function ourCacheEntries(cacheFolder) {
  return fs.existsSync(cacheFolder)
    ? fs
        .readdirSync(cacheFolder)
        .filter(entry => /^@mysql-portal-.*-file-/.test(entry))
    : [];
}

async function api(base, pathname, token, init = {}) {
  const res = await fetch(`${base}${pathname}`, {
    ...init,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      ...init.headers,
    },
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

async function guestToken(base) {
  const res = await api(base, '/api/auth/guest/refresh', undefined, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (res.status !== 200) {
    throw new Error(
      `guest sign-in answered ${res.status}: ${JSON.stringify(res.body)}`,
    );
  }
  return res.body.backstageIdentity.token;
}

/** The namespace the run's database lives in, and its removal. */
async function useNamespace(kubeconfig, name) {
  const k8s = require('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } });
  return () => core.deleteNamespace({ name }).catch(() => undefined);
}

async function dropDatabases(prefix) {
  const { Client } = require('pg');
  const client = new Client({
    host: process.env.POSTGRES_HOST ?? '127.0.0.1',
    port: Number(process.env.POSTGRES_PORT ?? 55432),
    user: process.env.POSTGRES_USER ?? 'postgres',
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    }
    return rows.length;
  } finally {
    await client.end();
  }
}

/**
 * The processes of a process group other than its leader, from Linux's
 * /proc; undefined where there is no /proc.
 */
function groupChildren(pgid) {
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pgid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp …", where comm may hold anything.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      // it has just exited
    }
  }
  return pids;
}

/** Stops a process group: SIGTERM, then SIGKILL after 10 s. */
async function stopGroup(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  const signal = name => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  // What the CLI started may outlive it.
  signal('SIGKILL');
}

async function checkCard({ base, name, version, log, screenshot }) {
  // Installs Debian's Chromium when it is missing, as the browser tests do.
  await require('../e2e-global-setup')();
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
    ],
  });
  const page = await browser.newPage();
  try {
    await page.goto(`${base}/catalog/default/resource/${name}`);
    const enter = page.getByRole('button', { name: 'Enter' });
    const status = page.getByTestId('mysql-status');
    await enter.or(status).first().waitFor({ timeout: 60_000 });
    if (await enter.isVisible()) {
      log('the sign-in page: entering as guest');
      await enter.click();
    }
    await page
      .getByText('MySQL', { exact: true })
      .first()
      .waitFor({ timeout: 60_000 });
    await waitFor(
      'the card to say Running',
      async () =>
        (await status.textContent()) === 'Running' ? true : undefined,
      60_000,
    );
    await page.getByText(version).first().waitFor({ timeout: 60_000 });
    log(`the card renders: MySQL, Running, server ${version}`);
  } catch (error) {
    await page.screenshot({ path: screenshot }).catch(() => undefined);
    throw new Error(
      `${error.message}\nthe page (screenshot ${screenshot}):\n${(
        await page
          .locator('body')
          .innerText()
          .catch(() => '')
      ).slice(0, 2000)}`,
    );
  } finally {
    await browser.close();
  }
}

/**
 * Installs the packed plugins into a separate, minimal Backstage (the
 * fixture in scripts/installs/separate-app/), starts it against the
 * sandbox cluster of `process.env.KUBECONFIG` and checks its backend API,
 * its scaffolder actions and the MySQL card in its app. Cleans up after
 * itself (backend process group, temporary folder, databases, the
 * sandbox namespace) whether it passes or not.
 *
 * @param {{ root: string, log?: (line: string) => void }} options
 *   `root`: this repository; `log`: receives progress lines.
 * @returns {Promise<Array<[string, number]>>} each phase with its seconds
 */
async function run({ root, log = line => process.stderr.write(`${line}\n`) }) {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig || !fs.existsSync(kubeconfig)) {
    throw new Error(
      'KUBECONFIG names no sandbox kubeconfig: run through `node packages/k8s-sandbox/bin/k8s-sandbox exec -- node scripts/installs/separateInstall.js`',
    );
  }
  const yarn = path.join(root, '.yarn', 'releases', 'yarn-4.13.0.cjs');
  const id = crypto.randomBytes(3).toString('hex');
  const tmp = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), 'mysql-portal-separate-')),
  );
  const appDir = path.join(tmp, 'separate-app');
  const backendLog = path.join(tmp, 'backend.log');
  const dbPrefix = `separate_${id}_`;
  const namespace = `separate-${id}`;
  const instance = `separate-${id}`;
  const timings = [];
  let backend;
  let removeNamespace;
  let cacheFolder;
  let cachedBefore;

  const phase = async (name, work) => {
    log(`${name}…`);
    const started = Date.now();
    const result = await work();
    const seconds = (Date.now() - started) / 1000;
    timings.push([name, seconds]);
    log(`${name}: ${seconds.toFixed(1)} s`);
    return result;
  };
  const inApp = (args, cwd, env = {}) => {
    try {
      runCommand(process.execPath, args, cwd, separateEnv(env));
    } catch (error) {
      throw new Error(
        `${args.join(' ')} failed in ${cwd}:\n${error.message
          .split('\n')
          .slice(-TAIL_LINES)
          .join('\n')}`,
      );
    }
  };

  try {
    assertSeparate(tmp, root);
    const packs = await phase('pack', () =>
      buildAndPackPlugins({
        root,
        outDir: path.join(appDir, 'packs'),
        reuse: true,
        log,
      }),
    );

    await phase('install', () => {
      fs.cpSync(FIXTURE, appDir, { recursive: true });
      pinManifests(appDir, root, packs);
      // Our lockfile as a seed: the versions we test with, and no
      // resolution round trips for them.
      fs.copyFileSync(
        path.join(root, 'yarn.lock'),
        path.join(appDir, 'yarn.lock'),
      );
      cacheFolder = runCommand(
        process.execPath,
        [yarn, 'config', 'get', 'cacheFolder'],
        appDir,
        separateEnv(),
      ).trim();
      cachedBefore = new Set(ourCacheEntries(cacheFolder));
      // No install scripts: none of this tree's is needed to run it (keytar,
      // the CLI's native keychain addon, would not even build without
      // Node's headers; @swc/core, esbuild, protobufjs and core-js only
      // check a binary or print a message). That also makes it safe to
      // hard-link files from yarn's global store instead of copying
      // 1.1 GB: 10-17 s instead of 38-51 s here.
      inApp([yarn, 'install'], appDir, {
        YARN_ENABLE_SCRIPTS: 'false',
        YARN_NM_MODE: 'hardlinks-global',
      });
    });

    await phase('frontend build', () =>
      inApp(
        [
          path.join(appDir, 'node_modules', '.bin', 'backstage-cli'),
          'package',
          'build',
        ],
        path.join(appDir, 'packages', 'app'),
      ),
    );

    const port = await freePort();
    const base = `http://localhost:${port}`;
    await phase('backend start', async () => {
      removeNamespace = await useNamespace(kubeconfig, namespace);
      writeJson(path.join(appDir, 'app-config.local.yaml'), {
        app: { baseUrl: base },
        backend: {
          baseUrl: base,
          listen: { port },
          database: { prefix: dbPrefix },
        },
        mysql: {
          clusters: [
            { name: 'sandbox', kubeconfig, defaultNamespace: namespace },
          ],
          poller: { frequencySeconds: 2, timeoutSeconds: 2 },
        },
      });
      const out = fs.openSync(backendLog, 'a');
      backend = spawn(
        path.join(appDir, 'node_modules', '.bin', 'backstage-cli'),
        ['package', 'start'],
        {
          cwd: path.join(appDir, 'packages', 'backend'),
          env: separateEnv(),
          stdio: ['ignore', out, out],
          // A process group of its own: the CLI starts the backend as a
          // child, and both must go at the end.
          detached: true,
        },
      );
      fs.closeSync(out);
      let backendSeen = false;
      const alive = () => {
        if (backend.exitCode !== null || backend.signalCode !== null) {
          throw new Error(
            `the backend's CLI exited (${
              backend.exitCode ?? backend.signalCode
            })`,
          );
        }
        // The CLI outlives a backend that crashed, waiting for a change.
        const children = groupChildren(backend.pid);
        if (children?.length) backendSeen = true;
        else if (children && backendSeen) {
          throw new Error('the backend exited (its CLI still waits)');
        }
      };
      await waitFor(
        `the backend on ${base}`,
        async () => {
          const res = await fetch(`${base}/.backstage/health/v1/readiness`);
          return res.ok ? true : undefined;
        },
        180_000,
        alive,
      );
    });

    const token = await phase('checks', async () => {
      const session = await guestToken(base);
      const list = await api(base, '/api/mysql/instances', session, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      });
      if (list.status !== 200 || !Array.isArray(list.body?.items)) {
        throw new Error(
          `GET /api/mysql/instances answered ${list.status}: ${JSON.stringify(
            list.body,
          )}`,
        );
      }
      log(`GET /api/mysql/instances: 200, ${list.body.items.length} items`);
      const actions = await api(base, '/api/scaffolder/v2/actions', session);
      const ids = Array.isArray(actions.body)
        ? actions.body.map(a => a.id)
        : [];
      const missing = ['mysql:provision', 'mysql:configure'].filter(
        a => !ids.includes(a),
      );
      if (actions.status !== 200 || missing.length > 0) {
        throw new Error(
          `GET /api/scaffolder/v2/actions answered ${
            actions.status
          } without ${missing.join(', ')}: ${JSON.stringify(actions.body).slice(
            0,
            1000,
          )}`,
        );
      }
      log(`the scaffolder lists mysql:provision and mysql:configure`);
      return session;
    });

    const version = await phase('database and entity', async () => {
      const created = await api(base, '/api/mysql/instances', token, {
        method: 'POST',
        body: JSON.stringify({
          name: instance,
          owner: 'user:default/guest',
          namespace,
          size: 'small',
        }),
      });
      if (created.status !== 202) {
        throw new Error(
          `POST /api/mysql/instances answered ${
            created.status
          }: ${JSON.stringify(created.body)}`,
        );
      }
      const detailPath = `/api/mysql/instances/sandbox/${namespace}/${instance}`;
      const server = await waitFor(
        `${instance} to run and report its version`,
        async () => {
          const { body } = await api(base, detailPath, token);
          return body?.status?.phase === 'Running' && body.version?.server
            ? body.version.server
            : undefined;
        },
        180_000,
      );
      await waitFor(
        `the entity resource:default/${instance}`,
        async () => {
          const { status } = await api(
            base,
            `/api/catalog/entities/by-name/resource/default/${instance}`,
            token,
          );
          return status === 200 ? true : undefined;
        },
        120_000,
      );
      log(`${instance} runs MySQL ${server}; its entity is in the catalog`);
      return server;
    });

    await phase('card', () =>
      checkCard({
        base,
        name: instance,
        version,
        log,
        screenshot: path.join(
          root,
          'test-results',
          'separate-install-card.png',
        ),
      }),
    );
  } catch (error) {
    throw new Error(
      `separate install: ${
        error.message
      }\n--- the separate backend's log, last ${TAIL_LINES} lines ---\n${tail(
        backendLog,
      )}`,
    );
  } finally {
    await stopGroup(backend);
    await removeNamespace?.();
    const dropped = await dropDatabases(dbPrefix).catch(error => {
      log(`could not drop the databases ${dbPrefix}*: ${error.message}`);
      return 0;
    });
    fs.rmSync(tmp, { recursive: true, force: true });
    // yarn keeps every tarball it installed in its global cache: one new
    // copy of each plugin per run, unless removed.
    for (const entry of cachedBefore ? ourCacheEntries(cacheFolder) : []) {
      if (!cachedBefore.has(entry))
        fs.rmSync(path.join(cacheFolder, entry), { force: true });
    }
    log(
      `cleaned up: backend stopped, namespace ${namespace} deleted, ${dropped} databases dropped, ${tmp} removed`,
    );
  }
  return timings;
}

module.exports = { run };

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const log = line => process.stderr.write(`[separate-install] ${line}\n`);
  const started = Date.now();
  run({ root, log }).then(
    timings => {
      for (const [name, seconds] of timings) {
        log(`${name.padEnd(20)} ${seconds.toFixed(1).padStart(6)} s`);
      }
      log(`passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
    error => {
      log(error.message);
      process.exit(1);
    },
  );
}
