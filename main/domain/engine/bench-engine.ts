/**
 * Micro-benchmark of the fast period engine on a synthetic network.
 *
 *   npx tsx main/domain/engine/bench-engine.ts [members=1000000] [orders=1500000] [runs=3] [--hints] [--rows]
 *
 * --hints: members/orders/history carry sponsorIndex/memberIndex (as a bulk loader could).
 * --rows: also time building every row object (CommissionLine etc.) from the columns.
 *
 * Generates the input (not timed), then times runPeriodEngine (wall and CPU ms) and prints a
 * summary. Deterministic (seeded PRNG).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { periodBounds } from '../period';
import { PLAN_V1 } from '../plan';
import { runPeriodEngine } from './engine';
import { LINE_TYPE_BY_CODE } from './tables';
import type { EngineHistoryRow, EngineInput, EngineMember, EngineOrder } from './types';
import type { Country, Currency } from '../money';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let lastDepthStats = { max: 0, mean: 0 };

/**
 * A synthetic period. With `hints`, members, orders and history rows carry the positions a bulk
 * loader would know (sponsorIndex, memberIndex).
 */
export function syntheticInput(memberCount: number, orderCount: number, seed = 42, hints = false): EngineInput {
  const rnd = mulberry32(seed);
  const period = '2026-11';
  const { startsAt, endsAt } = periodBounds(period);
  const start = startsAt.getTime();
  const span = endsAt.getTime() - start;
  const countries: Country[] = ['MX', 'MX', 'MX', 'MX', 'MX', 'MX', 'MX', 'US', 'US', 'CO', 'CO', 'DO'];
  const currencyOf: Record<Country, Currency> = { MX: 'MXN', US: 'USD', CO: 'COP', DO: 'DOP' };
  const vnPerPv: Record<Currency, number> = { MXN: 1, USD: 0.055, COP: 230, DOP: 3.2 };

  const members: EngineMember[] = new Array<EngineMember>(memberCount);
  const country: Country[] = new Array<Country>(memberCount);
  const depth = new Int32Array(memberCount);
  for (let i = 0; i < memberCount; i++) {
    // Half the members join under a uniformly random earlier member, half under one from the
    // later half: a bushy top and sponsor lines a few dozen levels deep.
    let sponsor: number | null = null;
    if (i > 0) sponsor = rnd() < 0.5 ? Math.floor(rnd() * i) : Math.floor(i / 2 + rnd() * (i - i / 2));
    depth[i] = sponsor === null ? 0 : depth[sponsor]! + 1;
    const c = countries[Math.floor(rnd() * countries.length)]!;
    country[i] = c;
    members[i] = {
      id: `M${i + 1}`,
      sponsorId: sponsor === null ? null : `M${sponsor + 1}`,
      ...(hints && sponsor !== null ? { sponsorIndex: sponsor } : {}),
      country: c,
      enrolledAt: new Date(start - Math.floor(rnd() * 400) * 86_400_000),
      careerRank: Math.floor(rnd() * rnd() * 9),
      carDownPaymentPaid: rnd() < 0.3,
      loyaltyPoints: 25 * Math.floor(rnd() * 4),
      travelPoints: String(Math.floor(rnd() * 150)),
    };
  }
  const history: EngineHistoryRow[] = [];
  for (let i = 0; i < memberCount; i++) {
    if (rnd() < 0.6) {
      const row = { member: `M${i + 1}`, period: '2026-10', pv: '1465', paidAsRank: Math.floor(rnd() * rnd() * 9) };
      history.push(hints ? { ...row, memberIndex: i } : row);
    }
  }
  const pvs = [293, 586, 879, 1465, 2930];
  const kits = [
    ['FULL-SUPPLEMENT', 1670],
    ['FULL-SKIN', 2180],
    ['FULL-PROTECT', 4860],
  ] as const;
  const orders: EngineOrder[] = new Array<EngineOrder>(orderCount);
  for (let k = 0; k < orderCount; k++) {
    const b = Math.floor(rnd() * memberCount);
    const cur = currencyOf[country[b]!];
    const paidAt = new Date(start + Math.floor(rnd() * span));
    if (rnd() < 0.1) {
      const [sku, pv] = kits[Math.floor(rnd() * 3)]!;
      orders[k] = { id: `O${k + 1}`, member: `M${b + 1}`, kind: 'kit', sku, pv: String(pv), vn: '0', currency: cur, paidAt };
      if (hints) orders[k] = { ...orders[k]!, memberIndex: b };
    } else {
      const pv = pvs[Math.floor(rnd() * pvs.length)]!;
      const cents = Math.round(pv * vnPerPv[cur] * (90 + rnd() * 20));
      const vn = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      orders[k] = { id: `O${k + 1}`, member: `M${b + 1}`, kind: 'product', pv: String(pv), vn, currency: cur, paidAt };
      if (hints) orders[k] = { ...orders[k]!, memberIndex: b };
    }
  }
  let maxDepth = 0;
  let sumDepth = 0;
  for (let i = 0; i < memberCount; i++) {
    maxDepth = Math.max(maxDepth, depth[i]!);
    sumDepth += depth[i]!;
  }
  lastDepthStats = { max: maxDepth, mean: sumDepth / Math.max(1, memberCount) };
  return {
    period,
    plan: PLAN_V1,
    rates: { MXN: '1', USD: '18.50', COP: '0.0046', DOP: '0.31' },
    travelCampaign: { from: '2026-09', to: '2027-02', multiplier: '1.5' },
    members,
    history,
    orders,
  };
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const hints = args.includes('--hints');
  const [m = '1000000', o = '1500000', r = '3'] = args.filter((a) => !a.startsWith('--'));
  const memberCount = Number(m);
  const orderCount = Number(o);
  const runs = Number(r);
  let t = performance.now();
  const input = syntheticInput(memberCount, orderCount, 42, hints);
  process.stdout.write(
    `generated ${memberCount} members (sponsor-line depth mean ${lastDepthStats.mean.toFixed(1)}, max ${lastDepthStats.max}), ` +
      `${orderCount} orders in ${Math.round(performance.now() - t)} ms${hints ? ' (with index hints)' : ''}\n`,
  );
  let gcMs = 0;
  let gcCount = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcCount++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < runs; i++) {
    gcMs = 0;
    gcCount = 0;
    const cpu0 = process.cpuUsage();
    t = performance.now();
    const timings: Record<string, number> = {};
    const out = runPeriodEngine(input, { timings, clock: cpuMs });
    const wall = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    await new Promise((r) => setTimeout(r, 0)); // deliver the GC entries of the run
    const byType: Record<string, number> = {};
    for (let k = 0; k < out.lines.length; k++) {
      const name = LINE_TYPE_BY_CODE[out.lines.type[k]!]!;
      byType[name] = (byType[name] ?? 0) + 1;
    }
    const ranks = new Array<number>(9).fill(0);
    for (let k = 0; k < out.volumes.length; k++) ranks[out.volumes.paidAsRank[k]!]!++;
    process.stdout.write(
      `run ${i + 1}: engine ${Math.round(wall)} ms wall, ${Math.round((cpu.user + cpu.system) / 1000)} ms CPU; ` +
        `${out.lines.length} lines ${JSON.stringify(byType)}; paid-as ranks ${JSON.stringify(ranks)}\n`,
    );
    process.stdout.write(
      `  GC pauses during the run: ${gcCount}, ${Math.round(gcMs)} ms\n` +
        `  phases (CPU ms): ${Object.entries(timings)
          .map(([k, v]) => `${k} ${Math.round(v)}`)
          .join(', ')}\n`,
    );
    if (i === runs - 1 && args.includes('--rows')) {
      // Building every row object (what a caller storing all lines at once would do), for scale.
      t = performance.now();
      let chars = 0;
      for (const l of out.lines) chars += l.amount.length;
      for (const v of out.volumes) chars += v.pv.length;
      for (const p of out.programs) chars += p.travelPoints.length;
      process.stdout.write(`  materializing all rows on top: ${Math.round(performance.now() - t)} ms (${chars} chars)\n`);
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) void main();
