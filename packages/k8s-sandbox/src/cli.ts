import { down, status, up } from './controlPlane';

const USAGE = 'usage: npm run sandbox -- up|down|status';

async function main(command: string | undefined) {
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
    case 'status': {
      const report = status();
      process.stdout.write(`${report.lines.join('\n')}\n`);
      return report.running ? 0 : 3;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  code => process.exit(code),
  error => {
    process.stderr.write(`[sandbox] ${error?.message ?? error}\n`);
    process.exit(1);
  },
);
