import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

/**
 * Browser tests run in Debian's Chromium (/usr/bin/chromium), never in a
 * downloaded browser: downloads do not work on our machines. The global setup
 * installs the package when it is missing. The portal is started here unless
 * one already runs on :3000 (outside CI).
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  timeout: 180_000,
  expect: { timeout: 60_000 },
  globalSetup: require.resolve('./scripts/e2e-global-setup'),
  webServer: [
    {
      command: 'yarn dev',
      url: 'http://localhost:3000',
      reuseExistingServer: !process.env.CI,
      timeout: 300_000,
      stdout: 'ignore',
      stderr: 'pipe',
      // The browser tests read the backend's audit events from this file.
      env: { MYSQL_PORTAL_LOG: 'test-results/portal.log' },
      // Lets scripts/start.js stop the sandbox it started.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    },
  ],
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
  outputDir: 'test-results/e2e',
  projects: generateProjects().map(project => ({
    ...project,
    use: { ...project.use, channel: undefined },
  })),
});
