import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { NodeAgent } from './nodeAgent';

const log = (line: string) =>
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);

async function main() {
  const kubeconfig = process.env.SANDBOX_KUBECONFIG;
  const stateDir = process.env.SANDBOX_STATE_DIR;
  if (!kubeconfig || !stateDir) {
    throw new Error('SANDBOX_KUBECONFIG and SANDBOX_STATE_DIR must be set');
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const agent = new NodeAgent(kc, stateDir, log);
  await agent.start();
  fs.writeFileSync(path.join(stateDir, 'agent.ready'), `${process.pid}\n`);
  log('node agent ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping servers`);
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch(error => {
  log(`node agent failed: ${error?.stack ?? error}`);
  process.exit(1);
});
