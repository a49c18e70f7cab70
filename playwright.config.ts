import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH, E2E_PORT } from './e2e/browser';

const port = Number(process.env.NNP_E2E_PORT ?? E2E_PORT);

// e2e drives the real app in browser mode (main-process services behind the 127.0.0.1 bridge)
// in Debian's Chromium; no browser is ever downloaded.
export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    locale: 'es-MX',
    timezoneId: 'America/Mexico_City',
    viewport: { width: 1440, height: 900 },
    launchOptions: CHROMIUM_LAUNCH,
  },
  webServer: {
    command: `tsx e2e/serve.ts --port ${port}`,
    url: `http://127.0.0.1:${port}/`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
