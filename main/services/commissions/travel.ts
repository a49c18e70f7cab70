/**
 * NN Travels as the close sees it: the campaign in force in a period (travel_campaigns), the
 * multiplier of that period (the campaign's × the promotion covering the period, if any), the
 * campaign's target (the cap), and the reset of the carried points when a campaign starts
 * (points belong to one campaign: a new campaign starts every member at 0).
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { affected } from '../../db/rows';
import { Decimal } from '../../domain/money';

export interface TravelPromotion {
  fromPeriod: string;
  toPeriod: string;
  multiplier: string;
  label?: string;
}

export interface CampaignInForce {
  id: number;
  from: string;
  to: string;
  /** Multiplier of this period: campaign × promotion (exact decimal text). */
  multiplier: string;
  /** The cap of the campaign's points (exact decimal text). */
  target: string;
  /** The promotion covering the period, if any. */
  promotion: TravelPromotion | null;
  /** This period is the campaign's first: carried points start at 0. */
  starts: boolean;
}

/** The promotion of a campaign covering a period (promotions never overlap; the first wins). */
export function promotionFor(promotions: readonly TravelPromotion[], periodKey: string): TravelPromotion | null {
  return promotions.find((p) => p.fromPeriod <= periodKey && periodKey <= p.toPeriod) ?? null;
}

/** The active campaign covering the period (the newest, though saving refuses overlapping ones). */
export async function campaignInForce(db: DbOrTx, periodKey: string): Promise<CampaignInForce | null> {
  const [c] = await db.execute<{
    id: number;
    from_period: string;
    to_period: string;
    multiplier: string;
    target: string;
    promotions: TravelPromotion[] | null;
  }>(sql`
    select id, from_period, to_period, multiplier::text as multiplier, target::text as target, promotions from travel_campaigns
    where active and from_period <= ${periodKey} and to_period >= ${periodKey} order by id desc limit 1`);
  if (!c) return null;
  const promotion = promotionFor(Array.isArray(c.promotions) ? c.promotions : [], periodKey);
  const multiplier = new Decimal(c.multiplier).times(promotion ? promotion.multiplier : '1');
  return {
    id: c.id,
    from: c.from_period,
    to: c.to_period,
    multiplier: multiplier.toFixed(),
    target: new Decimal(c.target).toFixed(),
    promotion,
    starts: c.from_period === periodKey,
  };
}

/**
 * Inside the close's transaction, before the load: at a campaign's first period, the points carried
 * in member_programs (an earlier campaign's) go back to 0. Returns the rows reset.
 */
export async function resetTravelPointsAtCampaignStart(tx: DbOrTx, periodKey: string): Promise<number> {
  const c = await campaignInForce(tx, periodKey);
  if (!c?.starts) return 0;
  return affected(tx, sql`update member_programs set travel_points = 0 where travel_points <> 0`);
}
