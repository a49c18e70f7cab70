/**
 * Commission read procedures (shared/contract/commissions.ts): posted totals per period, a member's
 * lines, the read-only preview of the open period (the close's load + engine, nothing written) and
 * "why" an order paid what it paid.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { members, memberVolumes } from '../../db/schema';
import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import type { DbOrTx } from '../../db/client';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';
import { openPeriod, periodByKey, previousPeriodRow, type PeriodRow } from '../periods/lookup';
import { planInForce } from '../plan/cached';
import { checkCommissionInputs } from './step';
import { loadPeriod, runEngine, totalsOf } from './run';
import { programmesHandlers } from './programmes';
import { exportPeriodLines } from './export';

type TotalRow = { key: string; status: 'open' | 'closing' | 'closed'; type: string; currency: string; amount: string; lines: string | number };

async function postedTotals(db: DbOrTx, periodKey?: string) {
  const rows = await db.execute<TotalRow>(sql`
    select p.key, p.status, l.type::text as type, trim(l.currency) as currency, sum(l.amount)::text as amount, count(*) as lines
    from commission_lines l join periods p on p.id = l.period_id
    where l.status = 'posted' ${periodKey ? sql`and p.key = ${periodKey}` : sql``}
    group by p.key, p.status, l.type, l.currency order by p.key desc, l.type, currency`);
  const benef = await db.execute<{ key: string; n: string | number }>(sql`
    select p.key, count(distinct l.beneficiary_id) as n from commission_lines l join periods p on p.id = l.period_id
    where l.status = 'posted' ${periodKey ? sql`and p.key = ${periodKey}` : sql``} group by p.key`);
  const out = new Map<
    string,
    {
      periodKey: string;
      status: TotalRow['status'];
      byType: Record<string, Record<string, string>>;
      byCurrency: Record<string, string>;
      lines: number;
      beneficiaries: number;
    }
  >();
  for (const r of rows) {
    const e = out.get(r.key) ?? { periodKey: r.key, status: r.status, byType: {}, byCurrency: {}, lines: 0, beneficiaries: 0 };
    out.set(r.key, e);
    (e.byType[r.type] ??= {})[r.currency] = new Decimal(r.amount).toFixed(2);
    e.byCurrency[r.currency] = new Decimal(e.byCurrency[r.currency] ?? '0').plus(r.amount).toFixed(2);
    e.lines += Number(r.lines);
  }
  for (const b of benef) {
    const e = out.get(b.key);
    if (e) e.beneficiaries = Number(b.n);
  }
  return [...out.values()];
}

async function periodTotals(input: ParsedInputOf<'commissions.periodTotals'>, ctx: CallContext) {
  return postedTotals(ctx.db, input.periodKey);
}

type LineRow = {
  id: string | number;
  key: string;
  type: string;
  kind: 'line' | 'clawback';
  beneficiary_id: string | number;
  source_kind: 'order' | 'member';
  source_id: string | number;
  level: number;
  base: string;
  base_currency: string;
  rate: string | null;
  amount: string;
  currency: string;
  created_at: Date | string;
};
const LINE_COLUMNS = sql`l.id, p.key, l.type::text as type, l.kind::text as kind, l.beneficiary_id, l.source_kind::text as source_kind, l.source_id, l.level,
  l.base::text as base, l.base_currency, l.rate::text as rate, l.amount::text as amount, l.currency, l.created_at`;

function lineOf(r: LineRow) {
  return {
    id: Number(r.id),
    periodKey: r.key,
    type: r.type as 'directo',
    kind: r.kind,
    beneficiaryId: Number(r.beneficiary_id),
    sourceKind: r.source_kind,
    sourceId: Number(r.source_id),
    level: Number(r.level),
    base: r.base,
    baseCurrency: r.base_currency.trim(),
    rate: r.rate === null ? null : new Decimal(r.rate).toFixed(),
    amount: r.amount,
    currency: r.currency.trim(),
    createdAt: new Date(r.created_at).toISOString(),
  };
}

async function memberLines(input: ParsedInputOf<'commissions.memberLines'>, ctx: CallContext) {
  const filter = sql`l.beneficiary_id = ${input.memberId} and l.status = 'posted' ${input.periodKey ? sql`and p.key = ${input.periodKey}` : sql``}`;
  const offset = (input.page - 1) * input.pageSize;
  const [rows, count] = await Promise.all([
    ctx.db.execute<LineRow>(sql`select ${LINE_COLUMNS} from commission_lines l join periods p on p.id = l.period_id
      where ${filter} order by p.key desc, l.id desc limit ${input.pageSize} offset ${offset}`),
    ctx.db.execute<{ n: string | number }>(sql`select count(*) as n from commission_lines l join periods p on p.id = l.period_id where ${filter}`),
  ]);
  // Member-sourced lines name their source by code: one lookup for the page's few source ids.
  const sourceIds = [...new Set(rows.filter((r) => r.source_kind === 'member').map((r) => Number(r.source_id)))];
  const codes = sourceIds.length
    ? new Map(
        (
          await ctx.db.execute<{ id: string | number; code: string }>(
            sql`select id, code from members where id = any(${sql.raw(`array[${sourceIds.join(',')}]::bigint[]`)})`,
          )
        ).map((m) => [Number(m.id), m.code]),
      )
    : new Map<number, string>();
  return {
    rows: rows.map((r) => ({ ...lineOf(r), sourceCode: r.source_kind === 'member' ? (codes.get(Number(r.source_id)) ?? null) : null })),
    total: Number(count[0]?.n ?? 0),
    page: input.page,
    pageSize: input.pageSize,
  };
}

type Figures = {
  byType: Record<string, Record<string, string>>;
  byCurrency: Record<string, string>;
  byCountry: { country: string; currency: string; amount: string; beneficiaries: number }[];
};

/** The engine run of the open period (the close's own inputs, load and engine): nothing is written. */
async function computePreview(ctx: CallContext) {
  const t0 = performance.now();
  const period = await openPeriod(ctx.db);
  if (!period) throw AppError.of('NOT_FOUND', 'period.noneOpen');
  const { plan, rates } = await checkCommissionInputs(ctx.db, period);
  const loaded = await loadPeriod(ctx.db, period, plan, rates);
  const result = runEngine(loaded.input);
  const totals = totalsOf(result, loaded.input.members, rates, 10);
  const ids = totals.top.map((t) => t.member);
  const names = ids.length
    ? await ctx.db.execute<{ id: string | number; code: string; first_name: string; last_name: string }>(
        sql`select id, code, first_name, last_name from members where id = any(${sql.raw(`array[${ids.map((i) => Number(i)).join(',')}]::bigint[]`)})`,
      )
    : [];
  const byId = new Map(names.map((n) => [Number(n.id), n]));
  const prevRow = await previousPeriodRow(ctx.db, period);
  const prev: { periodKey: string; byType: Record<string, Record<string, string>>; byCurrency: Record<string, string>; beneficiaries: number } | null = prevRow
    ? ((await postedTotals(ctx.db, prevRow.key))[0] ?? { periodKey: prevRow.key, byType: {}, byCurrency: {}, beneficiaries: 0 })
    : null;
  const differenceByCurrency: Record<string, string> = {};
  for (const c of new Set([...Object.keys(totals.byCurrency), ...Object.keys(prev?.byCurrency ?? {})])) {
    differenceByCurrency[c] = new Decimal(totals.byCurrency[c] ?? '0').minus(prev?.byCurrency[c] ?? '0').toFixed(2);
  }
  const byType: Record<string, Record<string, string>> = {};
  for (const [t, v] of Object.entries(totals.byType)) if (Object.keys(v).length) byType[t] = v;
  const byCountry = Object.entries(totals.byCountry)
    .map(([country, e]) => ({ country, currency: e.currency, amount: e.amount, beneficiaries: e.beneficiaries }))
    .sort((a, b) => a.country.localeCompare(b.country));
  return {
    period,
    rates,
    periodKey: period.key,
    computedAt: ctx.now().toISOString(),
    byType,
    byCurrency: totals.byCurrency,
    byCountry,
    lines: totals.lines,
    beneficiaries: totals.beneficiaries,
    top: totals.top.map((t) => {
      const m = byId.get(t.member);
      return { memberId: t.member, code: m?.code ?? String(t.member), name: m ? `${m.first_name} ${m.last_name}` : '', currency: t.currency, amount: t.amount };
    }),
    previous: prev ? { periodKey: prev.periodKey, byType: prev.byType, byCurrency: prev.byCurrency, beneficiaries: prev.beneficiaries } : null,
    differenceByCurrency,
    ms: Math.round(performance.now() - t0),
  };
}
type Computed = Awaited<ReturnType<typeof computePreview>>;

