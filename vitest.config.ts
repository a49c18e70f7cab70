import { defineConfig } from 'vitest/config';

// Unit tests (pure domain) and integration tests (services against the embedded PostgreSQL)
// share one run; the global setup starts one throw-away PostgreSQL cluster for the whole run and
// every test file asks for its own fresh database (see test/db.ts).
export default defineConfig({
  test: {
    include: ['main/**/*.test.ts', 'shared/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
