import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { sandboxKubectl } from '@mysql-portal/k8s-sandbox';
import { BACKEND, guestHeaders, signInAsGuest } from './signIn';

// Issue 15: the card is live. A configuration the server refuses, written
// straight to the ConfigMap through the Kubernetes API (kubectl, as an
// operator would), shows on the open card as Degraded and then as the
// rollback, without a reload: signals tell the card, whose own polling
// waits a minute. The owner is notified once.

const root = path.resolve(__dirname, '../../..');
// `npm start` creates this demo database, owned by the guests' group.
const NAME = 'demo-guests-db';
const NAMESPACE = 'default';

function kubectl(...args: string[]) {
  const run = spawnSync(sandboxKubectl(), args, {
    encoding: 'utf8',
    // The sandbox writes its admin kubeconfig here at every start.
    env: { ...process.env, KUBECONFIG: path.join(root, '.sandbox/kubeconfig') },
  });
  if (run.status !== 0) {
    throw new Error(`kubectl ${args.join(' ')} failed: ${run.stderr}`);
  }
  return run.stdout;
}

function readJson(kind: string) {
  return JSON.parse(
    kubectl('get', kind, NAME, '--namespace', NAMESPACE, '--output', 'json'),
  );
}

test('the open card shows a refused configuration as Degraded and then its rollback, without a reload', async ({
  page,
  request,
}) => {
  test.setTimeout(420_000);
  const headers = await guestHeaders(request);
  const notices = async () => {
    const res = await request.get(
      `${BACKEND}/api/notifications/notifications`,
      { headers },
    );
    const body = await res.json();
    return (body.notifications as any[]).filter(
      n =>
        n.origin === 'plugin:mysql' &&
        n.payload.link === `/catalog/${NAMESPACE}/resource/${NAME}` &&
        n.payload.topic === 'MySQL rollback',
    );
  };

  // Only a my.cnf that ran for a while is a rollback target.
  await expect
    .poll(
      () => {
        const sts = readJson('statefulset');
        const cm = readJson('configmap');
        return (
          sts.metadata.annotations?.['mysql.backstage.io/last-good-config'] ===
          cm.data['my.cnf']
        );
      },
      { timeout: 300_000 },
    )
    .toBe(true);
  const before = (await notices()).length;

  await signInAsGuest(page);
  await page.goto(`/catalog/${NAMESPACE}/resource/${NAME}`);
  const status = page.getByTestId('mysql-status');
  await expect(status).toHaveText('Running', { timeout: 120_000 });
  let reloaded = false;
  page.on('framenavigated', frame => {
    if (frame === page.mainFrame()) reloaded = true;
  });

  const cnf = readJson('configmap').data['my.cnf'];
  kubectl(
    'patch',
    'configmap',
    NAME,
    '--namespace',
    NAMESPACE,
    '--type',
    'merge',
    '--patch',
    JSON.stringify({ data: { 'my.cnf': `${cnf}no_such_option = 1\n` } }),
  );

  await expect(status).toHaveText('Degraded', { timeout: 180_000 });
  await expect(
    page.getByText(/rolling back: .*no_such_option/).first(),
  ).toBeVisible();
  await expect(status).toHaveText('Running', { timeout: 180_000 });
  await expect(
    page.getByText(/^rollback: .*did not run/).first(),
  ).toBeVisible();
  expect(reloaded).toBe(false);

  await expect.poll(notices, { timeout: 60_000 }).toHaveLength(before + 1);
  await page.screenshot({
    path: 'test-results/screenshots/mysql-card-rollback.png',
    fullPage: true,
  });
});
