/**
 * An engine case (the file format of main/domain/engine/case-format.ts) run through the real application in an EMPTY database:
 * members, history and orders are inserted, the period's orders are confirmed through confirmOrder
 * (which posts Directo/Rápido at once), the real period close runs (volumes, ranks, commissions,
 * ledger postings), and the result is read back from the database.
 */
import os from 'node:os';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { CURRENCY_OF_COUNTRY, Decimal, type Country } from '../../domain/money';
import { comparePeriods, periodBounds, periodOf } from '../../domain/period';
import { PLAN_V1 } from '../../domain/plan';
import {
  parseEngineCase,
  SponsorCycleError,
  UnknownKitSkuError,
  UnknownSponsorError,
  EngineInputError,
  type CaseOutput,
  type EngineCase,
} from '../../domain/engine';
import { internalMutationContext, type AppServices } from '../../kernel/context';
import { confirmOrder } from '../orders/confirm';
import { executeRun, startPeriodRun, type CloseSteps } from '../periods/close';

/** Checks what the engine would refuse, before anything touches the database. */
export function checkCase(c: EngineCase): void {
  const ids = new Map(c.members.map((m, i) => [m.id, i]));
  if (ids.size !== c.members.length) {
    const seen = new Set<string>();
    for (const m of c.members) {
      if (seen.has(m.id)) throw new EngineInputError('DUPLICATE_MEMBER', `duplicate member id ${m.id}`, { member: m.id });
      seen.add(m.id);
    }
  }
  for (const m of c.members) if (m.sponsor !== null && !ids.has(m.sponsor)) throw new UnknownSponsorError(m.id, m.sponsor);
  // Cycles: every member must reach a root.
  const state = new Uint8Array(c.members.length); // 0 new, 1 on stack, 2 done
  for (let s = 0; s < c.members.length; s++) {
    const stack: number[] = [];
    let i: number | undefined = s;
    while (i !== undefined && state[i] === 0) {
      state[i] = 1;
      stack.push(i);
      const sp: string | null = c.members[i]!.sponsor;
      i = sp === null ? undefined : ids.get(sp);
    }
    if (i !== undefined && state[i] === 1) {
      const at = stack.indexOf(i);
      throw new SponsorCycleError(stack.slice(at).map((k) => c.members[k]!.id));
    }
    for (const k of stack) state[k] = 2;
  }
  const skus = new Set(PLAN_V1.kits.map((k) => k.sku));
  for (const o of c.orders) {
    if (!ids.has(o.member)) throw new EngineInputError('UNKNOWN_MEMBER', `order ${o.id} of an unknown member ${o.member}`, { order: o.id, member: o.member });
    if (o.kind === 'kit' && !skus.has(o.sku ?? '')) throw new UnknownKitSkuError(o.id, o.sku);
  }
  for (const h of c.history)
    if (!ids.has(h.member)) throw new EngineInputError('UNKNOWN_MEMBER', `history row of an unknown member ${h.member}`, { member: h.member });
}

const normPoints = (s: string) => {
  const d = new Decimal(s);
  return d.isZero() ? '0' : d.toFixed();
};

/**
 * Loads the case into `database` (empty, migrated, with the initial plan), closes its period with
 * `close` (the application's steps, main/app/composition.ts, passed in by the caller), reads the result.
 */
