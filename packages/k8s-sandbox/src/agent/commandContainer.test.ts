import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CommandContainer,
  CommandContainerSpec,
  programWrapper,
  shellQuote,
} from './commandContainer';

describe('programWrapper', () => {
  it('runs the program with its fixed arguments, then the caller’s', () => {
    expect(
      programWrapper(['/.sandbox/mysql/lib64/ld.so', '--argv0', "it's"]),
    ).toBe(
      `#!/bin/sh\nexec '/.sandbox/mysql/lib64/ld.so' '--argv0' 'it'\\''s' "$@"\n`,
    );
  });

  it('quotes for sh', () => {
    expect(shellQuote(`a 'b' $c`)).toBe(`'a '\\''b'\\'' $c'`);
  });
});

// The real thing, without a cluster: it needs root (mount namespaces) and
// takes well under a second per container.
const asRoot = process.getuid?.() === 0 ? describe : describe.skip;

asRoot('CommandContainer', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'command-container-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function container(
    script: string,
    extra: Partial<CommandContainerSpec> = {},
  ) {
    const volume = path.join(dir, 'volume');
    fs.mkdirSync(volume, { recursive: true });
    return new CommandContainer({
      runDir: path.join(dir, 'pod'),
      argv: ['sh', '-c', script],
      env: { GREETING: 'hello', HOME: '/root' },
      mounts: [{ source: volume, target: '/backup' }],
      hosts:
        '127.0.0.1\tlocalhost\n127.9.0.2\torders.databases.svc.cluster.local orders\n',
      programs: { mysqldump: ['/bin/echo', 'dump of'] },
      terminationLog: {
        source: path.join(dir, 'pod', 'termination-log'),
        target: '/dev/termination-log',
      },
      ...extra,
    });
  }

  /** Processes of a process group that still run (zombies wait for init). */
  function liveMembers(group: number) {
    return fs.readdirSync('/proc').filter(pid => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) === group && fields[0] !== 'Z';
      } catch {
        return false;
      }
    });
  }

  function run(c: CommandContainer) {
    return new Promise<number>(resolve => c.start(resolve));
  }

  it('sees its volume, hosts file, programs and termination log where a container would', async () => {
    const c = container(
      [
        'set -e',
        'mysqldump "$GREETING" > /backup/out',
        'getent hosts orders > /backup/hosts',
        'pwd > /backup/pwd',
        '[ -e /etc/mysql ] || echo no-mysql-config > /backup/etc',
        'echo 42 > /dev/termination-log',
        'echo to-the-log >&2',
      ].join('\n'),
    );
    expect(await run(c)).toBe(0);
    const volume = path.join(dir, 'volume');
    const read = (f: string) =>
      fs.readFileSync(path.join(volume, f), 'utf8').trim();
    expect(read('out')).toBe('dump of hello');
    expect(read('hosts')).toMatch(/^127\.9\.0\.2\s+orders/);
    expect(read('pwd')).toBe('/');
    expect(read('etc')).toBe('no-mysql-config');
    expect(
      fs.readFileSync(path.join(dir, 'pod', 'termination-log'), 'utf8'),
    ).toBe('42\n');
    expect(c.lastErrors()).toBe('to-the-log');
    // Nothing of it is left on the machine.
    expect(fs.existsSync('/backup')).toBe(false);
    expect(fs.readFileSync('/etc/hosts', 'utf8')).not.toMatch(/orders/);
  });

  it('reports the exit code, and a setup it cannot do as 128 with the reason', async () => {
    expect(await run(container('exit 3'))).toBe(3);
    const c = container('true', {
      mounts: [{ source: dir, target: '/usr/no-such-folder/backup' }],
    });
    expect(await run(c)).toBe(128);
    expect(c.lastErrors()).toMatch(/could not make the container's root/);
    expect(fs.existsSync('/usr/no-such-folder')).toBe(false);
  });

  it('stops the whole pipeline', async () => {
    const c = container('sleep 60 | sleep 60');
    const exited = jest.fn();
    c.start(exited);
    await new Promise(r => setTimeout(r, 300));
    const pid = c.pid!;
    const started = Date.now();
    await c.stop(5_000);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(liveMembers(pid)).toEqual([]);
    expect(exited).not.toHaveBeenCalled();
  });
});
