import { test, expect } from '@playwright/test';
import { signInAsGuest } from './signIn';

test('the catalog lists the example entities', async ({ page }) => {
  await signInAsGuest(page);

  const examples = [
    { kind: 'component', name: 'example-website' },
    { kind: 'api', name: 'example-grpc-api' },
    { kind: 'system', name: 'examples' },
  ];
  for (const { kind, name } of examples) {
    await page.goto(`/?filters[kind]=${kind}&filters[user]=all`);
    await expect(
      page.getByRole('link', { name, exact: true }).first(),
    ).toBeVisible();
  }

  await page.goto('/?filters[kind]=component&filters[user]=all');
  await expect(page.getByText('All Components (1)')).toBeVisible();
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
