import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The pure domain's own test run (no database, no global setup):
//   npx vitest run --config main/domain/vitest.domain.config.ts
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['main/domain/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
