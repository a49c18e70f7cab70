/**
 * Programme screens' procedures (shared/contract/programmes.ts): Cashback entitlements, Lealtad
 * points and gifts (with "mark shipped"), NN Travels campaigns (admin create/edit) and ranking.
 * The close writes the programme tables (run.ts writePrograms); these read them, and the two
 * mutators change only a gift's shipping state or a campaign row, each with its audit row.
 */
import { and, eq, gte, lte, ne, sql } from 'drizzle-orm';
import { travelCampaigns } from '../../db/schema';
import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import type { DbOrTx } from '../../db/client';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';
import { openPeriod } from '../periods/lookup';

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const member = (r: { member_id: string | number; code: string; first_name: string; last_name: string; country: string }) => ({
  memberId: Number(r.member_id),
  code: r.code,
  name: `${r.first_name} ${r.last_name}`,
  country: r.country.trim(),
});
const num = (v: string | number | null | undefined) => Number(v ?? 0);

async function cashbackPeriods(_: ParsedInputOf<'programmes.cashbackPeriods'>, ctx: CallContext) {
  const rows = await ctx.db.execute<{ key: string; issued: number; used: number; expired: number; open: number }>(sql`
    select p.key, count(*)::int as issued, count(*) filter (where c.status = 'used')::int as used,
      count(*) filter (where c.status = 'expired')::int as expired, count(*) filter (where c.status = 'issued')::int as open
    from cashback_entitlements c join periods p on p.id = c.period_id group by p.key order by p.key desc`);
  return rows.map((r) => ({ periodKey: r.key, issued: num(r.issued), used: num(r.used), expired: num(r.expired), open: num(r.open) }));
}

type CashbackRow = {
  id: number;
  key: string;
  member_id: number;
  code: string;
  first_name: string;
  last_name: string;
  country: string;
  status: 'issued' | 'used' | 'expired';
  rate: string;
  issued_at: Date;
  used_order_id: number | null;
  used_at: Date | null;
  expired_at: Date | null;
};

async function cashbackList(input: ParsedInputOf<'programmes.cashbackList'>, ctx: CallContext) {
  const where = sql`true ${input.periodKey ? sql`and p.key = ${input.periodKey}` : sql``} ${input.status ? sql`and c.status = ${input.status}` : sql``}
    ${input.memberId ? sql`and c.member_id = ${input.memberId}` : sql``}`;
  const [rows, count] = await Promise.all([
    ctx.db
      .execute<CashbackRow>(sql`select c.id, p.key, c.member_id, m.code, m.first_name, m.last_name, m.country, c.status::text as status, c.discount_rate::text as rate,
        c.issued_at, c.used_order_id, c.used_at, c.expired_at
      from cashback_entitlements c join periods p on p.id = c.period_id join members m on m.id = c.member_id
      where ${where} order by p.key desc, c.member_id limit ${input.pageSize} offset ${(input.page - 1) * input.pageSize}`),
    ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from cashback_entitlements c join periods p on p.id = c.period_id where ${where}`),
  ]);
  return {
    rows: rows.map((r) => ({
      id: num(r.id),
      periodKey: r.key,
      ...member(r),
      status: r.status,
      discountRate: new Decimal(r.rate).toFixed(),
      issuedAt: iso(r.issued_at)!,
      usedOrderId: r.used_order_id === null ? null : num(r.used_order_id),
      usedAt: iso(r.used_at),
      expiredAt: iso(r.expired_at),
    })),
    total: num(count[0]?.n),
    page: input.page,
    pageSize: input.pageSize,
  };
}

type LoyaltyRow = {
  member_id: number;
  code: string;
  first_name: string;
  last_name: string;
  country: string;
  points: number;
  key: string | null;
  updated_at: Date;
};

async function loyaltyMembers(input: ParsedInputOf<'programmes.loyaltyMembers'>, ctx: CallContext) {
  const where = sql`mp.loyalty_points >= ${input.minPoints} ${input.memberId ? sql`and mp.member_id = ${input.memberId}` : sql``}`;
  const [rows, count, byPoints] = await Promise.all([
    ctx.db.execute<LoyaltyRow>(sql`select mp.member_id, m.code, m.first_name, m.last_name, m.country, mp.loyalty_points as points, p.key, mp.updated_at
      from member_programs mp join members m on m.id = mp.member_id left join periods p on p.id = mp.period_id
      where ${where} order by mp.loyalty_points desc, mp.member_id limit ${input.pageSize} offset ${(input.page - 1) * input.pageSize}`),
    ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from member_programs mp where ${where}`),
    ctx.db.execute<{ points: number; n: number }>(
      sql`select loyalty_points as points, count(*)::int as n from member_programs where loyalty_points > 0 group by 1 order by 1`,
    ),
  ]);
  return {
    rows: rows.map((r) => ({ ...member(r), points: num(r.points), periodKey: r.key, updatedAt: iso(r.updated_at)! })),
    total: num(count[0]?.n),
    page: input.page,
    pageSize: input.pageSize,
    byPoints: byPoints.map((r) => ({ points: num(r.points), members: num(r.n) })),
  };
}

