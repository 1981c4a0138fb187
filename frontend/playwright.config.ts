import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in Debian's Chromium against the real platform on embedded defaults:
 * `e2e/start-backend.sh` runs `imagineai up` in a fresh data folder, which serves the
 * production build (dist/) with the API and WebSocket on the same origin. Set E2E_BASE_URL
 * to test an already running deployment instead (nothing is started then).
 */
const apiPort = Number(process.env['E2E_API_PORT'] ?? 8765);
const webPort = Number(process.env['E2E_WEB_PORT'] ?? 4310);
const external = process.env['E2E_BASE_URL'];

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/playwright',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env['CI']),
  reporter: [['list']],
  use: {
    baseURL: external ?? `http://127.0.0.1:${webPort}`,
    viewport: { width: 1366, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
  webServer: external
    ? undefined
    : {
        command: 'bash e2e/start-backend.sh',
        // Ready once the SPA port answers the API too: both run in the same process.
        url: `http://127.0.0.1:${webPort}/api/v1/health`,
        timeout: 180_000,
        reuseExistingServer: false,
        stdout: 'ignore',
        stderr: 'pipe',
        env: { E2E_API_PORT: String(apiPort), E2E_WEB_PORT: String(webPort) },
      },
});
