/**
 * The full recomputation of a period's volumes in the app's memory: the server only reads (what it
 * does fast), the app sums, rolls PV up the sponsor tree and ranks a million members in well under
 * a second, and only the rows that differ are written back.
 *
 *   1. Read every member's id, sponsor and career rank.
 *   2. Read the period's paid orders, one row each, summed here per member (PV and VN in
 *      integer hundredths; VN in MXN converted per order).
 *   3. PVG by sponsor ids alone (main/domain/volume-rollup.ts): no cached path or downline size.
 *   4. Read the period's member_volumes, compare in memory, COPY in only the changed rows
 *      (every row, straight into the table, when the period has none) and delete the rows gone.
 *   5. period_stats and period_rank_counts from the figures already in memory.
 *
 * The reads are selectNumbers (../../db/copy.ts): the server packs the rows into one text value,
 * the app parses one buffer (a COPY out costs the app a message per row, which was most of each read).
 * Every figure is an integer number of hundredths (exact as a double below 2^53, checked), so the
 * roll-up is exact; the SQL way (recompute.ts) stays as the oracle of the tests and the fallback
 * for figures beyond that.
 */
import { clientOf, type DbOrTx } from '../../db/client';
import { copyIn, packedCode, selectNumbers } from '../../db/copy';
import { rows } from '../../db/rows';
import { centsConverter } from '../../domain/money';
import { sql } from 'drizzle-orm';
import type { PlanFigures } from '../../domain/plan';
import { BeyondExactDoubles, centsText, memberPositions, paidAsRankCents, rankThresholdsCents, rollUp } from '../../domain/volume-rollup';
import type { PeriodRow } from '../periods/lookup';
import { ratesAt, tempBuffersSql, writePeriodFigures, type RecomputeResult } from './recompute';
import { stageTimes } from '../../kernel/stages';