export async function runCase(database: Database, close: CloseSteps, json: unknown, log: (m: string) => void = () => {}): Promise<CaseOutput> {
  const c = parseEngineCase(json);
  checkCase(c);
  const { db } = database;
  const bounds = periodBounds(c.period);
  const dbId = new Map<string, number>();
  c.members.forEach((m, i) => dbId.set(m.id, i + 1));

  // Members in sponsor order (path needs the sponsor's).
  const byId = new Map(c.members.map((m) => [m.id, m]));
  const path = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = path.get(id);
    if (known) return known;
    const chain: string[] = [];
    let cur: string | null = id;
    while (cur !== null && !path.has(cur)) {
      chain.push(cur);
      cur = byId.get(cur)!.sponsor;
    }
    let p = cur === null ? '' : path.get(cur)!;
    for (const x of chain.reverse()) {
      p = `${p}${dbId.get(x)}/`;
      path.set(x, p);
    }
    return path.get(id)!;
  };
  const down = new Map<string, number>();
  for (const m of c.members) {
    let s = m.sponsor;
    while (s !== null) {
      down.set(s, (down.get(s) ?? 0) + 1);
      s = byId.get(s)!.sponsor;
    }
  }
  const rows = c.members
    .map((m) => {
      const p = pathOf(m.id);
      return {
        id: dbId.get(m.id)!,
        code: m.id,
        country: m.country,
        sponsor: m.sponsor === null ? null : dbId.get(m.sponsor)!,
        path: p,
        depth: p.split('/').length - 2,
        enrolled: m.enrolledAt,
        career: m.careerRank,
        down: down.get(m.id) ?? 0,
      };
    })
    .sort((a, b) => a.depth - b.depth);

  const historyKeys = [...new Set(c.history.map((h) => h.period))].filter((k) => comparePeriods(k, c.period) < 0).sort(comparePeriods);
  await db.transaction(async (tx) => {
    await tx.execute(sql`update plan_versions set effective_from_period = '2000-01' where status = 'published'`);
    await tx.execute(sql`delete from exchange_rates`);
    for (const [cur, rate] of Object.entries(c.exchangeRates)) {
      if (cur === 'MXN') continue;
      await tx.execute(sql`insert into exchange_rates (currency, rate_to_mxn, effective_from) values (${cur}, ${rate}, '2000-01-01T00:00:00Z'::timestamptz)`);
    }
    for (const k of PLAN_V1.kits) {
      await tx.execute(sql`insert into products (sku, name, kind, pv) values (${k.sku}, ${k.name}, 'kit', ${k.pv}) on conflict (sku) do nothing`);
    }
    await tx.execute(sql`
      insert into members (id, code, first_name, last_name, country, sponsor_id, enrolled_at, career_rank, downline_size)
      overriding system value
      select x.id, x.code, x.code, 'Caso', x.country, x.sponsor, x.enrolled::timestamptz, x.career, x.down
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id bigint, code text, country text, sponsor bigint, enrolled text, career int, down int)`);
    await tx.execute(sql`
      insert into member_paths (member_id, path, depth)
      select x.id, x.path, x.depth from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id bigint, path text, depth int)`);
    await tx.execute(sql`select setval(pg_get_serial_sequence('members', 'id'), ${c.members.length + 1})`);
    const programs = c.members
      .filter((m) => m.carDownPaymentPaid || m.loyaltyPoints || !new Decimal(m.travelPoints).isZero())
      .map((m) => ({ id: dbId.get(m.id)!, car: m.carDownPaymentPaid, loyalty: m.loyaltyPoints, travel: m.travelPoints }));
    if (programs.length) {
      await tx.execute(sql`insert into member_programs (member_id, car_down_payment_paid, loyalty_points, travel_points)
        select x.id, x.car, x.loyalty, x.travel::numeric from jsonb_to_recordset(${JSON.stringify(programs)}::jsonb) as x(id bigint, car boolean, loyalty int, travel text)`);
    }
    // Earlier periods (closed) with their volumes; the case's period, open.
    for (const k of historyKeys) {
      const b = periodBounds(k);
      await tx.execute(
        sql`insert into periods (key, starts_at, ends_at, status, closed_at) values (${k}, ${b.startsAt.toISOString()}::timestamptz, ${b.endsAt.toISOString()}::timestamptz, 'closed', ${b.endsAt.toISOString()}::timestamptz)`,
      );
    }
    await tx.execute(
      sql`insert into periods (key, starts_at, ends_at, status) values (${c.period}, ${bounds.startsAt.toISOString()}::timestamptz, ${bounds.endsAt.toISOString()}::timestamptz, 'open')`,
    );
    await tx.execute(sql`insert into period_stats (period_id) select id from periods on conflict do nothing`);
    const hist = c.history
      .filter((h) => comparePeriods(h.period, c.period) < 0)
      .map((h) => ({ id: dbId.get(h.member)!, key: h.period, pv: h.pv, rank: h.paidAsRank }));
    if (hist.length) {
      await tx.execute(sql`insert into member_volumes (period_id, member_id, pv, pvg, paid_as_rank)
        select p.id, x.id, x.pv::numeric, x.pv::numeric, x.rank from jsonb_to_recordset(${JSON.stringify(hist)}::jsonb) as x(id bigint, key text, pv text, rank int)
        join periods p on p.key = x.key`);
    }
    if (c.travelCampaign) {
      await tx.execute(sql`insert into travel_campaigns (name, from_period, to_period, target, multiplier)
        values ('NN Travels', ${c.travelCampaign.from}, ${c.travelCampaign.to}, ${PLAN_V1.travel.targetPoints}, ${c.travelCampaign.multiplier})`);
    }
  });

  // Orders: inserted pending, then confirmed through the real confirmOrder (those paid before the
  // period belong to earlier periods and are recorded as paid there).
  const orderIds = new Map<string, number>();
  await db.transaction(async (tx) => {
    for (const o of c.orders) {
      const m = byId.get(o.member)!;
      const kit = o.kind === 'kit';
      const [r] = await tx.execute<{ id: number }>(sql`
        insert into orders (member_id, country, currency, status, total, pv, vn, kit_pv, created_at)
        values (${dbId.get(o.member)!}, ${m.country}, ${o.currency}, 'pending', ${kit ? '0' : o.vn}, ${o.pv}, ${kit ? '0' : o.vn}, ${kit ? o.pv : '0'}, ${new Date(o.paidAt).toISOString()}::timestamptz)
        returning id`);
      orderIds.set(o.id, Number(r!.id));
      if (kit) {
        await tx.execute(sql`insert into order_lines (order_id, product_id, quantity, unit_price, pv, vn)
          select ${r!.id}, p.id, 1, 0, ${o.pv}, 0 from products p where p.sku = ${o.sku ?? ''}`);
      }
    }
  });
  const ordered = [...c.orders].sort((a, b) => Date.parse(a.paidAt) - Date.parse(b.paidAt));
  for (const o of ordered) {
    const id = orderIds.get(o.id)!;
    const at = new Date(o.paidAt);
    if (at.getTime() < bounds.startsAt.getTime()) {
      await db.execute(sql`update orders set status = 'paid', payment_confirmed_at = ${at.toISOString()}::timestamptz, payment_method = 'manual',
        period_id = (select id from periods where key = ${periodOf(at)}) where id = ${id}`);
      continue;
    }
    await db.transaction(async (tx) => {
      await confirmOrder(tx, id, { confirmedAt: at.toISOString(), method: 'manual' });
    });
  }
  log(`loaded ${c.members.length} members, ${c.orders.length} orders`);

  // The real close.
  const app: AppServices = {
    db,
    sql: database.sql,
    config: { version: 'engine-case', database: 'external', sessionIdleMinutes: 60, sessionMaxHours: 12, exportsDir: os.tmpdir() },
    // The close guard refuses a period that has not ended: the case closes at the earliest from its end.
    now: () => new Date(Math.max(Date.now(), periodBounds(c.period).endsAt.getTime())),
    log: (m, e) => log(`${m}${e ? ` ${e instanceof Error ? e.message : String(e)}` : ''}`),
  };
  const runId = await db.transaction(async (tx) => {
    const ctx = internalMutationContext(app, tx, 'engine.case');
    const r = await startPeriodRun(ctx, close, 'close', c.period);
    return r.run.id;
  });
  await executeRun(app, close, runId);
  const [run] = await db.execute<{ status: string; error: string | null }>(sql`select status, error from period_runs where id = ${runId}`);
  if (run?.status !== 'succeeded') throw new Error(`the close did not succeed: ${run?.error ?? run?.status}`);
  return readCaseResult(database, c.period, new Map([...orderIds].map(([k, v]) => [v, k])));
}

