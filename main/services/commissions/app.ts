/**
 * Commission read procedures (shared/contract/commissions.ts): posted totals per period, a member's
 * lines, the read-only preview of the open period (the close's load + engine, nothing written) and
 * "why" an order paid what it paid.
 */
import { sql } from 'drizzle-orm';
import { reader } from '../../ipc/wrappers';
import type { CallContext } from '../../ipc/context';
import type { ParsedInputOf } from '../../../shared/contract';
import type { Tx, DbOrTx } from '../../db/client';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';
import { openPeriod, previousPeriodRow } from '../periods/lookup';
import { planInForce } from '../plan/cached';
import { checkCommissionInputs } from './step';
import { loadPeriod, runEngine, totalsOf } from './run';

type TotalRow = { key: string; status: 'open' | 'closing' | 'closed'; type: string; currency: string; amount: string; lines: string | number };

async function postedTotals(db: DbOrTx, periodKey?: string) {
  const rows = (await db.execute(sql`
    select p.key, p.status, l.type::text as type, trim(l.currency) as currency, sum(l.amount)::text as amount, count(*) as lines
    from commission_lines l join periods p on p.id = l.period_id
    where l.status = 'posted' ${periodKey ? sql`and p.key = ${periodKey}` : sql``}
    group by p.key, p.status, l.type, l.currency order by p.key desc, l.type, currency`)) as unknown as TotalRow[];
  const benef = (await db.execute(sql`
    select p.key, count(distinct l.beneficiary_id) as n from commission_lines l join periods p on p.id = l.period_id
    where l.status = 'posted' ${periodKey ? sql`and p.key = ${periodKey}` : sql``} group by p.key`)) as unknown as { key: string; n: string | number }[];
  const out = new Map<string, { periodKey: string; status: TotalRow['status']; byType: Record<string, Record<string, string>>; byCurrency: Record<string, string>; lines: number; beneficiaries: number }>();
  for (const r of rows) {
    const e = out.get(r.key) ?? { periodKey: r.key, status: r.status, byType: {}, byCurrency: {}, lines: 0, beneficiaries: 0 };
    out.set(r.key, e);
    (e.byType[r.type] ??= {})[r.currency] = new Decimal(r.amount).toFixed(2);
    e.byCurrency[r.currency] = new Decimal(e.byCurrency[r.currency] ?? '0').plus(r.amount).toFixed(2);
    e.lines += Number(r.lines);
  }
  for (const b of benef) { const e = out.get(b.key); if (e) e.beneficiaries = Number(b.n); }
  return [...out.values()];
}

async function periodTotals(input: ParsedInputOf<'commissions.periodTotals'>, ctx: CallContext) {
  return postedTotals(ctx.db, input.periodKey);
}

type LineRow = {
  id: string | number; key: string; type: string; kind: 'line' | 'clawback'; beneficiary_id: string | number; source_kind: 'order' | 'member';
  source_id: string | number; level: number; base: string; base_currency: string; rate: string | null; amount: string; currency: string; created_at: Date | string;
};
const LINE_COLUMNS = sql`l.id, p.key, l.type::text as type, l.kind::text as kind, l.beneficiary_id, l.source_kind::text as source_kind, l.source_id, l.level,
  l.base::text as base, l.base_currency, l.rate::text as rate, l.amount::text as amount, l.currency, l.created_at`;

function lineOf(r: LineRow) {
  return {
    id: Number(r.id), periodKey: r.key, type: r.type as 'directo', kind: r.kind, beneficiaryId: Number(r.beneficiary_id), sourceKind: r.source_kind,
    sourceId: Number(r.source_id), level: Number(r.level), base: r.base, baseCurrency: r.base_currency.trim(), rate: r.rate === null ? null : new Decimal(r.rate).toFixed(),
    amount: r.amount, currency: r.currency.trim(), createdAt: new Date(r.created_at).toISOString(),
  };
}

async function memberLines(input: ParsedInputOf<'commissions.memberLines'>, ctx: CallContext) {
  const filter = sql`l.beneficiary_id = ${input.memberId} and l.status = 'posted' ${input.periodKey ? sql`and p.key = ${input.periodKey}` : sql``}`;
  const offset = (input.page - 1) * input.pageSize;
  const [rows, count] = await Promise.all([
    ctx.db.execute(sql`select ${LINE_COLUMNS} from commission_lines l join periods p on p.id = l.period_id
      where ${filter} order by p.key desc, l.id desc limit ${input.pageSize} offset ${offset}`) as unknown as Promise<LineRow[]>,
    ctx.db.execute(sql`select count(*) as n from commission_lines l join periods p on p.id = l.period_id where ${filter}`) as unknown as Promise<{ n: string | number }[]>,
  ]);
  return { rows: rows.map(lineOf), total: Number(count[0]?.n ?? 0), page: input.page, pageSize: input.pageSize };
}

