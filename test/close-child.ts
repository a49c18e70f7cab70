/**
 * The real period close in a process of its own, for the crash test
 * (main/services/commissions/crash.test.ts kills it with SIGKILL at various points).
 *
 *   npx tsx test/close-child.ts <database url> <period key>
 *
 * Starts a close run on the period (startPeriodRun in its own committed transaction, as the
 * periods.close procedure does) and executes it (executeRun: every step in ONE transaction).
 * Test probe, off unless NNP_CRASH_PROBE_AFTER names a step ('volumes', 'ranks' or 'commissions'):
 * an extra step right after it (after 'commissions' = right before 'finish') that prints
 * `PROBE <step>` and then sleeps NNP_CRASH_PROBE_MS milliseconds (default 60,000) inside the
 * close's transaction, so the parent can kill the process at a known point. Prints `RUN <id>` once the run row is committed and `DONE <status>` at the end.
 */
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { connect } from '../main/db/client';
import { internalMutationContext, type AppServices } from '../main/kernel/context';
import { closeSteps } from '../main/app/composition';
import { executeRun, startPeriodRun, type CloseStep } from '../main/services/periods/close';
import { withStep } from './close-steps';

const [url, key] = process.argv.slice(2);
if (!url || !key) {
  process.stderr.write('usage: close-child.ts <database url> <period key>\n');
  process.exit(2);
}
const probeAfter = process.env.NNP_CRASH_PROBE_AFTER ?? '';
const probeMs = Number(process.env.NNP_CRASH_PROBE_MS || 60_000);
const probe: CloseStep = {
  name: `crash-probe-${probeAfter}`,
  label: { es: `prueba tras ${probeAfter}`, en: `probe after ${probeAfter}` },
  run: async () => {
    process.stdout.write(`PROBE ${probeAfter}\n`);
    await new Promise((r) => setTimeout(r, probeMs));
  },
};
// The application's close, with the probe put in when asked for.
const close = probeAfter ? withStep(probe, { after: probeAfter }) : closeSteps;

const database = connect(url, { max: 4 });
const app: AppServices = {
  db: database.db,
  sql: database.sql,
  config: { version: 'crash-child', database: 'external', sessionIdleMinutes: 60, sessionMaxHours: 12, exportsDir: os.tmpdir() },
  now: () => new Date(),
  log: (m, e) => process.stderr.write(`${m}${e ? ` ${e instanceof Error ? e.message : String(e)}` : ''}\n`),
};
try {
  const runId = await database.db.transaction(async (tx) => {
    const ctx = internalMutationContext(app, tx, 'crash.child');
    return (await startPeriodRun(ctx, close, 'close', key)).run.id;
  });
  process.stdout.write(`RUN ${runId}\n`);
  await executeRun(app, close, runId);
  const [run] = (await database.db.execute(sql`select status from period_runs where id = ${runId}`)) as unknown as { status: string }[];
  process.stdout.write(`DONE ${run?.status}\n`);
} catch (e) {
  process.stdout.write(`ERROR ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
