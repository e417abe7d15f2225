import { APIRequestContext, expect, Page } from '@playwright/test';

/** The portal's backend, as `yarn dev` starts it. */
export const BACKEND = 'http://localhost:7007';

/** Signs in with the guest provider and waits for the sidebar. */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }).first(),
  ).toBeVisible();
}

/** The guest's Authorization header, for calling the backend's API directly. */
export async function guestHeaders(request: APIRequestContext) {
  const session = await request.get(`${BACKEND}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const token = (await session.json()).backstageIdentity.token;
  return { Authorization: `Bearer ${token}` };
}
