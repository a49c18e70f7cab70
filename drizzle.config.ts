import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './main/db/schema/index.ts',
  out: './drizzle',
});
