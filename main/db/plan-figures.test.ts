/**
 * Issue 16: the database judges a plan's figures as the app does. nnp_plan_problems (drizzle/0059)
 * is what the plan_versions trigger runs when a staff login publishes; it must accept exactly what
 * checkPlan (main/domain/plan.ts) accepts — on hand-made faults, one per rule, on valid variants the
 * app accepts, and on a few hundred random changes of the first plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/db';
import { checkPlan, PLAN_V1 } from '../domain/plan';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Plan = { [k: string]: Json };

let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  db = await freshDatabase({ max: 2 });
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const copy = (): Plan => structuredClone(PLAN_V1) as unknown as Plan;
/** The value at a path of the copy (arrays and objects alike). */
const at = (p: Plan, ...path: (string | number)[]): any => path.reduce<any>((v, k) => v[k], p);

function appAccepts(figures: unknown): boolean {
  try {
    return checkPlan(figures).ok;
  } catch {
    return false; // a refinement that throws on a value of the wrong type: refused all the same
  }
}

async function databaseProblems(figures: unknown): Promise<string[] | 'error'> {
  try {
    const [r] = await db.sql<{ p: string[] }[]>`select nnp_plan_problems(${JSON.stringify(figures)}::jsonb) as p`;
    return r!.p;
  } catch {
    return 'error';
  }
}

const faults: [string, (p: Plan) => void][] = [
  ['a rank missing', (p) => at(p, 'ranks').pop()],
  ['rank 0 listed', (p) => at(p, 'ranks').push({ rank: 0, pv: '0', pvg: '0', uninivelDepth: 0 })],
  ['a rank twice', (p) => (at(p, 'ranks', 1).rank = 1)],
  ['PVG not rising', (p) => (at(p, 'ranks', 2).pvg = at(p, 'ranks', 1).pvg)],
  ['PV falling', (p) => (at(p, 'ranks', 3).pv = '1000')],
  ['uninivel depth falling', (p) => (at(p, 'ranks', 4).uninivelDepth = 5)],
  ['more levels than the table', (p) => (at(p, 'ranks', 7).uninivelDepth = 10)],
  ['PVG below PV', (p) => (at(p, 'ranks', 0).pvg = '1000')],
  ['Infinito for a rank without every level', (p) => at(p, 'uninivel', 'infinite').push({ rank: 4, rate: '0.01' })],
  ['Infinito rank twice', (p) => (at(p, 'uninivel', 'infinite', 1).rank = 5)],
  ['a gap in the uninivel levels', (p) => (at(p, 'uninivel', 'levels', 3).level = 12)],
  ['no rapido level', (p) => (at(p, 'rapido').levels = [])],
  ['a rate above 1', (p) => (at(p, 'directo').rate = '1.5')],
  ['a negative rate', (p) => (at(p, 'directo').rate = '-0.1')],
  ['a rate as a number', (p) => (at(p, 'directo').rate = 0.25)],
  ['an amount with three decimals', (p) => (at(p, 'alcance', 0, 'amounts').MXN = '1500.005')],
  ['amounts without MXN', (p) => delete at(p, 'alcance', 0, 'amounts').MXN],
  ['amounts in an unknown currency', (p) => (at(p, 'alcance', 0, 'amounts').EUR = '10')],
  ['a USD amount of null', (p) => (at(p, 'alcance', 0, 'amounts').USD = null)],
  ['alcance for rank 0', (p) => (at(p, 'alcance', 0).rank = 0)],
  ['alcance rank twice', (p) => (at(p, 'alcance', 1).rank = 2)],
  ['alcance days negative', (p) => (at(p, 'alcance', 0).maxDaysEnrolledBeforePeriodEnd = -1)],
  ['a gap in a matching table', (p) => (at(p, 'matching', 3, 'levels', 1).level = 3)],
  ['matching rank twice', (p) => (at(p, 'matching', 1).rank = 5)],
  ['Automóvil from rank 0', (p) => (at(p, 'automovil').minRank = 0)],
  ['Automóvil over 25 periods', (p) => (at(p, 'automovil').consecutivePeriods = 25)],
  ['gift points not a multiple of the month', (p) => (at(p, 'loyalty').pointsPerMonth = 30)],
  ['loyalty until the 29th', (p) => (at(p, 'loyalty').lastDayOfMonth = 29)],
  ['no gift', (p) => (at(p, 'loyalty').gifts = [])],
  ['a gift without a name', (p) => (at(p, 'loyalty').gifts[0] = '')],
  ['travel target 0', (p) => (at(p, 'travel').targetPoints = '0')],
  ['travel points for an unknown kit', (p) => (at(p, 'travel', 'kitPoints', 0).sku = 'NOPE')],
  ['travel points for a kit twice', (p) => (at(p, 'travel', 'kitPoints', 1).sku = 'FULL-SUPPLEMENT')],
  ['travel points for rank 0', (p) => (at(p, 'travel', 'ownRankPoints', 0).rank = 0)],
  ['recruit points for a rank twice', (p) => (at(p, 'travel', 'recruitRankPoints', 1).rank = at(p, 'travel', 'recruitRankPoints', 0).rank)],
  ['no DOP withdrawal rule', (p) => at(p, 'withdrawals', 'byCurrency').pop()],
  ['a withdrawal rule in EUR', (p) => (at(p, 'withdrawals', 'byCurrency', 0).currency = 'EUR')],
  ['a withdrawal rule twice', (p) => (at(p, 'withdrawals', 'byCurrency', 1).currency = 'MXN')],
  ['no kit', (p) => (p.kits = [])],
  ['a kit twice', (p) => (at(p, 'kits', 1).sku = at(p, 'kits', 0).sku)],
  ['a kit without PV', (p) => (at(p, 'kits', 0).pv = '0')],
  ['a key no kit has', (p) => (at(p, 'kits', 0).colour = 'red')],
  ['a section no plan has', (p) => (p.extra = {})],
  ['a section missing', (p) => delete p.cashback],
  ['a section of null', (p) => (p.travel = null)],
  ['a rank as a string', (p) => (at(p, 'ranks', 0).rank = '1')],
  ['a rank of 1.5', (p) => (at(p, 'ranks', 0).rank = 1.5)],
  ['an unsafe integer', (p) => (at(p, 'loyalty').pointsPerMonth = 2 ** 53)],
];

