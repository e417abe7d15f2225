import { test, expect } from '@playwright/test';
import { sandboxServerVersion } from '@mysql-portal/k8s-sandbox';
import { signInAsGuest } from './signIn';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The sandbox runs the template's default image, mysql:9.7, as real MySQL;
// the card must show the version that server really reports.
function serverVersion() {
  return sandboxServerVersion('mysql:9.7');
}

// `yarn dev` brings the portal up without waiting for the sandbox, which
// starts beside it; provisioning needs the cluster.
async function sandboxUp() {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const status = spawnSync(
      process.execPath,
      ['packages/k8s-sandbox/bin/k8s-sandbox', 'status'],
      { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8' },
    );
    if (status.status === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the sandbox did not come up: ${status.stdout}${status.stderr}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
}

// The second test changes the database the first one created.
test.describe.configure({ mode: 'serial' });

const NAME = `e2e-${randomBytes(3).toString('hex')}`;

test('a database created from the template shows its card, and an edit of max_connections runs', async ({
  page,
}) => {
  // The sandbox may still be starting beside the portal.
  test.setTimeout(420_000);
  await sandboxUp();
  await signInAsGuest(page);

  await page.goto('/create/templates/default/mysql-database');
  await page.getByLabel('Name').first().fill(NAME);
  await page.getByLabel('Owner').fill('guests');
  await page
    .getByRole('option', { name: /guests/ })
    .first()
    .click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: /^(Next|Review)$/ }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  const open = page.getByRole('link', {
    name: 'Open the database in the catalog',
  });
  await expect(open).toBeVisible({ timeout: 300_000 });
  await open.click();

  const card = page.locator('article, div').filter({
    has: page.getByText('MySQL', { exact: true }),
    hasText: 'Edit configuration',
  });
  const status = page.getByTestId('mysql-status');
  await expect(status).toHaveText('Running', { timeout: 120_000 });
  await expect(page.getByText(serverVersion()).first()).toBeVisible();

  const row = page.getByRole('row', { name: /max_connections/ }).first();
  await page.getByRole('button', { name: 'Edit configuration' }).click();
  await page.getByLabel('max_connections').fill('321');
  await page.getByRole('button', { name: 'Review changes' }).click();
  await expect(page.getByRole('table', { name: 'Changes' })).toContainText(
    '321',
  );
  await page.getByRole('button', { name: 'Save' }).click();

  await expect(status).toHaveText('Reconciling', { timeout: 30_000 });
  await expect(status).toHaveText('Running', { timeout: 180_000 });
  await expect(row.getByRole('cell').nth(2)).toHaveText('321', {
    timeout: 60_000,
  });

  await card
    .last()
    .screenshot({ path: 'test-results/screenshots/mysql-card.png' });
});

test('the mysql-config template changes the same database through mysql:configure', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const backend = 'http://localhost:7007';
  const session = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const token = (await session.json()).backstageIdentity.token;
  const headers = { Authorization: `Bearer ${token}` };

  const created = await request.post(`${backend}/api/scaffolder/v2/tasks`, {
    headers,
    data: {
      templateRef: 'template:default/mysql-config',
      values: {
        entityRef: `resource:default/${NAME}`,
        config: { max_connections: 222 },
      },
    },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const taskStatus = async () => {
    const task = await request.get(`${backend}/api/scaffolder/v2/tasks/${id}`, {
      headers,
    });
    return (await task.json()).status;
  };
  await expect
    .poll(taskStatus, { timeout: 120_000 })
    .toMatch(/^(completed|failed|cancelled)$/);
  expect(await taskStatus()).toBe('completed');

  await signInAsGuest(page);
  await page.goto(`/catalog/default/resource/${NAME}`);
  const row = page.getByRole('row', { name: /max_connections/ }).first();
  await expect(row.getByRole('cell').nth(2)).toHaveText('222', {
    timeout: 180_000,
  });
  await expect(page.getByText(/max_connections=222/).first()).toBeVisible();
});

/**
 * The backend's audit events, from the log that scripts/start.js writes for
 * the tests. The development logger writes `key=value` pairs (with colours),
 * the production one JSON; both carry the same fields.
 */
function auditEvents() {
  const file = path.resolve(__dirname, '../../../test-results/portal.log');
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} is missing: let the test start the portal, or start it with MYSQL_PORTAL_LOG=test-results/portal.log`,
    );
  }
  const field = (line: string, pattern: RegExp) => line.match(pattern)?.[1];
  return (
    fs
      .readFileSync(file, 'utf8')
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .filter(line => line.includes('isAuditEvent'))
      .map(line => ({
        eventId: field(line, /"?eventId"?[=:]"([^"]+)"/),
        status: field(line, /"?status"?[=:]"([^"]+)"/),
        actorId: field(line, /"actorId":"([^"]+)"/),
        instance: field(line, /"instance":\{[^}]*"name":"([^"]+)"/),
      }))
  );
}

test("another team's database is read-only for the guest, and the backend refuses and audits both writes", async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  await sandboxUp();
  // `npm start` creates this demo database, owned by the payments team.
  const instance = '/api/mysql/instances/sandbox/default/demo-payments-db';
  const backend = 'http://localhost:7007';
  const session = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const identity = (await session.json()).backstageIdentity;
  expect(identity.identity.ownershipEntityRefs).toContain(
    'group:default/guests',
  );
  const headers = { Authorization: `Bearer ${identity.token}` };
  await expect
    .poll(
      async () =>
        (await request.get(`${backend}${instance}`, { headers })).status(),
      { timeout: 240_000 },
    )
    .toBe(200);

  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/demo-payments-db');
  await expect(page.getByTestId('mysql-status')).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    page.getByRole('button', { name: 'Edit configuration' }),
  ).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Restart' })).toBeDisabled();

  const detail = await (
    await request.get(`${backend}${instance}`, { headers })
  ).json();
  const edit = await request.put(`${backend}${instance}/config`, {
    headers,
    data: {
      config: { max_connections: 99 },
      resourceVersion: detail.resourceVersion,
    },
  });
  expect(edit.status()).toBe(403);
  const restart = await request.post(`${backend}${instance}/restart`, {
    headers,
  });
  expect(restart.status()).toBe(403);

  await expect
    .poll(
      () =>
        auditEvents()
          .filter(
            e =>
              e.status === 'failed' &&
              e.instance === 'demo-payments-db' &&
              e.actorId === 'user:default/guest',
          )
          .map(e => e.eventId)
          .sort(),
      { timeout: 10_000 },
    )
    .toEqual(['config-update', 'restart']);
});

test('backs up a database from the card and sees it listed', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  await sandboxUp();
  // `npm start` creates this demo database, owned by the guests' group, so
  // the guest may back it up.
  const name = 'demo-guests-db';
  const instance = `/api/mysql/instances/sandbox/default/${name}`;
  const backend = 'http://localhost:7007';
  const session = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const headers = {
    Authorization: `Bearer ${(await session.json()).backstageIdentity.token}`,
  };
  await expect
    .poll(
      async () =>
        (await request.get(`${backend}${instance}`, { headers })).status(),
      { timeout: 240_000 },
    )
    .toBe(200);

  await signInAsGuest(page);
  await page.goto(`/catalog/default/resource/${name}`);
  await expect(page.getByTestId('mysql-status')).toHaveText('Running', {
    timeout: 120_000,
  });
  const backups = page.getByRole('table', { name: 'Backups' });
  await expect(backups).toBeVisible();

  // A scheduled backup may be running; the button waits for it to end.
  const backUp = page.getByRole('button', { name: 'Back up now' });
  await expect(backUp).toBeEnabled({ timeout: 120_000 });
  const [started] = await Promise.all([
    page.waitForResponse(
      response =>
        response.url().endsWith(`${instance}/backups`) &&
        response.request().method() === 'POST',
    ),
    backUp.click(),
  ]);
  expect(started.status()).toBe(202);
  const { id } = await started.json();

  // The card lists the new backup at once, before its next fetch.
  const row = backups.locator(`tr[data-backup-id="${id}"]`);
  await expect(row).toContainText('Running', { timeout: 5_000 });
  await expect(backUp).toBeDisabled();
  // A failed backup shows its message in the row, and so in this assertion.
  await expect(row).toContainText('Completed', { timeout: 90_000 });
  await expect(row.getByRole('cell').nth(3)).toHaveText(
    /^\d+(\.\d)? ([KMGT]iB|bytes)$/,
  );
  await expect(backUp).toBeEnabled();
});