/** Growable arrays of doubles (ids, hundredths): a million members without a JS object each. */
class Column {
  data = new Float64Array(1 << 16);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export async function recomputeInMemory(
  tx: DbOrTx,
  period: PeriodRow,
  plan: PlanFigures,
  progress: (f: number, stage: string) => Promise<void>,
): Promise<Omit<RecomputeResult, 'ms'> & { stages: Record<string, number> }> {
  const c = clientOf(tx);
  const { ms: stages, lap: stage } = stageTimes();
  const pid = Number(period.id);
  if (!Number.isSafeInteger(pid)) throw new Error(`period id ${period.id}`);

  // 1. The members: id, sponsor and career rank only (a wider read — enrolled_at behind the names —
  // costs the server more than counting them apart).
  const m = { id: new Column(), sponsor: new Column(), career: new Column() };
  const int = (sql: string) => ({ sql, kind: 'int' as const });
  const cents = (sql: string) => ({ sql, kind: 'cents' as const });
  // The exchange rates first: the reads below are pipelined on the transaction's connection (the
  // server computes the next while the app parses the last), and a statement sent after them waits
  // for all of them.
  const rates = await ratesAt(tx, period.startsAt);
  const membersRead = selectNumbers(c, [int('id'), int('sponsor_id'), int('career_rank')], 'members');
  const ordersRead = selectNumbers(
    c,
    [int('member_id'), cents('pv'), cents('vn'), { sql: 'currency', kind: 'code' }],
    `orders where period_id = ${pid} and status = 'paid'`,
  );
  const counted = rows<{ total: number; fresh: number; max_id: string | null }>(
    tx,
    sql`select count(*) filter (where enrolled_at < ${period.endsAt.toISOString()}::timestamptz)::int as total,
      count(*) filter (where enrolled_at >= ${period.startsAt.toISOString()}::timestamptz and enrolled_at < ${period.endsAt.toISOString()}::timestamptz)::int as fresh,
      max(id)::text as max_id
    from members`,
  );
  counted.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
  const volumesRead = selectNumbers(
    c,
    [int('member_id'), cents('pv'), cents('vn'), cents('pvg'), int('paid_as_rank')],
    `member_volumes where period_id = ${pid}`,
  );
  await membersRead.read((v) => {
    m.id.push(v[0]!);
    m.sponsor.push(v[1]!);
    m.career.push(v[2]!);
  });
  const n = m.id.length;
  const ids = m.id.data.subarray(0, n);
  const at = memberPositions(ids);
  stage('members');
  await progress(0.15, 'members');

  // 2. The period's paid orders, one row each, summed here per member: the server only reads them
  // (a sorted group of 1.4M numeric sums cost it more than the whole read). VN in MXN per order at
  // the rate in force at the period's start, rounded to the cent (centsConverter = round(vn × rate, 2)).
  const pv = new Float64Array(n);
  const vn = new Float64Array(n);
  const converters = new Map<number, (cents: number) => number>();
  for (const [currency, rate] of rates) {
    const convert = /^[A-Z]{3}$/.test(currency) ? centsConverter(rate) : null;
    if (convert) converters.set(packedCode(currency), convert);
  }
  let orders = 0;
  let pvTotal = 0;
  let vnMxnTotal = 0;
  await ordersRead.read((v) => {
    const i = at(v[0]!);
    if (i < 0) throw new Error(`recompute: an order of member ${v[0]}, who is not in the network`);
    pv[i]! += v[1]!;
    vn[i]! += v[2]!;
    orders++;
    pvTotal += v[1]!;
    const convert = converters.get(v[3]!);
    if (convert) vnMxnTotal += convert(v[2]!);
  });
  if (!Number.isSafeInteger(pvTotal) || !Number.isSafeInteger(vnMxnTotal)) throw new BeyondExactDoubles('period totals beyond 2^53 hundredths');
  stage('orders');
  await progress(0.3, 'orders');

  // 3. Roll-up and ranks, while the server counts the members enrolled by the period's end and
  // packs the period's member_volumes.
  const pvg = rollUp(ids, m.sponsor.data.subarray(0, n), pv, at);
  const thresholds = rankThresholdsCents(plan);
  const rank = new Int16Array(n);
  const kept = new Uint8Array(n);
  let keptRows = 0;
  let active = 0;
  let advancing = 0;
  const ranks: Record<number, number> = {};
  for (let i = 0; i < n; i++) {
    if (!(pvg[i]! > 0 || pv[i]! > 0 || vn[i]! > 0)) continue;
    kept[i] = 1;
    keptRows++;
    const r = paidAsRankCents(pv[i]!, pvg[i]!, thresholds);
    rank[i] = r;
    if (pv[i]! > 0) active++;
    if (r > m.career.data[i]!) advancing++;
    if (r > 0) ranks[r] = (ranks[r] ?? 0) + 1;
  }
  stage('rollup');
  await progress(0.55, 'rollup');

  // 4. Write what differs. The period's rows as they are, compared in memory.
  const seen = new Uint8Array(n);
  const gone: number[] = [];
  const changed: number[] = [];
  let existing = 0;
  await volumesRead.read((v) => {
    existing++;
    const i = at(v[0]!);
    if (i < 0 || !kept[i]) {
      gone.push(v[0]!);
      return;
    }
    seen[i] = 1;
    if (v[1] !== pv[i] || v[2] !== vn[i] || v[3] !== pvg[i] || v[4] !== rank[i]) changed.push(i);
  });
  for (let i = 0; i < n; i++) if (kept[i] && !seen[i]) changed.push(i);
  stage('compare');
  const write: RecomputeResult['write'] = existing === 0 ? 'insert' : 'merge';
  // Rows go in member order: both indexes' insertions stay local. The members usually come in id
  // order already (then nothing is sorted); else the ids are sorted natively and mapped back.
  let sorted = true;
  for (let k = 1; k < changed.length && sorted; k++) sorted = ids[changed[k - 1]!]! < ids[changed[k]!]!;
  if (!sorted) {
    const byId = Float64Array.from(changed, (i) => ids[i]!).sort();
    for (let k = 0; k < byId.length; k++) changed[k] = at(byId[k]!);
  }
  const line = (i: number) => `${ids[i]}\t${centsText(pv[i]!)}\t${centsText(vn[i]!)}\t${centsText(pvg[i]!)}\t${rank[i]}\n`;
  function* chunks(prefix: string) {
    let buf = '';
    for (const i of changed) {
      buf += prefix + line(i);
      if (buf.length > 1 << 16) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  if (write === 'insert') {
    await copyIn(c, 'copy member_volumes (period_id, member_id, pv, vn, pvg, paid_as_rank) from stdin', chunks(`${pid}\t`));
  } else {
    if (changed.length > 0) {
      await c.unsafe(tempBuffersSql('256MB'));
      await c.unsafe(`drop table if exists vol_write`);
      await c.unsafe(`create temp table vol_write (member_id bigint, pv numeric(16,2), vn numeric(18,2), pvg numeric(18,2), rank smallint) on commit drop`);
      await copyIn(c, 'copy vol_write from stdin', chunks(''));
      await c.unsafe(`
        insert into member_volumes as mv (period_id, member_id, pv, vn, pvg, paid_as_rank, updated_at)
        select ${pid}, member_id, pv, vn, pvg, rank, now() from vol_write order by member_id
        on conflict (period_id, member_id) do update set pv = excluded.pv, vn = excluded.vn, pvg = excluded.pvg,
          paid_as_rank = excluded.paid_as_rank, updated_at = excluded.updated_at`);
    }
    if (gone.length > 0) {
      await c.unsafe(`delete from member_volumes where period_id = $1 and member_id = any($2::bigint[])`, [pid, `{${gone.join(',')}}`]);
    }
  }
  stage('write');
  await progress(0.85, 'write');

  // 5. The period's cached figures.
  const [count] = await counted;
  const figures = {
    rows: keptRows,
    active,
    advancing,
    ordersPaid: orders,
    pv: centsText(pvTotal),
    vnMxn: centsText(vnMxnTotal),
    ranks,
  };
  await writePeriodFigures(tx, period, figures, { total: count?.total ?? 0, fresh: count?.fresh ?? 0, maxId: Number(count?.max_id ?? 0) });
  stage('stats');
  await progress(1, 'stats');
  return { ...figures, periodId: period.id, method: 'memory', write, stages };
}
