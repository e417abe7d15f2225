import { test, expect } from '@playwright/test';
import { signInAsGuest } from './signIn';

test("the home page is the portal's own: its title, the way to a new database and the guest's databases", async ({
  page,
}) => {
  // `npm start` (and the test portal) creates demo-guests-db, owned by
  // guests, once the sandbox answers; on a cold machine that takes minutes.
  test.setTimeout(420_000);
  await signInAsGuest(page);

  await expect(page).toHaveTitle(/MySQL Portal/);
  await expect(
    page.getByRole('heading', { name: 'MySQL Portal', level: 1 }),
  ).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Create a database' }),
  ).toHaveAttribute('href', '/create/templates/default/mysql-database');

  // The list refreshes itself: no reload while the demo database is created.
  const yours = page.getByRole('table', { name: 'Your databases' });
  const row = yours.getByRole('row', { name: /demo-guests-db/ });
  await expect(row.getByRole('link', { name: 'demo-guests-db' })).toBeVisible({
    timeout: 360_000,
  });
  await expect(row).toContainText(
    /Running|Provisioning|Reconciling|Degraded|Unreachable/,
    { timeout: 60_000 },
  );
  // Another team's database is not the guest's.
  await expect(
    yours.getByRole('link', { name: 'demo-payments-db' }),
  ).toHaveCount(0);

  await expect(page.getByText('Scaffolded Backstage App')).toHaveCount(0);
  expect(await page.title()).not.toContain('Scaffolded Backstage App');
  await page.screenshot({
    path: 'test-results/screenshots/home.png',
    fullPage: true,
  });

  await page.getByRole('button', { name: 'Create a database' }).click();
  await expect(page).toHaveURL(/\/create\/templates\/default\/mysql-database$/);
});

test('the catalog stays at /catalog and lists the portal itself', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog?filters[kind]=component&filters[user]=all');
  await expect(
    page.getByRole('link', { name: 'MySQL Portal', exact: true }).first(),
  ).toBeVisible();
  await page.screenshot({
    path: 'test-results/screenshots/catalog.png',
    fullPage: true,
  });
});

test('the Create page offers the MySQL database template', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/create');
  await expect(
    page.getByRole('heading', { name: 'MySQL database' }).first(),
  ).toBeVisible();
});
