import { test, expect } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { BACKEND, guestHeaders, signInAsGuest } from './signIn';

const NAME = `e2e-fleet-${randomBytes(3).toString('hex')}`;
/**
 * Once a year, at 00:00 UTC on 1 January: no scheduled backup of the
 * test's database completes while the test runs.
 */
const YEARLY = '0 0 1 1 *';

/*
 * Which database needs attention must not depend on what other tests or a
 * long-lived sandbox did to the demo databases (the backup test backs one
 * up; a sandbox that ran past 03:00 UTC has scheduled backups of both). So
 * the test makes its own: a new database with a yearly backup schedule has
 * no completed backup during the test, and "no backup has completed yet"
 * is one of the rules of "needs attention" (see the root README, "Fleet
 * page"), whatever its phase.
 */
test('the fleet page filters what needs attention and leads to its entity page', async ({
  page,
  request,
}) => {
  // `yarn dev` does not wait for the sandbox; the mysql backend answers 503
  // until the cluster is up.
  test.setTimeout(480_000);
  const headers = await guestHeaders(request);
  await expect
    .poll(
      async () =>
        (
          await request.post(`${BACKEND}/api/mysql/instances`, {
            headers,
            data: {
              name: NAME,
              owner: 'group:default/guests',
              size: 'small',
              backup: { schedule: YEARLY },
            },
          })
        ).status(),
      { timeout: 360_000, intervals: [3000] },
    )
    .toBe(202);

  try {
    // The backend lists it as needing attention at once.
    const listed = await request.get(
      `${BACKEND}/api/mysql/instances?needsAttention=true&q=${NAME}`,
      { headers },
    );
    expect(listed.status()).toBe(200);
    const body = await listed.json();
    expect(body.totalCount).toBe(1);
    expect(body.items[0].needsAttention).toContainEqual({
      kind: 'backup',
      message: 'no backup has completed yet',
    });
    // Its entity page exists once the catalog has taken the entity in.
    await expect
      .poll(
        async () =>
          (
            await request.get(
              `${BACKEND}/api/catalog/entities/by-name/resource/default/${NAME}`,
              { headers },
            )
          ).status(),
        { timeout: 120_000 },
      )
      .toBe(200);

    await signInAsGuest(page);
    // The sidebar leads to the fleet page.
    await page.getByRole('link', { name: 'Databases', exact: true }).click();
    await expect(page).toHaveURL(/\/mysql$/);
    const table = page.getByRole('table', { name: 'MySQL instances' });
    await expect(table).toBeVisible({ timeout: 60_000 });

    const [filtered] = await Promise.all([
      page.waitForResponse(
        response =>
          response.url().includes('/api/mysql/instances?') &&
          response.url().includes('needsAttention=true'),
      ),
      page.getByRole('checkbox', { name: 'Needs attention' }).check(),
    ]);
    expect(filtered.status()).toBe(200);
    await expect(page).toHaveURL(/[?&]needsAttention=true/);
    // Every row left needs attention.
    await expect(table.getByText('none', { exact: true })).toHaveCount(0);

    // Other databases may need attention too; the name narrows it to ours.
    await page.getByLabel('Name').fill(NAME);
    await page.getByLabel('Name').press('Enter');
    await expect(page).toHaveURL(new RegExp(`[?&]q=${NAME}`));
    const row = table.getByRole('row').filter({ hasText: NAME });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('no backup has completed yet');
    await expect(row).toContainText('never');
    await expect(row).toContainText('guests');
    await page.screenshot({
      path: 'test-results/screenshots/fleet.png',
      fullPage: true,
    });

    await row.getByRole('link', { name: NAME }).click();
    await expect(page).toHaveURL(
      new RegExp(`/catalog/default/resource/${NAME}$`),
    );
    await expect(page.getByTestId('mysql-status')).toBeVisible({
      timeout: 60_000,
    });
  } finally {
    // Deletes it, data included: the guests own it.
    await request.delete(
      `${BACKEND}/api/mysql/instances/sandbox/default/${NAME}`,
      { headers, data: { confirm: NAME, keepData: false } },
    );
  }
});
