import { test, expect } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { BACKEND, guestHeaders, signInAsGuest } from './signIn';

const NAME = `e2e-k8s-${randomBytes(3).toString('hex')}`;

test('the Kubernetes tab of a new database shows its StatefulSet and pod', async ({
  page,
  request,
}) => {
  // `yarn dev` does not wait for the sandbox; the mysql backend answers 503
  // until the cluster is up.
  test.setTimeout(480_000);
  const headers = await guestHeaders(request);
  let runId: string | undefined;
  await expect
    .poll(
      async () => {
        const created = await request.post(`${BACKEND}/api/mysql/instances`, {
          headers,
          data: { name: NAME, owner: 'group:default/guests', size: 'small' },
        });
        if (created.ok()) runId = (await created.json()).run?.id;
        return created.status();
      },
      { timeout: 360_000, intervals: [3000] },
    )
    .toBe(202);

  try {
    await signInAsGuest(page);
    // The catalog takes the new instance's entity in from the mysql backend.
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
    await page.goto(`/catalog/default/resource/${NAME}`);

    await page
      .getByRole('tab', { name: 'Kubernetes' })
      .or(page.getByRole('link', { name: 'Kubernetes', exact: true }))
      .first()
      .click();
    await expect(page).toHaveURL(new RegExp(`/resource/${NAME}/kubernetes`));

    // One cluster, the sandbox, reached through the plugin's read-only
    // account; its accordion opens on the StatefulSet, whose accordion opens
    // on its pods.
    const cluster = page
      .getByRole('button', { expanded: false })
      .filter({ hasText: 'Cluster' })
      .filter({ hasText: 'sandbox' });
    await expect(cluster).toBeVisible({ timeout: 60_000 });
    await expect(cluster).toContainText('1 pod');
    await cluster.click();

    const statefulSet = page.getByRole('button', { expanded: false }).filter({
      has: page.getByRole('button', { name: `${NAME} Stateful Set` }),
    });
    await expect(statefulSet).toContainText('1 pod');
    // Away from the name, which opens the StatefulSet's drawer instead.
    const box = (await statefulSet.boundingBox())!;
    await statefulSet.click({
      position: { x: box.width - 30, y: box.height / 2 },
    });
    await expect(
      page.getByText(`${NAME}-0`, { exact: true }).first(),
    ).toBeVisible();
    await expect(
      page.getByText('There was a problem retrieving Kubernetes objects'),
    ).toHaveCount(0);

    await page.screenshot({
      path: 'test-results/screenshots/kubernetes-tab.png',
      fullPage: true,
    });
  } finally {
    // Removes what the create run made (the portal has no delete yet).
    if (runId) {
      await request.delete(
        `${BACKEND}/api/mysql/instances/sandbox/default/${NAME}/runs/${runId}`,
        { headers },
      );
    }
  }
});
