#!/usr/bin/env node
/*
 * The production backend, installed and started the way
 * packages/backend/Dockerfile does it, against the sandbox cluster and the
 * machine's PostgreSQL:
 *
 *   yarn build:backend                       (the bundle, the app included)
 *   copy .yarn, .yarnrc.yml, backstage.json, yarn.lock, package.json
 *   untar skeleton.tar.gz; yarn workspaces focus --all --production
 *   copy examples/ and app-config*.yaml; untar bundle.tar.gz
 *   node packages/backend --config app-config.yaml --config app-config.production.yaml
 *
 * into a temporary folder outside the repository, plus one test-only config
 * file (a free port, a static token for the API calls, podAccess podIP: the
 * sandbox has no cluster DNS). It checks that the bundle carries our
 * packages' dist/ and not their src/, that the app is served at / with the
 * MySQL plugin's code in it, that GitHub sign-in is configured and guest
 * sign-in is not, that the catalog holds the MySQL templates, and that
 * /api/mysql/instances lists a real MySQL instance of the sandbox with the
 * version its server reports. That instance is made beforehand from
 * mysql:provision's manifests and adopted by the new backend (creating one
 * through the API takes a signed-in user, and production signs in with
 * GitHub only).
 *
 *   k8s-sandbox exec -- node scripts/installs/productionBundle.js
 *
 * Needs `yarn tsc` first (as `npm test` runs it), KUBECONFIG (the sandbox's
 * admin kubeconfig, which `k8s-sandbox exec` sets) and PostgreSQL
 * (POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD; default
 * 127.0.0.1:55432, the project's own server from scripts/lib/postgres.js,
 * user postgres). Its databases have a prefix of their own
 * and are dropped at the end.
 */
'use strict';

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, tail, waitFor } = require('./support');

/** The instances' namespace: deploy/rbac.yaml binds the backend there. */
const NAMESPACE = 'databases';
/** The cluster's name in the test's config, part of every instance ref. */
const CLUSTER = 'sandbox';
/** A string of the MySQL card, to find the plugin's code in the app. */
const CARD_MARKER = 'You are not allowed to change this instance';

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Runs a command with its output in `logFile`; fails with the log's tail. */
function runLogged(command, args, { cwd, env, logFile }) {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'a');
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        reject(
          new Error(
            `${command} ${args.join(' ')} failed in ${cwd} (${
              signal ?? `exit ${code}`
            }); the end of its output:\n${tail(logFile)}`,
          ),
        );
      }
    });
  });
}

/** node-gyp cannot download headers here; point it at the ones Node ships. */
function nodeHeadersDir(root) {
  const candidates = [
    process.env.npm_config_nodedir,
    path.join(
      root,
      '.toolchain',
      'node_modules',
      'node',
      'node_modules',
      `node-${process.platform}-${process.arch}`,
    ),
    path.resolve(path.dirname(process.execPath), '..'),
  ];
  return candidates.find(
    dir =>
      dir && fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h')),
  );
}

/** Requires a package from the repository's own node_modules. */
function fromRepo(root, name) {
  return require(require.resolve(name, { paths: [root] }));
}

