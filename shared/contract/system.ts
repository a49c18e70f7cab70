import { z } from 'zod';
import { ALL_STAFF, Empty, query } from './define';

export const systemContract = {
  'system.info': query({
    roles: ALL_STAFF,
    summary: 'Version and database mode, for the status bar and support.',
    input: Empty,
    output: z.object({ version: z.string(), database: z.enum(['embedded', 'external']), transport: z.enum(['electron', 'http']) }),
  }),
};
