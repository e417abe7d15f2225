import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep, stopProcess, tail } from '../processes';
import { ServerRuntime } from './images';

/** Everything the agent resolved from the pod spec to run one server. */
export interface ServerSpec {
  /** Per-pod runtime folder. */
  runDir: string;
  /** Folder that stands for the container's root: mounted files live under it. */
  rootfs: string;
  datadir: string;
  ip: string;
  port: number;
  env: Record<string, string>;
  /** Which server runs, and how. */
  runtime: ServerRuntime;
}

const INIT_MARKER = '.sandbox-initialized';

function quote(value: string) {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function ident(value: string) {
  return `\`${value.replace(/`/g, '``')}\``;
}

/**
 * The server of a MySQL container (real MySQL for `mysql` images, mariadbd
 * for `mariadb` ones): configured from the files the pod mounts, initialised
 * from env the way the official image's entrypoint does, bound to the pod's
 * own loopback address.
 */
export class MysqlServer {
  private child?: ChildProcess;
  private exitHandlers: Array<(code: number | null) => void> = [];
  readonly socket: string;
  readonly errorLog: string;

  constructor(private readonly spec: ServerSpec) {
    this.socket = path.join(spec.runDir, 'mysqld.sock');
    this.errorLog = path.join(spec.runDir, 'error.log');
  }

  get pid() {
    return this.child?.pid;
  }

  /**
   * The last lines of the server's error log, for container status
   * messages. Errors found while reading options go to stderr before the log
   * is open, so its output counts too.
   */
  lastErrors(lines = 8) {
    const output = tail(path.join(this.spec.runDir, 'server.out'), lines);
    return [tail(this.errorLog, lines), output]
      .filter(Boolean)
      .join('\n')
      .split('\n')
      .slice(-lines)
      .join('\n');
  }

  private writeDefaultsFile(extra: string[] = []) {
    const { rootfs, datadir, ip, port, runDir } = this.spec;
    const includes = [
      path.join(rootfs, 'etc', 'my.cnf'),
      path.join(rootfs, 'etc', 'mysql', 'my.cnf'),
    ]
      .filter(f => fs.existsSync(f))
      .map(f => `!include ${f}`);
    const includeDirs = ['conf.d', 'mysql.conf.d', 'mariadb.conf.d']
      .map(d => path.join(rootfs, 'etc', 'mysql', d))
      .filter(d => fs.existsSync(d))
      .map(d => `!includedir ${d}`);
    const file = path.join(runDir, 'sandbox.cnf');
    // Our settings come last so the pod's files cannot move the server off
    // its own address, socket or datadir.
    fs.writeFileSync(
      file,
      [
        ...includes,
        ...includeDirs,
        '[mysqld]',
        `datadir=${datadir}`,
        `socket=${this.socket}`,
        `pid-file=${path.join(runDir, 'mysqld.pid')}`,
        `log-error=${this.errorLog}`,
        `bind-address=${ip}`,
        `port=${port}`,
        'user=root',
        ...this.spec.runtime.settings,
        `secure-file-priv=${runDir}`,
        ...extra,
        '',
      ].join('\n'),
    );
    return file;
  }

  private spawnServer(args: string[]) {
    const out = fs.openSync(path.join(this.spec.runDir, 'server.out'), 'a');
    const [command, ...prefix] = this.spec.runtime.command;
    const child = spawn(command, [...prefix, ...args], {
      stdio: ['ignore', out, out],
      env: { PATH: process.env.PATH },
    });
    fs.closeSync(out);
    return child;
  }