async function preview(_: ParsedInputOf<'commissions.preview'>, ctx: CallContext) {
  const t0 = performance.now();
  const period = await openPeriod(ctx.db);
  if (!period) throw new AppError('NOT_FOUND', 'No hay un periodo abierto.');
  // Same inputs, load and engine as the close step; nothing is written.
  const { plan, rates } = await checkCommissionInputs(ctx.db as unknown as Tx, period);
  const loaded = await loadPeriod(ctx.db, period, plan, rates);
  const result = runEngine(loaded.input);
  const totals = totalsOf(result, loaded.input.members, rates, 10);
  const ids = totals.top.map((t) => t.member);
  const names = ids.length
    ? ((await ctx.db.execute(sql`select id, code, first_name, last_name from members where id = any(${sql.raw(`array[${ids.map((i) => Number(i)).join(',')}]::bigint[]`)})`)) as unknown as { id: string | number; code: string; first_name: string; last_name: string }[])
    : [];
  const byId = new Map(names.map((n) => [Number(n.id), n]));
  const prevRow = await previousPeriodRow(ctx.db, period);
  const prev: { periodKey: string; byType: Record<string, Record<string, string>>; byCurrency: Record<string, string>; beneficiaries: number } | null = prevRow ? (await postedTotals(ctx.db, prevRow.key))[0] ?? { periodKey: prevRow.key, byType: {}, byCurrency: {}, beneficiaries: 0 } : null;
  const differenceByCurrency: Record<string, string> = {};
  for (const c of new Set([...Object.keys(totals.byCurrency), ...Object.keys(prev?.byCurrency ?? {})])) {
    differenceByCurrency[c] = new Decimal(totals.byCurrency[c] ?? '0').minus(prev?.byCurrency[c] ?? '0').toFixed(2);
  }
  const byType: Record<string, Record<string, string>> = {};
  for (const [t, v] of Object.entries(totals.byType)) if (Object.keys(v).length) byType[t] = v;
  return {
    periodKey: period.key, computedAt: ctx.now().toISOString(), byType, byCurrency: totals.byCurrency, lines: totals.lines, beneficiaries: totals.beneficiaries,
    top: totals.top.map((t) => {
      const m = byId.get(t.member);
      return { memberId: t.member, code: m?.code ?? String(t.member), name: m ? `${m.first_name} ${m.last_name}` : '', currency: t.currency, amount: t.amount };
    }),
    previous: prev ? { periodKey: prev.periodKey, byType: prev.byType, byCurrency: prev.byCurrency, beneficiaries: prev.beneficiaries } : null,
    differenceByCurrency, ms: Math.round(performance.now() - t0),
  };
}

async function why(input: ParsedInputOf<'commissions.why'>, ctx: CallContext) {
  const [o] = (await ctx.db.execute(sql`
    select o.id, o.member_id, o.status::text as status, o.pv::text as pv, o.vn::text as vn, o.currency, p.key as period_key, p.id as period_id,
      m.code, m.first_name, m.last_name, m.path
    from orders o join members m on m.id = o.member_id left join periods p on p.id = o.period_id where o.id = ${input.orderId}`)) as unknown as {
      id: string | number; member_id: string | number; status: string; pv: string; vn: string; currency: string; period_key: string | null; period_id: number | null;
      code: string; first_name: string; last_name: string; path: string }[];
  if (!o) throw new AppError('NOT_FOUND', `El pedido ${input.orderId} no existe.`);
  const ancestors = o.path.split('/').filter(Boolean).map(Number).slice(0, -1).reverse();
  const plan = o.period_key ? (await planInForce(ctx.db, o.period_key)).figures : null;
  const depthOf = new Map((plan?.ranks ?? []).map((r) => [r.rank, r.uninivelDepth]));
  const ups = ancestors.length
    ? ((await ctx.db.execute(sql`
        select m.id, m.code, m.first_name, m.last_name, coalesce(v.paid_as_rank, 0)::int as rank
        from members m left join member_volumes v on v.member_id = m.id and v.period_id = ${o.period_id ?? -1}
        where m.id = any(${sql.raw(`array[${ancestors.join(',')}]::bigint[]`)})`)) as unknown as { id: string | number; code: string; first_name: string; last_name: string; rank: number }[])
    : [];
  const upById = new Map(ups.map((u) => [Number(u.id), u]));
  const lines = (await ctx.db.execute(sql`select ${LINE_COLUMNS} from commission_lines l join periods p on p.id = l.period_id
    where l.source_kind = 'order' and l.source_id = ${input.orderId} and l.status = 'posted' order by l.type, l.level, l.id`)) as unknown as LineRow[];
  return {
    orderId: Number(o.id), buyer: { id: Number(o.member_id), code: o.code, name: `${o.first_name} ${o.last_name}` },
    periodKey: o.period_key, status: o.status, pv: new Decimal(o.pv).toFixed(2), vn: new Decimal(o.vn).toFixed(2), currency: o.currency.trim(),
    uplines: ancestors.map((id, i) => {
      const u = upById.get(id);
      const rank = Number(u?.rank ?? 0);
      const opens = depthOf.get(rank) ?? 0;
      return { level: i + 1, memberId: id, code: u?.code ?? String(id), name: u ? `${u.first_name} ${u.last_name}` : '', paidAsRank: rank, opensLevels: opens, opensThisLevel: opens >= i + 1 };
    }),
    lines: lines.map(lineOf),
  };
}

export const commissionsHandlers = {
  'commissions.periodTotals': reader(periodTotals),
  'commissions.memberLines': reader(memberLines),
  'commissions.preview': reader(preview),
  'commissions.why': reader(why),
};
