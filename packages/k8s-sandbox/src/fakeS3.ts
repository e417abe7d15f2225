import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { nodeAddresses } from './node/config';
import { sandboxPaths } from './paths';
import { readState } from './state';

/** A running s3rver, for tests of Jobs that upload to S3. */
export interface FakeS3 {
  /**
   * `http://<the machine's end of the node's link>:<port>`: pods reach the
   * machine there, and so does the machine itself.
   */
  endpoint: string;
  /** The credentials s3rver checks signatures against. */
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/** The machine's address on the link to the running sandbox's node. */
export function sandboxHostAddress(stateDir?: string): string {
  const state = readState(sandboxPaths(stateDir).state);
  if (state?.slot === undefined) throw new Error('no sandbox runs');
  return nodeAddresses(state.slot).hostIp;
}

/**
 * Starts s3rver (a devDependency) as a process of its own on a free port of
 * the machine's end of the running sandbox's node link, with `bucket`
 * created, its objects in a fresh temporary folder. It checks AWS SigV4
 * signatures of the requests that have one and takes unsigned ones as they
 * come, so a test can read what a Job uploaded.
 */
export async function startFakeS3(
  bucket: string,
  options: { stateDir?: string } = {},
): Promise<FakeS3> {
  const host = sandboxHostAddress(options.stateDir);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      require.resolve('s3rver/bin/s3rver.js'),
      '--directory',
      dir,
      '--address',
      host,
      '--port',
      '0',
      '--silent',
      '--configure-bucket',
      bucket,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      const listening = /listening on [\d.]+:(\d+)/.exec(output);
      if (listening) resolve(Number(listening[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', code =>
      reject(new Error(`s3rver exited with ${code}: ${output}`)),
    );
  });
  return {
    endpoint: `http://${host}:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop: async () => {
      // A killed child has a signalCode and no exitCode: stop twice is fine.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        child.kill();
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port of the machine's end of the node link that nothing listens on, so a connection is refused. */
export async function closedPort(stateDir?: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r =>
    server.listen(0, sandboxHostAddress(stateDir), r),
  );
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}
