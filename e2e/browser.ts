/**
 * What the e2e journeys' Chromium starts with: Debian's package, never a downloaded browser,
 * headless and quiet (the bench's ui group, in main/, keeps its own copy: main/ never imports e2e/). And the first port of the e2e
 * apps (a journey with its own app adds an offset), below Linux's ephemeral range (32768–60999): a
 * port the OS hands out to anything else — an embedded PostgreSQL, a Stripe stub — can never be one
 * of the apps'.
 */
export const E2E_PORT = 23123;

export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};