/** The files of a tarball (without a leading `./`). */
async function tarEntries(root, file) {
  const entries = [];
  await fromRepo(root, 'tar').list({
    file,
    onReadEntry: e => entries.push(e.path),
  });
  return entries.map(e => e.replace(/^\.\//, ''));
}

/**
 * The workspace packages the backend bundle must carry: the backend's
 * workspace dependencies and theirs, except inside a bundled package (the
 * app), whose dependencies are compiled into it.
 */
function expectedPackages(root) {
  const workspaces = new Map();
  for (const parent of ['packages', 'plugins']) {
    for (const dir of fs.readdirSync(path.join(root, parent))) {
      const manifest = path.join(root, parent, dir, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      workspaces.set(pkg.name, { dir: `${parent}/${dir}`, pkg });
    }
  }
  const found = new Map();
  const visit = name => {
    const ws = workspaces.get(name);
    if (!ws || found.has(name)) return;
    found.set(name, ws);
    if (ws.pkg.bundled) return;
    for (const dep of Object.keys(ws.pkg.dependencies ?? {})) visit(dep);
  };
  visit('backend');
  return [...found.values()];
}

/** Checks that the bundle holds each package's built files, never its sources. */
async function checkBundle(root, bundle) {
  const entries = new Set(await tarEntries(root, bundle));
  const problems = [];
  const packages = expectedPackages(root);
  for (const { dir, pkg } of packages) {
    const has = prefix => [...entries].some(e => e.startsWith(prefix));
    if (!entries.has(`${dir}/package.json`)) {
      problems.push(`${pkg.name}: no ${dir}/package.json`);
    }
    if (!has(`${dir}/dist/`)) problems.push(`${pkg.name}: no ${dir}/dist/`);
    if (has(`${dir}/src/`)) problems.push(`${pkg.name}: carries ${dir}/src/`);
  }
  if (!entries.has('packages/app/dist/index.html')) {
    problems.push('no packages/app/dist/index.html');
  }
  if (problems.length > 0) {
    throw new Error(`the backend bundle is wrong:\n  ${problems.join('\n  ')}`);
  }
  return packages;
}

/** Checks that each of our packages resolves to its dist/ in the install. */
function checkResolution(dir, packages) {
  const problems = [];
  for (const { pkg } of packages) {
    if (!pkg.name.startsWith('@mysql-portal/') || pkg.bundled) continue;
    let resolved;
    try {
      resolved = require.resolve(pkg.name, {
        paths: [path.join(dir, 'packages', 'backend')],
      });
    } catch (error) {
      problems.push(`${pkg.name}: ${error.message.split('\n')[0]}`);
      continue;
    }
    const relative = path.relative(fs.realpathSync(dir), resolved);
    if (
      relative.startsWith('..') ||
      !relative.includes(`${path.sep}dist${path.sep}`)
    ) {
      problems.push(
        `${pkg.name} resolves to ${resolved}, not a dist/ file of the install`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `the installed bundle is wrong:\n  ${problems.join('\n  ')}`,
    );
  }
}

/** The repository's deploy/rbac.yaml on the sandbox, as `kubectl apply` creates what is missing. */
async function applyRbac(root, kc, k8s) {
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const objects = k8s.loadAllYaml(
    fs.readFileSync(path.join(root, 'deploy', 'rbac.yaml'), 'utf8'),
  );
  for (const object of objects.filter(Boolean)) {
    try {
      await client.create(object);
    } catch (error) {
      if (error.code !== 409) throw error;
    }
  }
}

/** Deletes what `createTestInstance` made for `name`, and the volume its pod got. */
async function deleteInstance(kc, k8s, name) {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const args = { namespace: NAMESPACE };
  const ignoreMissing = error => {
    if (error.code !== 404) throw error;
  };
  await apps
    .deleteNamespacedStatefulSet({ ...args, name })
    .catch(ignoreMissing);
  await core.deleteNamespacedService({ ...args, name }).catch(ignoreMissing);
  await core
    .deleteNamespacedService({ ...args, name: `${name}-headless` })
    .catch(ignoreMissing);
  await core.deleteNamespacedConfigMap({ ...args, name }).catch(ignoreMissing);
  await core.deleteNamespacedSecret({ ...args, name }).catch(ignoreMissing);
  await core
    .deleteNamespacedPersistentVolumeClaim({ ...args, name: `data-${name}-0` })
    .catch(ignoreMissing);
}

/**
 * Builds the production backend bundle, installs it in a temporary folder
 * as packages/backend/Dockerfile does, starts it against the sandbox cluster
 * (process.env.KUBECONFIG, the admin kubeconfig) and the machine's
 * PostgreSQL, and checks what it serves. Removes what it made (the folder,
 * the databases, the instance) even when a check fails.
 *
 * @param {object} options
 * @param {string} options.root - the repository root
 * @param {(line: string) => void} options.log - prints one progress line
 * @returns {Promise<Array<[string, number]>>} each phase and its milliseconds
 */
async function run({ root, log }) {
  const adminKubeconfig = process.env.KUBECONFIG;
  if (!adminKubeconfig || !fs.existsSync(adminKubeconfig)) {
    throw new Error(
      'KUBECONFIG must name the sandbox admin kubeconfig: run this under `node packages/k8s-sandbox/bin/k8s-sandbox exec -- …`',
    );
  }
  // `up` writes the backend's least-privilege kubeconfig next to the admin one.
  const backendKubeconfig = path.join(
    path.dirname(adminKubeconfig),
    'backend.kubeconfig',
  );
  if (!fs.existsSync(backendKubeconfig)) {
    throw new Error(
      `no ${backendKubeconfig}: the sandbox writes it when it starts with deploy/rbac.yaml present`,
    );
  }

  const phases = [];
  const phase = async (name, work) => {
    const started = Date.now();
    log(`${name}…`);
    try {
      return await work();
    } finally {
      const took = Date.now() - started;
      phases.push([name, took]);
      log(`${name}: ${seconds(took)}`);
    }
  };

  const k8s = fromRepo(root, '@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  const pg = fromRepo(root, 'pg');
  const postgres = {
    host: process.env.POSTGRES_HOST ?? '127.0.0.1',
    port: process.env.POSTGRES_PORT ?? '55432',
    user: process.env.POSTGRES_USER ?? 'postgres',
    // The project's PostgreSQL trusts local users; the config needs a value.
    password: process.env.POSTGRES_PASSWORD ?? 'unused',
  };
  const runId = crypto.randomBytes(3).toString('hex');
  // backend-defaults names each plugin's database `<prefix><pluginId>`.
  const dbPrefix = `mysql_portal_bundle_${runId}_`;
  // Volumes outlive their instances, so every run uses a new name.
  const instance = `bundle-${runId}`;
  const token = crypto.randomBytes(24).toString('hex');
  const headersDir = nodeHeadersDir(root);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mysql-portal-bundle-'));
  const logs = {
    build: path.join(dir, 'build.log'),
    install: path.join(dir, 'install.log'),
    backend: path.join(dir, 'backend.log'),
  };
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  let backend;
  const removeSignalHandlers = [];
  let createdInstance = false;
  const admin = () => new pg.Client({ ...postgres, database: 'postgres' });

  try {
    await phase('check PostgreSQL', async () => {
      const client = admin();
      await client.connect().catch(error => {
        throw new Error(
          `cannot reach PostgreSQL at ${postgres.host}:${postgres.port} as ${postgres.user} (set POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD): ${error.message}`,
        );
      });
      await client.end();
    });

    // Made first, so its server starts while the bundle builds.
    await phase(`create instance ${NAMESPACE}/${instance}`, async () => {
      await applyRbac(root, kc, k8s);
      // createTestInstance is TypeScript: the sandbox's own transform.
      fromRepo(root, '@backstage/cli-node/config/nodeTransform.cjs');
      const { createTestInstance } = require(path.join(
        root,
        'plugins/mysql-backend/src/__testUtils__/createTestInstance.ts',
      ));
      createdInstance = true;
      await createTestInstance(kc, {
        name: instance,
        namespace: NAMESPACE,
        owner: 'group:default/guests',
      });
    });

    const env = {
      ...process.env,
      CI: 'true',
      ...(headersDir ? { npm_config_nodedir: headersDir } : {}),
    };
    const distDir = path.join(root, 'packages', 'backend', 'dist');
    await phase('yarn build:backend', () =>
      runLogged('yarn', ['build:backend'], {
        cwd: root,
        env,
        logFile: logs.build,
      }),
    );

    let packages;
    await phase('check the bundle', async () => {
      packages = await checkBundle(root, path.join(distDir, 'bundle.tar.gz'));
      log(
        `the bundle carries dist/ of ${packages
          .map(p => p.pkg.name)
          .join(', ')}`,
      );
    });

    const tar = fromRepo(root, 'tar');
    await phase('yarn workspaces focus --all --production', async () => {
      // What the Dockerfile copies (.dockerignore leaves out .yarn/cache and
      // .yarn/install-state.gz).
      fs.cpSync(path.join(root, '.yarn'), path.join(app, '.yarn'), {
        recursive: true,
        filter: src =>
          ![
            path.join(root, '.yarn', 'cache'),
            path.join(root, '.yarn', 'install-state.gz'),
          ].includes(src),
      });
      for (const file of [
        '.yarnrc.yml',
        'backstage.json',
        'yarn.lock',
        'package.json',
      ]) {
        fs.copyFileSync(path.join(root, file), path.join(app, file));
      }
      await tar.extract({
        file: path.join(distDir, 'skeleton.tar.gz'),
        cwd: app,
      });
      await runLogged(
        'yarn',
        ['workspaces', 'focus', '--all', '--production'],
        {
          cwd: app,
          env: { ...env, NODE_ENV: 'production' },
          logFile: logs.install,
        },
      );
      const built = [
        ...fs
          .readFileSync(logs.install, 'utf8')
          .matchAll(/(\S+)@npm:\S+ must be built/g),
      ].map(m => m[1]);
      log(`built from source: ${built.join(', ') || 'nothing'}`);
      fs.cpSync(path.join(root, 'examples'), path.join(app, 'examples'), {
        recursive: true,
      });
      for (const file of fs.readdirSync(root)) {
        if (
          /^app-config.*\.yaml$/.test(file) &&
          !file.endsWith('.local.yaml')
        ) {
          fs.copyFileSync(path.join(root, file), path.join(app, file));
        }
      }
      await tar.extract({
        file: path.join(distDir, 'bundle.tar.gz'),
        cwd: app,
      });
      checkResolution(app, packages);
    });

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const testConfig = path.join(app, 'app-config.bundle-test.yaml');
    // Test-only: where it listens, a token for the checks' API calls, and
    // podAccess podIP instead of production's serviceDns: this backend runs
    // on the node's host, as on a microk8s machine, where pod IPs are
    // routed but cluster names do not resolve.
    fs.writeFileSync(
      testConfig,
      JSON.stringify(
        {
          app: { baseUrl },
          backend: {
            baseUrl,
            listen: `127.0.0.1:${port}`,
            database: { prefix: dbPrefix },
            auth: {
              externalAccess: [
                {
                  type: 'static',
                  options: { token, subject: 'production-bundle-test' },
                },
              ],
            },
          },
          mysql: {
            clusters: [
              {
                name: CLUSTER,
                kubeconfig: backendKubeconfig,
                defaultNamespace: NAMESPACE,
                allowedNamespaces: [NAMESPACE],
                podAccess: 'podIP',
              },
            ],
          },
        },
        null,
        2,
      ),
    );

    const backendEnv = {
      ...process.env,
      NODE_ENV: 'production',
      POSTGRES_HOST: postgres.host,
      POSTGRES_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PASSWORD: postgres.password,
      MYSQL_CLUSTER_NAME: CLUSTER,
      MYSQL_CLUSTER_KUBECONFIG: backendKubeconfig,
      // Any values do: the checks only see where sign-in would send people.
      AUTH_GITHUB_CLIENT_ID: 'bundle-test-client',
      AUTH_GITHUB_CLIENT_SECRET: 'bundle-test-secret',
    };
    // The backend has its own least-privilege kubeconfig, not the admin's.
    delete backendEnv.KUBECONFIG;

    const fail = message =>
      new Error(
        `${message}\nthe end of the backend's log (${logs.backend}):\n${tail(
          logs.backend,
        )}`,
      );
    const alive = () => {
      if (backend.exitCode !== null || backend.signalCode !== null) {
        throw fail(
          `the backend exited (${
            backend.signalCode ?? `exit ${backend.exitCode}`
          })`,
        );
      }
    };
    const get = async (url, options = {}) => {
      const headers = options.anonymous
        ? {}
        : { Authorization: `Bearer ${token}` };
      return fetch(`${baseUrl}${url}`, { headers, redirect: 'manual' });
    };
    const getJson = async url => {
      const res = await get(url);
      if (res.status !== 200) return undefined;
      return res.json();
    };

    await phase('start the backend', async () => {
      const out = fs.openSync(logs.backend, 'a');
      backend = spawn(
        process.execPath,
        [
          'packages/backend',
          '--config',
          'app-config.yaml',
          '--config',
          'app-config.production.yaml',
          '--config',
          path.basename(testConfig),
        ],
        {
          cwd: app,
          env: backendEnv,
          detached: true,
          stdio: ['ignore', out, out],
        },
      );
      fs.closeSync(out);
      // In a process group of its own, so a Ctrl-C of the run does not reach
      // it: stop it here, then let the signal do what it would have done.
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
        const onSignal = () => {
          try {
            process.kill(-backend.pid, 'SIGKILL');
          } catch {
            // already gone
          }
          process.kill(process.pid, signal);
        };
        process.once(signal, onSignal);
        removeSignalHandlers.push(() => process.off(signal, onSignal));
      }
      await waitFor(
        `${baseUrl}/.backstage/health/v1/readiness`,
        async () => {
          const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
          return res.status === 200 ? true : undefined;
        },
        180_000,
        alive,
      ).catch(error => {
        throw error.message.includes("backend's log")
          ? error
          : fail(error.message);
      });
    });

    await phase('checks', async () => {
      const check = async (what, work, timeoutMs = 0) => {
        const started = Date.now();
        try {
          const detail = timeoutMs
            ? await waitFor(what, work, timeoutMs, alive)
            : await work();
          log(
            `  ok ${what}${
              typeof detail === 'string' ? `: ${detail}` : ''
            } (${seconds(Date.now() - started)})`,
          );
        } catch (error) {
          throw error.message.includes("backend's log")
            ? error
            : fail(`check failed: ${what}: ${error.message}`);
        }
      };

      await check('the app at /', async () => {
        const res = await get('/', { anonymous: true });
        const html = await res.text();
        if (res.status !== 200 || !html.includes('MySQL Portal')) {
          throw new Error(
            `GET / answered ${res.status}: ${html.slice(0, 200)}`,
          );
        }
        return 'MySQL Portal';
      });
      await check("the MySQL card's code in the app", async () => {
        const staticDir = path.join(app, 'packages', 'app', 'dist', 'static');
        const chunk = fs
          .readdirSync(staticDir)
          .filter(f => f.endsWith('.js'))
          .find(f =>
            fs
              .readFileSync(path.join(staticDir, f), 'utf8')
              .includes(CARD_MARKER),
          );
        if (!chunk)
          throw new Error(`no chunk of the app holds "${CARD_MARKER}"`);
        const res = await get(`/static/${chunk}`, { anonymous: true });
        if (res.status !== 200 || !(await res.text()).includes(CARD_MARKER)) {
          throw new Error(`GET /static/${chunk} answered ${res.status}`);
        }
        return `/static/${chunk}`;
      });
      await check('no guest sign-in, GitHub sign-in configured', async () => {
        const guest = await get('/api/auth/guest/refresh', { anonymous: true });
        if (guest.status !== 404) {
          throw new Error(
            `GET /api/auth/guest/refresh answered ${guest.status}`,
          );
        }
        const github = await get(
          '/api/auth/github/start?env=production&scope=read:user',
          { anonymous: true },
        );
        const location = github.headers.get('location') ?? '';
        if (
          github.status !== 302 ||
          !location.startsWith('https://github.com/login/oauth/authorize') ||
          !location.includes('client_id=bundle-test-client')
        ) {
          throw new Error(
            `GET /api/auth/github/start answered ${github.status} ${location}`,
          );
        }
        return 'guest 404, github 302';
      });
      await check('the API refuses a request without a token', async () => {
        const res = await get('/api/mysql/instances', { anonymous: true });
        if (res.status !== 401) throw new Error(`answered ${res.status}`);
        return '401';
      });
      for (const template of ['mysql-database', 'mysql-config']) {
        await check(
          `the catalog holds template:default/${template}`,
          async () =>
            (await getJson(
              `/api/catalog/entities/by-name/template/default/${template}`,
            ))
              ? 'found'
              : undefined,
          120_000,
        );
      }
      const ref = `${CLUSTER}/${NAMESPACE}/${instance}`;
      let item;
      await check(
        `GET /api/mysql/instances lists ${ref} Running, with its server's version`,
        async () => {
          const body = await getJson('/api/mysql/instances');
          if (!body) return undefined;
          if (!Array.isArray(body.items)) {
            throw new Error(`no items: ${JSON.stringify(body).slice(0, 300)}`);
          }
          item = body.items.find(
            i =>
              i.cluster === CLUSTER &&
              i.namespace === NAMESPACE &&
              i.name === instance,
          );
          if (!item) throw new Error(`not listed among ${body.items.length}`);
          if (item.entityRef !== `resource:default/${instance}`) {
            throw new Error(`entityRef ${item.entityRef}`);
          }
          const server = item.version?.server;
          if (
            item.status?.phase !== 'Running' ||
            !/^\d+\.\d+\.\d+/.test(server)
          ) {
            throw new Error(
              `phase ${item.status?.phase} (${item.status?.message}), server version ${server}`,
            );
          }
          return `${item.status.phase}, image ${item.version.image}, server ${server}`;
        },
        180_000,
      );
      await check(
        `GET /api/mysql/instances/${ref} reads the server's max_connections`,
        async () => {
          const detail = await getJson(`/api/mysql/instances/${ref}`);
          if (!detail) return undefined;
          const desired = detail.config?.desired?.max_connections;
          const applied = detail.config?.applied?.max_connections;
          if (desired !== '100' || applied !== '100') {
            throw new Error(`desired ${desired}, applied ${applied}`);
          }
          return 'desired 100, applied 100';
        },
        60_000,
      );
      await check(
        `the catalog holds resource:default/${instance}`,
        async () =>
          (await getJson(
            `/api/catalog/entities/by-name/resource/default/${instance}`,
          ))
            ? 'found'
            : undefined,
        120_000,
      );
    });
    return phases;
  } finally {
    const cleanupStarted = Date.now();
    if (backend && backend.exitCode === null && backend.signalCode === null) {
      const exited = new Promise(r => backend.once('exit', r));
      try {
        process.kill(-backend.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      // A graceful stop waits for the signals plugin's long poll of the
      // events bus (about 50 s); nothing of ours is left to check by then.
      const timer = setTimeout(() => {
        try {
          process.kill(-backend.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
      log(`stopped the backend in ${seconds(Date.now() - cleanupStarted)}`);
    }
    for (const remove of removeSignalHandlers) remove();
    const cleanups = [];
    if (createdInstance) {
      cleanups.push(
        deleteInstance(kc, k8s, instance).catch(error =>
          log(`could not delete instance ${instance}: ${error.message}`),
        ),
      );
    }
    cleanups.push(
      (async () => {
        const client = admin();
        await client.connect();
        try {
          const { rows } = await client.query(
            'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
            [dbPrefix],
          );
          for (const { datname } of rows) {
            await client.query(
              `DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`,
            );
          }
        } finally {
          await client.end();
        }
      })().catch(error =>
        log(`could not drop the databases ${dbPrefix}*: ${error.message}`),
      ),
    );
    await Promise.all(cleanups);
    fs.rmSync(dir, { recursive: true, force: true });
    // Pushed after `return phases`, and still in what the caller gets.
    phases.push(['clean up', Date.now() - cleanupStarted]);
    log(`clean up: ${seconds(Date.now() - cleanupStarted)}`);
  }
}

module.exports = { run };

if (require.main === module) {
  const log = line => process.stderr.write(`[bundle] ${line}\n`);
  const started = Date.now();
  run({ root: path.resolve(__dirname, '..', '..'), log }).then(
    phases => {
      for (const [name, ms] of phases) {
        log(`${name.padEnd(42)} ${seconds(ms).padStart(8)}`);
      }
      log(`ok in ${seconds(Date.now() - started)}`);
    },
    error => {
      log(`FAILED: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