type PreviewRow = {
  id: number;
  key: string;
  at: Date | string;
  staff_name: string | null;
  totals: Figures & { top?: unknown; rates?: unknown };
  ms: number;
  lines: number;
  beneficiaries: number;
};
const PREVIEW_COLUMNS = sql`v.id, p.key, v.at, s.display_name as staff_name, v.totals, v.ms, v.lines, v.beneficiaries`;
function storedOf(r: PreviewRow) {
  return {
    id: Number(r.id),
    periodKey: r.key,
    at: new Date(r.at).toISOString(),
    staffName: r.staff_name ?? null,
    byType: r.totals?.byType ?? {},
    byCurrency: r.totals?.byCurrency ?? {},
    byCountry: r.totals?.byCountry ?? [],
    lines: Number(r.lines),
    beneficiaries: Number(r.beneficiaries),
    ms: Number(r.ms),
  };
}

/** a − b per type and currency (every key of either side). */
function minusByType(a: Record<string, Record<string, string>>, b: Record<string, Record<string, string>>) {
  const out: Record<string, Record<string, string>> = {};
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[t] ?? {};
    const y = b[t] ?? {};
    out[t] = {};
    for (const c of new Set([...Object.keys(x), ...Object.keys(y)])) out[t]![c] = new Decimal(x[c] ?? '0').minus(y[c] ?? '0').toFixed(2);
  }
  return out;
}
function minusByCurrency(a: Record<string, string>, b: Record<string, string>) {
  const out: Record<string, string> = {};
  for (const c of new Set([...Object.keys(a), ...Object.keys(b)])) out[c] = new Decimal(a[c] ?? '0').minus(b[c] ?? '0').toFixed(2);
  return out;
}