/** The case output of a closed period, read from the database (volumes, lines, programmes). */
export async function readCaseResult(database: Database, periodKey: string, orderCode: ReadonlyMap<number, string> = new Map()): Promise<CaseOutput> {
  const { db } = database;
  const [p] = await db.execute<{ id: number }>(sql`select id from periods where key = ${periodKey}`);
  const pid = p!.id;
  const vols = await db.execute<{
    code: string;
    country: string;
    pv: string;
    vn: string;
    pvg: string;
    paid: number;
    career: number;
  }>(sql`
    select m.code, m.country, coalesce(v.pv, 0)::text as pv, coalesce(v.vn, 0)::text as vn, coalesce(v.pvg, 0)::text as pvg,
      coalesce(v.paid_as_rank, 0)::int as paid, m.career_rank::int as career
    from members m left join member_volumes v on v.member_id = m.id and v.period_id = ${pid} order by m.id`);
  const lines = await db.execute<{
    type: string;
    beneficiary: string;
    source: string;
    level: number;
    amount: string;
    currency: string;
    sk: string;
    source_id: number;
  }>(sql`
    select l.type::text as type, b.code as beneficiary, case when l.source_kind = 'order' then l.source_id::text else s.code end as source,
      l.level::int as level, l.amount::text as amount, l.currency, l.source_kind::text as sk, l.source_id
    from commission_lines l join members b on b.id = l.beneficiary_id left join members s on l.source_kind = 'member' and s.id = l.source_id
    where l.period_id = ${pid} and l.kind = 'line' and l.status = 'posted' order by l.id`);
  const progs = await db.execute<{
    code: string;
    loyalty: number;
    travel: string;
    cashback: boolean;
    gift: boolean;
  }>(sql`
    select m.code, coalesce(p.loyalty_points, 0)::int as loyalty, coalesce(p.travel_points, 0)::text as travel,
      exists (select 1 from cashback_entitlements c where c.member_id = m.id and c.period_id = ${pid}) as cashback,
      exists (select 1 from loyalty_gifts g where g.member_id = m.id and g.period_id = ${pid}) as gift
    from members m left join member_programs p on p.member_id = m.id order by m.id`);
  return {
    volumes: vols.map((v) => ({
      member: v.code,
      pv: normPoints(v.pv),
      vn: new Decimal(v.vn).toFixed(2),
      pvg: normPoints(v.pvg),
      paidAsRank: v.paid,
      careerRank: v.career,
    })),
    lines: lines.map((l) => ({
      type: l.type,
      beneficiary: l.beneficiary,
      source: l.sk === 'order' ? (orderCode.get(Number(l.source_id)) ?? l.source) : l.source,
      level: l.level,
      amount: l.amount,
      currency: l.currency.trim(),
    })),
    programs: progs.map((r) => ({ member: r.code, cashback: r.cashback, loyaltyPoints: r.loyalty, loyaltyGift: r.gift, travelPoints: normPoints(r.travel) })),
  };
}

void CURRENCY_OF_COUNTRY;
export type { Country };
