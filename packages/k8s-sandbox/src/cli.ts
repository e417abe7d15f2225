import { spawn } from 'node:child_process';
import path from 'node:path';
import { nodeBinariesDir } from './node/binaries';
import { sandboxPaths } from './paths';
import { SANDBOX_PROCESSES } from './state';
import { down, status, up } from './controlPlane';
import { ensureDebianPackages } from './debian';
import {
  freeze,
  kill,
  restart,
  RestartableComponent,
  SandboxComponent,
  thaw,
} from './faults';

const USAGE = `usage: npm run sandbox -- up|down|status|packages
       npm run sandbox -- freeze|thaw|kill|restart <component>
         components: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
                     containerd, kubelet, kube-proxy
       k8s-sandbox exec -- <command...>   run a command against the sandbox
                                          (started first, stopped after if it was not running)
SANDBOX_STATE_DIR names another sandbox; SANDBOX_AUDIT_LOG=1 makes up write an audit log.`;

const COMPONENTS: readonly SandboxComponent[] = SANDBOX_PROCESSES;

function component(name: string | undefined): SandboxComponent {
  if (!COMPONENTS.includes(name as SandboxComponent)) {
    throw new Error(`name a component: ${COMPONENTS.join(', ')}\n${USAGE}`);
  }
  return name as SandboxComponent;
}

async function exec(command: string[]) {
  if (command.length === 0) throw new Error(USAGE);
  const info = await up();
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command[0], command.slice(1), {
        stdio: 'inherit',
        // kubectl of the sandbox's own release: Debian's is years older.
        env: {
          ...process.env,
          KUBECONFIG: info.kubeconfig,
          PATH: `${path.join(nodeBinariesDir(sandboxPaths().cache), 'bin')}${
            path.delimiter
          }${process.env.PATH}`,
        },
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    if (info.started) await down();
  }
}

async function main([command, ...rest]: string[]) {
  switch (command) {
    case 'up': {
      const info = await up();
      if (!info.started) process.stderr.write('[sandbox] already running\n');
      process.stdout.write(`${info.kubeconfig}\n`);
      return 0;
    }
    case 'down':
      await down();
      process.stderr.write('[sandbox] stopped\n');
      return 0;
    case 'packages':
      ensureDebianPackages(false, line =>
        process.stderr.write(`[sandbox] ${line}\n`),
      );
      return 0;
    case 'status': {
      const report = status();
      process.stdout.write(`${report.lines.join('\n')}\n`);
      return report.running ? 0 : 3;
    }
    case 'exec':
      return exec(rest[0] === '--' ? rest.slice(1) : rest);
    case 'freeze':
      await freeze(component(rest[0]));
      process.stderr.write(`[sandbox] ${rest[0]} frozen (SIGSTOP)\n`);
      return 0;
    case 'thaw':
      await thaw(component(rest[0]));
      process.stderr.write(`[sandbox] ${rest[0]} thawed (SIGCONT)\n`);
      return 0;
    case 'kill':
      await kill(component(rest[0]));
      process.stderr.write(`[sandbox] ${rest[0]} killed (SIGKILL)\n`);
      return 0;
    case 'restart': {
      const restarted = await restart(
        component(rest[0]) as RestartableComponent,
      );
      process.stderr.write(
        `[sandbox] ${rest[0]} restarted as pid ${
          restarted.pid
        }, healthy after ${(restarted.tookMs / 1000).toFixed(1)}s\n`,
      );
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  error => {
    process.stderr.write(`[sandbox] ${error?.message ?? error}\n`);
    process.exit(1);
  },
);