/** The preview's only write: its row in commission_previews (+ the audit row), in one small transaction. */
const storePreview = mutator(async (p: Computed, ctx: MutationContext) => {
  const [prevRow] = await ctx.tx
    .execute<PreviewRow>(sql`select ${PREVIEW_COLUMNS} from commission_previews v join periods p on p.id = v.period_id left join staff s on s.id = v.staff_id
    where v.period_id = ${p.period.id} order by v.id desc limit 1`);
  const totals = { byType: p.byType, byCurrency: p.byCurrency, byCountry: p.byCountry, top: p.top, rates: p.rates };
  const [row] = await ctx.tx.execute<{ id: number }>(sql`insert into commission_previews (period_id, at, staff_id, totals, ms, lines, beneficiaries)
    values (${p.period.id}, ${p.computedAt}::timestamptz, ${ctx.staff?.id ?? null}, ${JSON.stringify(totals)}::jsonb, ${p.ms}, ${p.lines}, ${p.beneficiaries}) returning id`);
  const id = Number(row!.id);
  await ctx.audit({
    entity: 'commission_preview',
    entityId: id,
    after: { periodKey: p.periodKey, lines: p.lines, beneficiaries: p.beneficiaries, byCurrency: p.byCurrency, ms: p.ms },
  });
  const previousPreview = prevRow ? storedOf(prevRow) : null;
  const { period: _period, rates: _rates, ...out } = p;
  return {
    id,
    ...out,
    previousPreview,
    differenceFromPreviousPreview: previousPreview
      ? {
          byType: minusByType(p.byType, previousPreview.byType),
          byCurrency: minusByCurrency(p.byCurrency, previousPreview.byCurrency),
          lines: p.lines - previousPreview.lines,
          beneficiaries: p.beneficiaries - previousPreview.beneficiaries,
        }
      : null,
  };
});

