import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serverRuntime, ServerRuntime } from './agent/images';
import { MysqlServer } from './agent/mysqlServer';
import { ensureMysqlRootfs, mysqlRootfsDir } from './mysqlRootfs';
import { sandboxPaths } from './paths';

/**
 * The two server families the sandbox runs: real MySQL for `mysql` and
 * `percona` images, the machine's MariaDB for `mariadb` ones.
 *
 * @public
 */
export type SandboxServerFamily = 'mysql' | 'mariadb';

/**
 * Where a {@link LocalMysqlServer} lives and listens.
 *
 * @public
 */
export interface LocalMysqlServerOptions {
  family: SandboxServerFamily;
  /**
   * A folder of its own: datadir, socket, logs, and the container root
   * whose `etc/mysql/conf.d/my.cnf` stands for the pod's ConfigMap.
   */
  dir: string;
  /** The loopback address it listens on, port 3306. */
  ip: string;
  /**
   * The my.cnf in place when the datadir is initialised, as in a pod's first
   * start: what `lower_case_table_names` (fixed then) is set to.
   */
  initConfig?: string;
  log?: (line: string) => void;
}

const PORT = 3306;
// InnoDB initialisation with the catalogue's maximums takes about 50 s on
// 2 cores when idle, and longer under load.
const START_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 30_000;

/**
 * Why `family` cannot run on this machine, or undefined when it can. MySQL
 * needs the cached sid root filesystem, which only root can build (on
 * demand); MariaDB needs the machine's `mariadbd`.
 *
 * @public
 */
export function localServerUnavailable(
  family: SandboxServerFamily,
): string | undefined {
  if (family === 'mariadb') {
    return fs.existsSync('/usr/sbin/mariadbd')
      ? undefined
      : 'no /usr/sbin/mariadbd (apt-get install mariadb-server)';
  }
  const rootfs = mysqlRootfsDir(sandboxPaths().cache);
  if (fs.existsSync(path.join(rootfs, 'usr', 'sbin', 'mysqld'))) {
    return undefined;
  }
  return process.getuid?.() === 0
    ? undefined
    : `no MySQL root filesystem in ${rootfs}, and only root can build it`;
}

async function runtimeFor(
  family: SandboxServerFamily,
  log: (line: string) => void,
): Promise<ServerRuntime> {
  if (family === 'mariadb') return serverRuntime('mariadb');
  const rootfs = await ensureMysqlRootfs(sandboxPaths().cache, log);
  if ('unavailable' in rootfs) throw new Error(rootfs.unavailable);
  return serverRuntime('mysql', {
    SANDBOX_MYSQL_ROOTFS: rootfs.dir,
    SANDBOX_MYSQL_VERSION: rootfs.version,
  });
}

/**
 * One of the sandbox's MySQL-protocol servers, run directly on this machine
 * without the cluster, for suites that restart a server many times with
 * different my.cnf files (each start costs about 2 s for MySQL, 0.5 s for
 * MariaDB, instead of a pod's roll). It is started exactly as the node agent
 * starts a pod's server: same runtime, same defaults file, my.cnf where the
 * ConfigMap is mounted (`/etc/mysql/conf.d/my.cnf`), datadir initialised
 * once, as the official image's entrypoint does, with an empty root
 * password (`root@%` can log in over TCP).
 *
 * @public
 */
export class LocalMysqlServer {
  private readonly confFile: string;
  private readonly datadir: string;

  private constructor(
    private readonly server: MysqlServer,
    private readonly runtime: ServerRuntime,
    readonly family: SandboxServerFamily,
    readonly host: string,
    dir: string,
  ) {
    this.confFile = path.join(dir, 'root', 'etc', 'mysql', 'conf.d', 'my.cnf');
    this.datadir = path.join(dir, 'data');
  }

  private static make(
    runtime: ServerRuntime,
    family: SandboxServerFamily,
    dir: string,
    ip: string,
  ) {
    const rootfs = path.join(dir, 'root');
    const runDir = path.join(dir, 'run');
    fs.mkdirSync(path.join(rootfs, 'etc', 'mysql', 'conf.d'), {
      recursive: true,
    });
    fs.mkdirSync(runDir, { recursive: true });
    const server = new MysqlServer({
      runDir,
      rootfs,
      datadir: path.join(dir, 'data'),
      ip,
      port: PORT,
      env: { MYSQL_ALLOW_EMPTY_PASSWORD: 'yes' },
      runtime,
    });
    return new LocalMysqlServer(server, runtime, family, ip, dir);
  }

  /** Initialises the datadir in `options.dir`; throws with the server's log if that fails. */
  static async create(
    options: LocalMysqlServerOptions,
  ): Promise<LocalMysqlServer> {
    const { family, dir, ip, initConfig, log = () => {} } = options;
    const runtime = await runtimeFor(family, log);
    const local = LocalMysqlServer.make(runtime, family, dir, ip);
    local.writeConfig(initConfig ?? '');
    await local.server.initialise([], path.join(dir, 'run'));
    return local;
  }

  /**
   * Another server in `dir`, listening on `ip`, with a copy of this one's
   * datadir (copy it while this one is stopped): a copy takes a fraction of
   * a second where MySQL's initialisation takes about 6 s.
   */
  copy(dir: string, ip: string): LocalMysqlServer {
    const copy = LocalMysqlServer.make(this.runtime, this.family, dir, ip);
    fs.cpSync(this.datadir, copy.datadir, { recursive: true });
    return copy;
  }

  /** The port it listens on, on {@link LocalMysqlServer.host}. */
  get port(): number {
    return PORT;
  }

  /** The server's version as its binary reports it, e.g. `9.7.4` or `10.11.19-MariaDB`. */
  version(): string {
    const [command, ...prefix] = this.runtime.command;
    const out = spawnSync(command, [...prefix, '--version'], {
      encoding: 'utf8',
    }).stdout;
    return /Ver (\S+)/.exec(out)?.[1] ?? out.trim();
  }

  private writeConfig(myCnf: string) {
    fs.writeFileSync(this.confFile, myCnf);
  }

  /**
   * Starts the server with `myCnf` as the pod's my.cnf and waits until it
   * answers. Throws with the end of its log when it exits first (a value it
   * refuses) or does not answer within three minutes.
   */
  async start(myCnf: string): Promise<void> {
    this.writeConfig(myCnf);
    let exitCode: number | null | undefined;
    this.server.start(code => {
      exitCode = code;
    });
    if (!(await this.server.waitUntilUp(START_TIMEOUT_MS))) {
      await this.server.stop(STOP_GRACE_MS);
      const why =
        exitCode === undefined ? 'did not answer' : `exited (${exitCode})`;
      throw new Error(
        `${this.family} server ${why}:\n${this.server.lastErrors(12)}`,
      );
    }
  }

  /** The last lines of the server's error log and output. */
  lastErrors(lines = 12): string {
    return this.server.lastErrors(lines);
  }

  /** Stops the server (SIGTERM, SIGKILL after 30 s); the datadir stays for the next start. */
  async stop(): Promise<void> {
    await this.server.stop(STOP_GRACE_MS);
  }
}
