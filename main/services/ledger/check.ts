/**
 * Balances are never trusted blindly (issue 16 item 4): ledger_mismatches() compares every
 * account's cached balance and pending amounts with its entries. It runs after every period close
 * and once a day; each run is kept in ledger_checks and the dashboard shows the latest non-zero one
 * to admin and finance.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { rows } from '../../db/rows';
import type { AppServices } from '../../kernel/context';

export interface LedgerCheck {
  at: string;
  trigger: string;
  mismatches: number;
}

export async function runLedgerCheck(db: DbOrTx, trigger: 'close' | 'daily' | 'manual'): Promise<LedgerCheck> {
  const [row] = await rows<LedgerCheck>(
    db,
    sql`
    with m as (select m.*, row_number() over (order by m.account_id) as rn from ledger_mismatches() m)
    insert into ledger_checks (trigger, mismatches, sample)
    select ${trigger}, count(*)::int, coalesce(jsonb_agg(to_jsonb(m) - 'rn') filter (where rn <= 20), '[]'::jsonb) from m
    returning to_char(checked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, trigger, mismatches`,
  );
  return row!;
}

export async function latestLedgerCheck(db: DbOrTx): Promise<LedgerCheck | null> {
  const [row] = await rows<LedgerCheck>(
    db,
    sql`
    select to_char(checked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, trigger, mismatches
    from ledger_checks order by checked_at desc, id desc limit 1`,
  );
  return row ?? null;
}

/**
 * The daily run: at start when the last check is older than a day, then every 24 hours. Answers
 * a stop function (the timer does not keep the process alive).
 */
export function startDailyLedgerChecks(app: Pick<AppServices, 'db' | 'log'>, everyMs = 24 * 3600_000): () => void {
  const run = async () => {
    try {
      const last = await latestLedgerCheck(app.db);
      if (last && Date.now() - Date.parse(last.at) < everyMs - 60_000) return;
      const r = await runLedgerCheck(app.db, 'daily');
      if (r.mismatches > 0) app.log(`ledger: ${r.mismatches} cuentas con saldo distinto de sus movimientos`);
    } catch (e) {
      app.log('ledger: la revisión diaria falló', e);
    }
  };
  void run();
  const timer = setInterval(run, Math.min(everyMs, 3600_000));
  timer.unref();
  return () => clearInterval(timer);
}