/** Computes outside any transaction, then stores the figures (a mutation: it writes its own row). */
const preview = Object.assign(async (_: ParsedInputOf<'commissions.preview'>, ctx: CallContext) => storePreview(await computePreview(ctx), ctx), {
  kind: 'mutation' as const,
});

async function periodOrThrow(db: DbOrTx, key: string): Promise<PeriodRow> {
  const p = await periodByKey(db, key);
  if (!p) throw AppError.of('NOT_FOUND', 'period.notFound', { period: key }, { periodKey: key });
  return p;
}

async function previews(input: ParsedInputOf<'commissions.previews'>, ctx: CallContext) {
  const period = input.periodKey ? await periodOrThrow(ctx.db, input.periodKey) : await openPeriod(ctx.db);
  if (!period) return { periodKey: null, rows: [] };
  const rows = await ctx.db
    .execute<PreviewRow>(sql`select ${PREVIEW_COLUMNS} from commission_previews v join periods p on p.id = v.period_id left join staff s on s.id = v.staff_id
    where v.period_id = ${period.id} order by v.id desc limit ${input.limit}`);
  return { periodKey: period.key, rows: rows.map(storedOf) };
}

async function countryTotals(input: ParsedInputOf<'commissions.countryTotals'>, ctx: CallContext) {
  const period = await periodOrThrow(ctx.db, input.periodKey);
  const rows = await ctx.db.execute<{ country: string; currency: string; amount: string; n: number }>(sql`
    select m.country, trim(l.currency) as currency, sum(l.amount)::text as amount, count(distinct l.beneficiary_id)::int as n
    from commission_lines l join members m on m.id = l.beneficiary_id
    where l.period_id = ${period.id} and l.status = 'posted' group by m.country, l.currency order by m.country, currency`);
  return {
    periodKey: period.key,
    status: period.status,
    rows: rows.map((r) => ({ country: r.country.trim(), currency: r.currency, amount: new Decimal(r.amount).toFixed(2), beneficiaries: Number(r.n) })),
  };
}

type PeriodLineRow = LineRow & { code: string; country: string; fx_from: string; fx_to: string };

/**
 * A page of a period's posted lines in id order. The first page finds the period's id range and the
 * count; later pages scan the primary key from `after` to `upTo` only (a period's lines are written
 * together, so that range holds little else).
 */
async function periodLines(input: ParsedInputOf<'commissions.periodLines'>, ctx: CallContext) {
  const period = await periodOrThrow(ctx.db, input.periodKey);
  const filters = sql`l.period_id = ${period.id} and l.status = 'posted'
    ${input.type ? sql`and l.type = ${input.type}` : sql``}
    ${input.currency ? sql`and l.currency = ${input.currency}` : sql``}
    ${input.country ? sql`and l.beneficiary_id in (select id from members where country = ${input.country})` : sql``}`;
  let after = input.after ?? null;
  let upTo = input.upTo ?? null;
  let total: number | null = null;
  if (after === null) {
    const [b] = await ctx.db.execute<{ lo: string | null; hi: string | null; n: number }>(
      sql`select min(l.id)::text as lo, max(l.id)::text as hi, count(*)::int as n from commission_lines l where ${filters}`,
    );
    total = Number(b?.n ?? 0);
    if (!b?.lo) return { periodKey: period.key, rows: [], nextAfter: null, upTo: null, total };
    after = Number(b.lo) - 1;
    upTo = Number(b.hi);
  }
  const rows = await ctx.db.execute<PeriodLineRow>(sql`select ${LINE_COLUMNS}, m.code, m.country, l.fx_from::text as fx_from, l.fx_to::text as fx_to
    from commission_lines l join periods p on p.id = l.period_id join members m on m.id = l.beneficiary_id
    where ${filters} and l.id > ${after} ${upTo !== null ? sql`and l.id <= ${upTo}` : sql``}
    order by l.id limit ${input.limit}`);
  const last = rows.at(-1);
  return {
    periodKey: period.key,
    rows: rows.map((r) => ({
      ...lineOf(r),
      beneficiaryCode: r.code,
      country: r.country.trim(),
      fxFrom: new Decimal(r.fx_from).toFixed(),
      fxTo: new Decimal(r.fx_to).toFixed(),
    })),
    nextAfter: rows.length === input.limit && last ? Number(last.id) : null,
    upTo,
    total,
  };
}