type GiftRow = {
  id: number;
  member_id: number;
  code: string;
  first_name: string;
  last_name: string;
  country: string;
  key: string;
  status: 'to_ship' | 'shipped';
  choice: string | null;
  created_at: Date;
  shipped_at: Date | null;
};
const giftOf = (r: GiftRow) => ({
  id: num(r.id),
  ...member(r),
  periodKey: r.key,
  status: r.status,
  choice: (r.choice as 'supplements' | 'serums_creams' | null) ?? null,
  createdAt: iso(r.created_at)!,
  shippedAt: iso(r.shipped_at),
});

async function gifts(input: ParsedInputOf<'programmes.gifts'>, ctx: CallContext) {
  const where = sql`true ${input.status ? sql`and g.status = ${input.status}` : sql``} ${input.periodKey ? sql`and p.key = ${input.periodKey}` : sql``}
    ${input.memberId ? sql`and g.member_id = ${input.memberId}` : sql``}`;
  const [rows, count, states] = await Promise.all([
    ctx.db
      .execute<GiftRow>(sql`select g.id, g.member_id, m.code, m.first_name, m.last_name, m.country, p.key, g.status::text as status, g.choice, g.created_at, g.shipped_at
      from loyalty_gifts g join periods p on p.id = g.period_id join members m on m.id = g.member_id
      where ${where} order by (g.status = 'shipped'), p.key, g.id limit ${input.pageSize} offset ${(input.page - 1) * input.pageSize}`),
    ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from loyalty_gifts g join periods p on p.id = g.period_id where ${where}`),
    ctx.db.execute<{ to_ship: number; shipped: number }>(
      sql`select count(*) filter (where status = 'to_ship')::int as to_ship, count(*) filter (where status = 'shipped')::int as shipped from loyalty_gifts`,
    ),
  ]);
  return {
    rows: rows.map(giftOf),
    total: num(count[0]?.n),
    page: input.page,
    pageSize: input.pageSize,
    toShip: num(states[0]?.to_ship),
    shipped: num(states[0]?.shipped),
  };
}

async function shipGift(input: ParsedInputOf<'programmes.shipGift'>, ctx: MutationContext) {
  const [g] = await ctx.tx.execute<{
    id: number;
    member_id: number;
    status: string;
    choice: string | null;
    key: string;
  }>(sql`select g.id, g.member_id, g.status::text as status, g.choice, p.key from loyalty_gifts g join periods p on p.id = g.period_id
    where g.id = ${input.giftId} for update of g`);
  if (!g) throw new AppError('NOT_FOUND', `El regalo ${input.giftId} no existe.`, { giftId: input.giftId });
  if (g.status === 'shipped') throw new AppError('CONFLICT', `El regalo ${input.giftId} ya se marcó como enviado.`, { giftId: input.giftId });
  const at = ctx.now();
  await ctx.tx.execute(
    sql`update loyalty_gifts set status = 'shipped', choice = ${input.choice}, shipped_at = ${at.toISOString()}::timestamptz where id = ${input.giftId}`,
  );
  await ctx.audit({
    entity: 'loyalty_gift',
    entityId: input.giftId,
    before: { status: g.status, choice: g.choice },
    after: { status: 'shipped', choice: input.choice, memberId: num(g.member_id), periodKey: g.key, shippedAt: at.toISOString() },
  });
  return { id: input.giftId, status: 'shipped' as const, choice: input.choice, shippedAt: at.toISOString() };
}

type CampaignRow = {
  id: number;
  name: string;
  from_period: string;
  to_period: string;
  target: string;
  multiplier: string;
  promotions: unknown;
  active: boolean;
  created_at: Date;
  created_by: string | null;
  participants: number;
  reached: number;
  last_period: string | null;
};

async function campaignRows(db: DbOrTx, id?: number): Promise<CampaignRow[]> {
  return await db.execute<CampaignRow>(sql`
    select c.id, c.name, c.from_period, c.to_period, c.target::text as target, c.multiplier::text as multiplier, c.promotions, c.active, c.created_at,
      s.display_name as created_by, coalesce(x.participants, 0)::int as participants, coalesce(x.reached, 0)::int as reached, x.last_period
    from travel_campaigns c left join staff s on s.id = c.created_by
    left join lateral (
      select count(*) as participants, count(*) filter (where t.points >= c.target) as reached, max(t.key) as last_period from (
        select distinct on (tp.member_id) tp.points, p.key from travel_points tp join periods p on p.id = tp.period_id
        where tp.campaign_id = c.id order by tp.member_id, p.key desc) t) x on true
    ${id !== undefined ? sql`where c.id = ${id}` : sql``}
    order by c.from_period desc, c.id desc`);
}

function campaignOf(r: CampaignRow, open: string | null) {
  const promos = (Array.isArray(r.promotions) ? r.promotions : []) as { fromPeriod: string; toPeriod: string; multiplier: string; label?: string }[];
  const state = open === null ? 'ended' : r.to_period < open ? 'ended' : r.from_period > open ? 'upcoming' : 'running';
  return {
    id: num(r.id),
    name: r.name,
    fromPeriod: r.from_period,
    toPeriod: r.to_period,
    target: new Decimal(r.target).toFixed(),
    multiplier: new Decimal(r.multiplier).toFixed(),
    promotions: promos.map((p) => ({
      fromPeriod: p.fromPeriod,
      toPeriod: p.toPeriod,
      multiplier: new Decimal(p.multiplier).toFixed(),
      ...(p.label ? { label: p.label } : {}),
    })),
    active: r.active,
    state: state as 'upcoming' | 'running' | 'ended',
    createdAt: iso(r.created_at)!,
    createdBy: r.created_by ?? null,
    participants: num(r.participants),
    reachedTarget: num(r.reached),
    lastPeriod: r.last_period ?? null,
  };
}

async function campaigns(_: ParsedInputOf<'programmes.campaigns'>, ctx: CallContext) {
  const open = (await openPeriod(ctx.db))?.key ?? null;
  return { openPeriod: open, rows: (await campaignRows(ctx.db)).map((r) => campaignOf(r, open)) };
}

/**
 * Create or edit a campaign. Rules beyond the contract's (end ≥ start, multipliers > 0, promotions
 * inside and not overlapping): a new campaign starts in the open period or later; once a period of
 * the campaign has closed, its start cannot move, its end cannot go before the open period, and the
 * promotions of closed periods cannot change (their points are already counted); active campaigns
 * may not overlap (the close reads one campaign per period).
 */
async function saveCampaign(input: ParsedInputOf<'programmes.saveCampaign'>, ctx: MutationContext) {
  const open = await openPeriod(ctx.tx, 'share');
  if (!open) throw new AppError('CONFLICT', 'No hay un periodo abierto: no se pueden programar campañas.');
  const promotions = [...input.promotions]
    .sort((a, b) => (a.fromPeriod < b.fromPeriod ? -1 : 1))
    .map((p) => ({ fromPeriod: p.fromPeriod, toPeriod: p.toPeriod, multiplier: new Decimal(p.multiplier).toFixed(), ...(p.label ? { label: p.label } : {}) }));
  let before: ReturnType<typeof campaignOf> | null = null;
  if (input.id !== undefined) {
    const [row] = await ctx.tx.execute<{ id: number }>(sql`select id from travel_campaigns where id = ${input.id} for update`);
    if (!row) throw new AppError('NOT_FOUND', `La campaña ${input.id} no existe.`, { id: input.id });
    before = campaignOf((await campaignRows(ctx.tx, input.id))[0]!, open.key);
    const started = before.fromPeriod < open.key;
    if (started) {
      if (input.fromPeriod !== before.fromPeriod)
        throw new AppError('VALIDATION', `La campaña ya empezó (${before.fromPeriod}): su periodo inicial no puede cambiar.`, { field: 'fromPeriod' });
      if (input.toPeriod < open.key)
        throw new AppError('VALIDATION', `El periodo final no puede ser anterior al periodo abierto (${open.key}).`, { field: 'toPeriod' });
      const closedPart = (ps: { fromPeriod: string; toPeriod: string; multiplier: string }[]) =>
        JSON.stringify(ps.filter((p) => p.fromPeriod < open.key).map((p) => [p.fromPeriod, p.toPeriod, new Decimal(p.multiplier).toFixed()]));
      if (closedPart(promotions) !== closedPart(before.promotions)) {
        throw new AppError('VALIDATION', 'Las promociones de periodos ya cerrados no pueden cambiar.', { field: 'promotions' });
      }
    }
  }
  if (!before || before.fromPeriod >= open.key) {
    if (input.fromPeriod < open.key)
      throw new AppError('VALIDATION', `La campaña debe empezar en el periodo abierto (${open.key}) o después.`, { field: 'fromPeriod' });
  }
  if (input.active) {
    const c = travelCampaigns;
    const [clash] = await ctx.tx
      .select({ id: c.id, name: c.name, fromPeriod: c.fromPeriod, toPeriod: c.toPeriod })
      .from(c)
      .where(
        and(eq(c.active, true), lte(c.fromPeriod, input.toPeriod), gte(c.toPeriod, input.fromPeriod), input.id !== undefined ? ne(c.id, input.id) : undefined),
      )
      .limit(1);
    if (clash) {
      throw new AppError('CONFLICT', `Se traslapa con la campaña activa «${clash.name}» (${clash.fromPeriod} a ${clash.toPeriod}).`, { campaignId: clash.id });
    }
  }
  let id: number;
  if (input.id === undefined) {
    const [row] = await ctx.tx.execute<{
      id: number;
    }>(sql`insert into travel_campaigns (name, from_period, to_period, target, promotions, active, created_by, created_at)
      values (${input.name}, ${input.fromPeriod}, ${input.toPeriod}, ${input.target}, ${JSON.stringify(promotions)}::jsonb, ${input.active}, ${ctx.staff!.id}, ${ctx.now().toISOString()}::timestamptz)
      returning id`);
    id = num(row!.id);
  } else {
    id = input.id;
    await ctx.tx
      .execute(sql`update travel_campaigns set name = ${input.name}, from_period = ${input.fromPeriod}, to_period = ${input.toPeriod}, target = ${input.target},
      promotions = ${JSON.stringify(promotions)}::jsonb, active = ${input.active} where id = ${id}`);
  }
  const after = campaignOf((await campaignRows(ctx.tx, id))[0]!, open.key);
  const pick = (c: typeof after) => ({
    name: c.name,
    fromPeriod: c.fromPeriod,
    toPeriod: c.toPeriod,
    target: c.target,
    promotions: c.promotions,
    active: c.active,
  });
  await ctx.audit({ entity: 'travel_campaign', entityId: id, before: before ? pick(before) : null, after: pick(after) });
  return after;
}

type RankingRow = { member_id: number; points: string; key: string; code: string; first_name: string; last_name: string; country: string };

async function campaignRanking(input: ParsedInputOf<'programmes.campaignRanking'>, ctx: CallContext) {
  const [c] = await ctx.db.execute<{ id: number; name: string; target: string }>(
    sql`select id, name, target::text as target from travel_campaigns where id = ${input.campaignId}`,
  );
  if (!c) throw new AppError('NOT_FOUND', `La campaña ${input.campaignId} no existe.`, { campaignId: input.campaignId });
  const offset = (input.page - 1) * input.pageSize;
  // Each member's points after its latest closed period of the campaign (cumulative), capped at the target.
  const latest = sql`select distinct on (tp.member_id) tp.member_id, least(tp.points, ${c.target}::numeric) as points, p.key
    from travel_points tp join periods p on p.id = tp.period_id where tp.campaign_id = ${c.id} order by tp.member_id, p.key desc`;
  const [rows, count] = await Promise.all([
    ctx.db.execute<RankingRow>(sql`select t.member_id, t.points::text as points, t.key, m.code, m.first_name, m.last_name, m.country
      from (${latest}) t join members m on m.id = t.member_id where t.points > 0
      order by t.points desc, t.member_id limit ${input.pageSize} offset ${offset}`),
    ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from (${latest}) t where t.points > 0`),
  ]);
  const target = new Decimal(c.target);
  return {
    campaign: { id: num(c.id), name: c.name, target: target.toFixed() },
    rows: rows.map((r, i) => ({
      position: offset + i + 1,
      ...member(r),
      points: new Decimal(r.points).toFixed(),
      reached: new Decimal(r.points).gte(target),
      periodKey: r.key,
    })),
    total: num(count[0]?.n),
    page: input.page,
    pageSize: input.pageSize,
  };
}

export const programmesHandlers = {
  'programmes.cashbackPeriods': reader(cashbackPeriods),
  'programmes.cashbackList': reader(cashbackList),
  'programmes.loyaltyMembers': reader(loyaltyMembers),
  'programmes.gifts': reader(gifts),
  'programmes.shipGift': mutator(shipGift),
  'programmes.campaigns': reader(campaigns),
  // On the admin's own login: the database holds the same rules (drizzle/0062, nnp_travel_campaign_rules).
  'programmes.saveCampaign': mutator(saveCampaign),
  'programmes.campaignRanking': reader(campaignRanking),
};