const variants: [string, (p: Plan) => void][] = [
  ['the first plan as it is', () => {}],
  ['ranks listed in another order', (p) => (at(p, 'ranks') as Json[]).reverse()],
  ['kits in another order', (p) => (at(p, 'kits') as Json[]).reverse()],
  ['a negative zero rate', (p) => (at(p, 'directo').rate = '-0')],
  ['a rate with many decimals', (p) => (at(p, 'directo').rate = '0.2500000001')],
  ['amounts in MXN only', (p) => (at(p, 'alcance', 1).amounts = { MXN: '3000' })],
  [
    'no Infinito, no alcance, no matching',
    (p) => {
      Object.assign(p, { alcance: [], matching: [] });
      at(p, 'uninivel').infinite = [];
    },
  ],
  [
    'a shorter uninivel table, the top ranks opening all of it',
    (p) => {
      at(p, 'uninivel').levels = at(p, 'uninivel', 'levels').slice(0, 8);
      for (const i of [4, 5, 6, 7]) at(p, 'ranks', i).uninivelDepth = 8;
    },
  ],
];

describe('nnp_plan_problems (drizzle/0059) and checkPlan', () => {
  it('refuse every hand-made fault, each', async () => {
    for (const [name, fault] of faults) {
      const p = copy();
      fault(p);
      expect({ name, app: appAccepts(p) }).toEqual({ name, app: false });
      const problems = await databaseProblems(p);
      expect({ name, refused: problems === 'error' || problems.length > 0 }).toEqual({ name, refused: true });
    }
  });

  it('accept what the app accepts', async () => {
    for (const [name, variant] of variants) {
      const p = copy();
      variant(p);
      expect({ name, app: appAccepts(p), database: await databaseProblems(p) }).toEqual({ name, app: true, database: [] });
    }
  });

  it('give the same answer on random changes of the first plan', async () => {
    // A small deterministic generator (mulberry32): the same 400 plans on every run.
    let s = 0x5eed_0059;
    const random = () => {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const values: Json[] = [
      '0',
      '1',
      '-1',
      '-0',
      '0.5',
      '1.005',
      '1465',
      '99999999',
      '',
      'x',
      'FULL-SKIN',
      0,
      1,
      -1,
      2.5,
      3,
      8,
      9,
      24,
      25,
      28,
      29,
      null,
      true,
      [],
      {},
    ];
    const paths = (v: Json, path: (string | number)[] = []): (string | number)[][] =>
      v !== null && typeof v === 'object'
        ? [path, ...(Array.isArray(v) ? v.flatMap((x, i) => paths(x, [...path, i])) : Object.entries(v).flatMap(([k, x]) => paths(x, [...path, k])))]
        : [path];
    const all = paths(copy()).filter((p) => p.length > 0);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const p = copy();
      for (let changes = 1 + Math.floor(random() * 2); changes > 0; changes--) {
        const path = pick(all);
        const parent = at(p, ...path.slice(0, -1));
        const key = path[path.length - 1]!;
        if (parent === null || typeof parent !== 'object' || !(key in parent)) continue; // gone with an earlier change
        const how = random();
        if (how < 0.15) {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
        } else if (how < 0.25 && Array.isArray(parent)) {
          parent.push(structuredClone(parent[Number(key)]));
        } else {
          parent[key] = structuredClone(pick(values));
        }
      }
      const app = appAccepts(p);
      const problems = await databaseProblems(p);
      const database = problems !== 'error' && problems.length === 0;
      expect({ plan: p, database }).toEqual({ plan: p, database: app });
      if (app) accepted++;
      else refused++;
    }
    // Both answers were exercised, not one of them only.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(100);
  });
});