  private async waitForSocket(child: ChildProcess, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      const ping = spawnSync('/usr/bin/mariadb-admin', [
        '--no-defaults',
        `--socket=${this.socket}`,
        '--connect-timeout=1',
        'ping',
      ]);
      if (ping.status === 0) return true;
      await sleep(100);
    }
    return false;
  }

  /** Whether the datadir still needs the first-start initialisation. */
  needsInit() {
    return !fs.existsSync(path.join(this.spec.datadir, INIT_MARKER));
  }

  /**
   * First start: install the system tables, run a socket-only server, create
   * the root password, database and user from env, run init scripts, stop.
   * Throws with the error log when any step fails.
   */
  async initialise(initScripts: string[], shimPath: string) {
    const { datadir, env } = this.spec;
    // A datadir without our marker is a half-done earlier attempt.
    fs.rmSync(datadir, { recursive: true, force: true });
    fs.mkdirSync(datadir, { recursive: true });
    const defaults = this.writeDefaultsFile(['skip-networking']);
    const install = this.installSystemTables(defaults);
    if (install.status !== 0) {
      fs.appendFileSync(this.errorLog, `${install.stdout}${install.stderr}`);
      throw new Error(`initialising the datadir failed: ${this.lastErrors()}`);
    }
    const child = this.spawnServer([`--defaults-file=${defaults}`]);
    try {
      if (!(await this.waitForSocket(child, 30_000))) {
        throw new Error(
          `the server did not start for initialisation: ${this.lastErrors()}`,
        );
      }
      this.runSql(this.initSql());
      const database = env.MYSQL_DATABASE ?? env.MARIADB_DATABASE;
      for (const script of initScripts) {
        this.runInitScript(script, database, shimPath);
      }
    } finally {
      await stopProcess(child.pid!, 30_000);
    }
    fs.writeFileSync(path.join(datadir, INIT_MARKER), new Date().toISOString());
  }

  /** What `mysqld --initialize-insecure` or `mariadb-install-db` does. */
  private installSystemTables(defaults: string) {
    const { runtime, datadir } = this.spec;
    if (runtime.family === 'mysql') {
      const [command, ...prefix] = runtime.command;
      return spawnSync(
        command,
        [...prefix, `--defaults-file=${defaults}`, '--initialize-insecure'],
        { encoding: 'utf8' },
      );
    }
    return spawnSync(
      '/usr/bin/mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { encoding: 'utf8' },
    );
  }

  private initSql() {
    const env = this.spec.env;
    const rootPassword = env.MYSQL_ROOT_PASSWORD ?? env.MARIADB_ROOT_PASSWORD;
    const allowEmpty =
      env.MYSQL_ALLOW_EMPTY_PASSWORD ?? env.MARIADB_ALLOW_EMPTY_ROOT_PASSWORD;
    if (rootPassword === undefined && !allowEmpty) {
      throw new Error(
        'Database is uninitialized and password option is not specified: ' +
          'set MYSQL_ROOT_PASSWORD or MYSQL_ALLOW_EMPTY_PASSWORD',
      );
    }
    const password = quote(rootPassword ?? '');
    const sql = [
      "DROP USER IF EXISTS ''@'localhost';",
      `ALTER USER 'root'@'localhost' IDENTIFIED BY ${password};`,
      `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY ${password};`,
      "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
    ];
    const database = env.MYSQL_DATABASE ?? env.MARIADB_DATABASE;
    if (database) sql.push(`CREATE DATABASE IF NOT EXISTS ${ident(database)};`);
    const user = env.MYSQL_USER ?? env.MARIADB_USER;
    const userPassword = env.MYSQL_PASSWORD ?? env.MARIADB_PASSWORD;
    if (user && userPassword !== undefined) {
      sql.push(
        `CREATE USER ${quote(user)}@'%' IDENTIFIED BY ${quote(userPassword)};`,
      );
      if (database) {
        sql.push(`GRANT ALL ON ${ident(database)}.* TO ${quote(user)}@'%';`);
      }
    }
    sql.push('FLUSH PRIVILEGES;');
    return sql.join('\n');
  }

  private runSql(sql: string, database?: string) {
    const args = ['--no-defaults', `--socket=${this.socket}`, '-uroot'];
    if (database) args.push(`--database=${database}`);
    const result = spawnSync('/usr/bin/mariadb', args, {
      input: sql,
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      fs.appendFileSync(this.errorLog, result.stderr);
      throw new Error(`initialisation SQL failed: ${result.stderr.trim()}`);
    }
  }

  private runInitScript(
    file: string,
    database: string | undefined,
    shimPath: string,
  ) {
    const name = path.basename(file);
    fs.appendFileSync(this.errorLog, `[entrypoint] running ${name}\n`);
    if (name.endsWith('.sql')) {
      this.runSql(fs.readFileSync(file, 'utf8'), database);
    } else if (name.endsWith('.sh')) {
      const result = spawnSync('/bin/bash', [file], {
        encoding: 'utf8',
        env: {
          ...this.spec.env,
          PATH: `${shimPath}:${process.env.PATH}`,
          MYSQL_PWD: this.spec.env.MYSQL_ROOT_PASSWORD ?? '',
        },
      });
      if (result.status !== 0) {
        fs.appendFileSync(this.errorLog, result.stderr);
        throw new Error(`init script ${name} failed: ${result.stderr.trim()}`);
      }
    } else {
      fs.appendFileSync(this.errorLog, `[entrypoint] ignoring ${name}\n`);
    }
  }

  /** Starts the server for real; `onExit` is told when it stops on its own. */
  start(onExit: (code: number | null) => void) {
    const defaults = this.writeDefaultsFile();
    const child = this.spawnServer([`--defaults-file=${defaults}`]);
    this.child = child;
    fs.writeFileSync(
      path.join(this.spec.runDir, 'server.pid'),
      `${child.pid}\n`,
    );
    this.exitHandlers = [onExit];
    child.on('exit', code => {
      if (this.child !== child) return;
      this.child = undefined;
      fs.rmSync(path.join(this.spec.runDir, 'server.pid'), { force: true });
      for (const handler of this.exitHandlers) handler(code);
    });
  }

  /**
   * Whether the server of the last {@link MysqlServer.start} answers on its
   * socket within `timeoutMs`: false as soon as it exits (a value it refuses
   * stops it while it reads its options).
   */
  async waitUntilUp(timeoutMs: number): Promise<boolean> {
    return this.child ? this.waitForSocket(this.child, timeoutMs) : false;
  }

  /** SIGTERM, then SIGKILL after the grace period; no exit callback fires. */
  async stop(graceMs: number) {
    const child = this.child;
    this.exitHandlers = [];
    if (!child?.pid) return;
    await stopProcess(child.pid, graceMs);
  }
}