async function why(input: ParsedInputOf<'commissions.why'>, ctx: CallContext) {
  const [o] = await ctx.db.execute<{
    id: string | number;
    member_id: string | number;
    status: string;
    pv: string;
    vn: string;
    currency: string;
    period_key: string | null;
    period_id: number | null;
    code: string;
    first_name: string;
    last_name: string;
    path: string;
  }>(sql`
    select o.id, o.member_id, o.status::text as status, o.pv::text as pv, o.vn::text as vn, o.currency, p.key as period_key, p.id as period_id,
      m.code, m.first_name, m.last_name, mp.path
    from orders o join members m on m.id = o.member_id join member_paths mp on mp.member_id = m.id
    left join periods p on p.id = o.period_id where o.id = ${input.orderId}`);
  if (!o) throw AppError.of('NOT_FOUND', 'order.notFound', {}, { orderId: input.orderId });
  const ancestors = o.path.split('/').filter(Boolean).map(Number).slice(0, -1).reverse();
  const plan = o.period_key ? (await planInForce(ctx.db, o.period_key)).figures : null;
  const depthOf = new Map((plan?.ranks ?? []).map((r) => [r.rank, r.uninivelDepth]));
  const ups = ancestors.length
    ? await ctx.db
        .select({
          id: members.id,
          code: members.code,
          first_name: members.firstName,
          last_name: members.lastName,
          rank: sql<number>`coalesce(${memberVolumes.paidAsRank}, 0)::int`,
          pv: sql<string>`coalesce(${memberVolumes.pv}, 0)::text`,
          pvg: sql<string>`coalesce(${memberVolumes.pvg}, 0)::text`,
        })
        .from(members)
        .leftJoin(memberVolumes, and(eq(memberVolumes.memberId, members.id), eq(memberVolumes.periodId, o.period_id ?? -1)))
        .where(inArray(members.id, ancestors))
    : [];
  const upById = new Map(ups.map((u) => [Number(u.id), u]));
  const lines = await ctx.db.execute<
    LineRow & { b_code: string; b_first: string; b_last: string }
  >(sql`select ${LINE_COLUMNS}, b.code as b_code, b.first_name as b_first, b.last_name as b_last
    from commission_lines l join periods p on p.id = l.period_id join members b on b.id = l.beneficiary_id
    where l.source_kind = 'order' and l.source_id = ${input.orderId} and l.status = 'posted' order by l.type, l.level, l.id`);
  return {
    orderId: Number(o.id),
    buyer: { id: Number(o.member_id), code: o.code, name: `${o.first_name} ${o.last_name}` },
    periodKey: o.period_key,
    status: o.status,
    pv: new Decimal(o.pv).toFixed(2),
    vn: new Decimal(o.vn).toFixed(2),
    currency: o.currency.trim(),
    uplines: ancestors.map((id, i) => {
      const u = upById.get(id);
      const rank = Number(u?.rank ?? 0);
      const opens = depthOf.get(rank) ?? 0;
      return {
        level: i + 1,
        memberId: id,
        code: u?.code ?? String(id),
        name: u ? `${u.first_name} ${u.last_name}` : '',
        paidAsRank: rank,
        pv: new Decimal(u?.pv ?? 0).toFixed(2),
        pvg: new Decimal(u?.pvg ?? 0).toFixed(2),
        opensLevels: opens,
        opensThisLevel: opens >= i + 1,
      };
    }),
    lines: lines.map((l) => ({ ...lineOf(l), beneficiaryCode: l.b_code, beneficiaryName: `${l.b_first} ${l.b_last}` })),
  };
}

export const commissionsHandlers = {
  'commissions.periodTotals': reader(periodTotals),
  'commissions.memberLines': reader(memberLines),
  'commissions.preview': preview,
  'commissions.previews': reader(previews),
  'commissions.countryTotals': reader(countryTotals),
  'commissions.periodLines': reader(periodLines),
  'commissions.why': reader(why),
  'commissions.exportPeriodLines': exportPeriodLines,
  ...programmesHandlers,
};
