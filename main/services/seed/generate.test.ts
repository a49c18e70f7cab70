import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, indexesOf } from '../../../test/db';
import { periodBounds, periodOf, previousPeriod } from '../../domain/period';
import { PLAN_V1 } from '../../domain/plan';
import { Rng, SeedRefusedError, seedDemoNetwork, type SeedResult } from './generate';

type TestDb = Awaited<ReturnType<typeof freshDatabase>>;

const NOW = new Date('2026-11-20T17:30:00Z');
const MEMBERS = 2000;
const PERIODS = 3;

/** One checksum per seeded table, over the columns the seed writes (ids included). */
async function checksums(db: TestDb) {
  const [row] = await db.sql<Record<string, string>[]>`
    select
      (select md5(string_agg(concat_ws('|', id, code, first_name, last_name, email, phone, phone_digits, country, status,
         sponsor_id, enrolled_at, career_rank, downline_size, created_at), E'\n' order by id)) from members) as members,
      (select md5(string_agg(concat_ws('|', member_id, path, depth), E'\n' order by member_id)) from member_paths) as paths,
      (select md5(string_agg(concat_ws('|', id, member_id, country, currency, status, total, pv, vn, kit_pv, created_at,
         payment_confirmed_at, period_id, payment_method, stripe_payment_intent_id, refunded_at), E'\n' order by id)) from orders) as orders,
      (select md5(string_agg(concat_ws('|', id, order_id, product_id, quantity, unit_price, pv, vn), E'\n' order by id)) from order_lines) as lines,
      (select md5(string_agg(concat_ws('|', id, key, starts_at, ends_at, status, opened_at, closed_at), E'\n' order by id)) from periods) as periods,
      (select md5(string_agg(concat_ws('|', p.sku, p.name, p.kind, p.pv, pp.country, pp.price, pp.vn), E'\n' order by p.sku, pp.country))
         from products p join product_prices pp on pp.product_id = p.id) as catalogue`;
  return row!;
}

const count = async (db: TestDb, query: string): Promise<number> => Number((await db.sql.unsafe(query))[0]!.n);

/** Every index of the tables the seed loads. */
const indexes = (db: TestDb) => indexesOf(db.sql, ['members', 'member_paths', 'member_search', 'orders', 'order_lines']);

describe('seedDemoNetwork', () => {
  let a: TestDb;
  let b: TestDb;
  let c: TestDb;
  let result: SeedResult;
  let migrated: Awaited<ReturnType<typeof indexes>>;
  const logs = { a: [] as string[], b: [] as string[] };

  beforeAll(async () => {
    // a: pool of 2, one transaction; b and c: pool of 4, members, orders and lines on three connections.
    [a, b, c] = await Promise.all([
      freshDatabase({ max: 2, superuser: true }),
      freshDatabase({ max: 4, superuser: true }),
      freshDatabase({ max: 4, superuser: true }),
    ]);
    migrated = await indexes(a);
    [result] = await Promise.all([
      seedDemoNetwork(a.sql, { members: MEMBERS, periods: PERIODS, seed: 42, now: NOW, log: (m) => logs.a.push(m) }),
      seedDemoNetwork(b.sql, { members: MEMBERS, periods: PERIODS, seed: 42, now: NOW, log: (m) => logs.b.push(m) }),
      seedDemoNetwork(c.sql, { members: MEMBERS, periods: PERIODS, seed: 43, now: NOW }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop(), c?.drop()]);
  });

  it('loads in one transaction with a small pool, on three connections otherwise', () => {
    expect(logs.a.join('\n')).toMatch(/una transacción, COPY FREEZE/);
    expect(logs.b.join('\n')).toMatch(/tres conexiones en paralelo \(líneas: COPY FREEZE\)/);
  });

  it('leaves every index of the loaded tables as the migrations made it (dropped for the load, built again)', async () => {
    expect(migrated.length).toBeGreaterThan(10);
    expect(await indexes(a)).toEqual(migrated);
    expect(await indexes(b)).toEqual(migrated);
    expect(logs.a.join('\n')).toMatch(/índices y estadísticas/);
    expect(logs.b.join('\n')).toMatch(/índices y estadísticas de pedidos/);
    // Statistics come with the rows (analysed inside the loading transactions).
    const [stats] = await b.sql<{ n: number }[]>`
      select count(distinct tablename)::int as n from pg_stats
       where tablename in ('members', 'member_paths', 'member_search', 'orders', 'order_lines')`;
    expect(stats?.n).toBe(5);
  });

  it('reports what it generated', async () => {
    expect(result.members).toBe(MEMBERS);
    expect(result.periods).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(result.orders).toBe(await count(a, 'select count(*) as n from orders'));
    expect(await count(a, 'select count(*) as n from members')).toBe(MEMBERS);
  });

  it('is deterministic: the same seed gives the same rows (in one transaction or on three connections), another seed other rows', async () => {
    const [sa, sb, sc] = await Promise.all([checksums(a), checksums(b), checksums(c)]);
    expect(sa).toEqual(sb);
    expect(sc.members).not.toBe(sa.members);
    expect(sc.paths).not.toBe(sa.paths);
    expect(sc.orders).not.toBe(sa.orders);
    expect(sc.lines).not.toBe(sa.lines);
    // The catalogue and the calendar depend on nothing random.
    expect(sc.catalogue).toBe(sa.catalogue);
    expect(sc.periods).toBe(sa.periods);
  });

  it('path, depth and downline_size agree with the sponsor ids (recursive CTE)', async () => {
    expect(await count(a, 'select count(*) as n from members where sponsor_id is null')).toBe(1);
    const [tree] = await a.sql<{ reached: number; wrong: number }[]>`
      with recursive t(id, path, depth) as (
        select id, (id::text || '/') collate "C", 0 from members where sponsor_id is null
        union all
        select m.id, (t.path || m.id::text || '/') collate "C", t.depth + 1 from members m join t on m.sponsor_id = t.id
      )
      select count(*)::int as reached, count(*) filter (where p.path is distinct from t.path or p.depth is distinct from t.depth)::int as wrong
      from t left join member_paths p on p.member_id = t.id`;
    expect(tree).toEqual({ reached: MEMBERS, wrong: 0 });
    // One path row per member, nothing else; written in path order (a downline is one run of heap pages).
    expect(await count(a, 'select count(*) as n from member_paths')).toBe(MEMBERS);
    expect(
      await count(
        a,
        `
      select count(*) as n from (select path, lag(path) over (order by ctid) as prev from member_paths) x where x.prev >= x.path`,
      ),
    ).toBe(0);

    const [down] = await a.sql<{ wrong: number; total: number }[]>`
      with recursive anc(ancestor, descendant) as (
        select sponsor_id, id from members where sponsor_id is not null
        union all
        select m.sponsor_id, anc.descendant from anc join members m on m.id = anc.ancestor where m.sponsor_id is not null
      ), sizes as (select ancestor as id, count(*)::int as n from anc group by ancestor)
      select count(*) filter (where m.downline_size <> coalesce(s.n, 0))::int as wrong, sum(m.downline_size)::int as total
      from members m left join sizes s using (id)`;
    expect(down!.wrong).toBe(0);
    expect(down!.total).toBeGreaterThan(MEMBERS);

    // Sponsors enrol first and have smaller ids; a child's path extends its sponsor's.
    expect(
      await count(
        a,
        `
      select count(*) as n from members m join members s on s.id = m.sponsor_id
        join member_paths mp on mp.member_id = m.id join member_paths sp on sp.member_id = s.id
      where m.enrolled_at <= s.enrolled_at or m.id <= s.id or mp.path <> sp.path || m.id::text || '/'`,
      ),
    ).toBe(0);
  });

  it('has a skewed, realistic shape', async () => {
    const [shape] = await a.sql<{ max_depth: number; max_recruits: number; leaves: number; countries: number; mx: number }[]>`
      select (select max(depth) from member_paths) as max_depth,
             (select max(n) from (select count(*)::int as n from members group by sponsor_id) r) as max_recruits,
             (select count(*)::int from members where downline_size = 0) as leaves,
             (select count(distinct country)::int from members) as countries,
             (select count(*)::int from members where country = 'MX') as mx`;
    expect(shape!.max_depth).toBeGreaterThanOrEqual(10);
    expect(shape!.max_recruits).toBeGreaterThanOrEqual(20);
    expect(shape!.leaves).toBeGreaterThan(MEMBERS / 3);
    expect(shape!.countries).toBe(4);
    expect(shape!.mx).toBeGreaterThan(MEMBERS / 2);

    const people = await a.sql<
      { code: string; first_name: string; last_name: string; email: string | null; phone: string | null; phone_digits: string | null }[]
    >`
      select code, first_name, last_name, email, phone, phone_digits from members order by id`;
    expect(people[0]!.code).toBe('NN0000001');
    for (const p of people) {
      expect(p.code).toMatch(/^NN\d{7}$/);
      if (p.phone) expect(p.phone_digits).toBe(p.phone.replace(/\D/g, ''));
      else expect(p.phone_digits).toBeNull();
      if (p.email) expect(p.email).toMatch(/^[a-z0-9._]+@[a-z.]+$/);
    }
    expect(people.filter((p) => /[áéíóúñÁÉÍÓÚÑ]/.test(p.first_name + p.last_name)).length).toBeGreaterThan(MEMBERS / 4);
    // Several ways of writing a phone number.
    const shapes = new Set(people.map((p) => p.phone?.replace(/\d/g, '9')).filter(Boolean));
    expect(shapes.size).toBeGreaterThanOrEqual(8);
    expect(people.some((p) => p.phone?.startsWith('+52 '))).toBe(true);
    expect(people.some((p) => /^\(\d{3}\) \d{3}-\d{4}$/.test(p.phone ?? ''))).toBe(true);
  });

  it('creates K periods ending with the current one, exactly one open, bounds from the period calendar', async () => {
    const rows = await a.sql<{ key: string; starts_at: Date; ends_at: Date; status: string }[]>`
      select key, starts_at, ends_at, status::text as status from periods order by starts_at`;
    expect(rows.map((r) => r.key)).toEqual([previousPeriod(previousPeriod(periodOf(NOW))), previousPeriod(periodOf(NOW)), periodOf(NOW)]);
    expect(rows.map((r) => r.status)).toEqual(['closed', 'closed', 'open']);
    for (const r of rows) {
      const bounds = periodBounds(r.key);
      expect(new Date(r.starts_at).toISOString()).toBe(bounds.startsAt.toISOString());
      expect(new Date(r.ends_at).toISOString()).toBe(bounds.endsAt.toISOString());
    }
    expect(await count(a, "select count(*) as n from periods where status = 'open'")).toBe(1);
  });

  it('puts every paid order inside its period, unpaid orders in none, nothing after now', async () => {
    const now = NOW.toISOString();
    expect(
      await count(
        a,
        `
      select count(*) as n from orders o join periods p on p.id = o.period_id
      where o.status in ('paid', 'refunded')
        and (o.payment_confirmed_at < p.starts_at or o.payment_confirmed_at >= p.ends_at or o.created_at > o.payment_confirmed_at)`,
      ),
    ).toBe(0);
    expect(await count(a, "select count(*) as n from orders where status in ('paid', 'refunded') and period_id is null")).toBe(0);
    expect(
      await count(
        a,
        `
      select count(*) as n from orders
      where status not in ('paid', 'refunded') and (period_id is not null or payment_confirmed_at is not null)`,
      ),
    ).toBe(0);
    expect(
      await count(
        a,
        `
      select count(*) as n from orders
      where created_at > '${now}' or payment_confirmed_at > '${now}' or refunded_at > '${now}'
         or (status = 'refunded') <> (refunded_at is not null) or refunded_at <= payment_confirmed_at`,
      ),
    ).toBe(0);
    expect(
      await count(
        a,
        `
      select count(*) as n from orders o join members m on m.id = o.member_id where o.created_at < m.enrolled_at`,
      ),
    ).toBe(0);
    expect(await count(a, `select count(*) as n from members where enrolled_at > '${now}'`)).toBe(0);

    // Late confirmations: created in the previous period, paid in this one.
    expect(
      await count(
        a,
        `
      select count(*) as n from orders o join periods p on p.id = o.period_id where o.created_at < p.starts_at`,
      ),
    ).toBeGreaterThan(0);
    const statuses = await a.sql<{ status: string; n: number }[]>`select status::text, count(*)::int as n from orders group by 1`;
    const by = Object.fromEntries(statuses.map((s) => [s.status, s.n]));
    expect(Object.keys(by).sort()).toEqual(['cancelled', 'failed', 'paid', 'pending', 'refunded']);
    expect(by.paid! / result.orders).toBeGreaterThan(0.9);

    // About 1.5 orders per member in the current period.
    const current = await count(
      a,
      `
      select count(*) as n from orders o where o.period_id = (select id from periods where status = 'open')
         or (o.period_id is null and o.created_at >= (select starts_at from periods where status = 'open'))`,
    );
    expect(current / MEMBERS).toBeGreaterThan(1.3);
    expect(current / MEMBERS).toBeLessThan(1.7);
  });

  it('keeps order totals equal to the sum of their lines, priced from the catalogue', async () => {
    expect(
      await count(
        a,
        `
      select count(*) as n from orders o left join (
        select l.order_id, sum(l.quantity * l.unit_price) as total, sum(l.pv) as pv, sum(l.vn) as vn,
               sum(l.pv) filter (where p.kind = 'kit') as kit_pv, count(*) as lines
        from order_lines l join products p on p.id = l.product_id group by l.order_id
      ) s on s.order_id = o.id
      where s.lines is null or o.total <> s.total or o.pv <> s.pv or o.vn <> s.vn or o.kit_pv <> coalesce(s.kit_pv, 0)`,
      ),
    ).toBe(0);
    expect(
      await count(
        a,
        `
      select count(*) as n from order_lines l join orders o on o.id = l.order_id join products p on p.id = l.product_id
      join product_prices pp on pp.product_id = l.product_id and pp.country = o.country
      where l.unit_price <> pp.price or l.pv <> p.pv * l.quantity or l.vn <> pp.vn * l.quantity`,
      ),
    ).toBe(0);
    expect(
      await count(
        a,
        `
      select count(*) as n from orders o join countries c on c.code = o.country join members m on m.id = o.member_id
      where o.currency <> c.currency or o.country <> m.country`,
      ),
    ).toBe(0);
    // Kits: PV (in pv and kit_pv), never VN; never mixed with products in one order.
    expect(await count(a, 'select count(*) as n from orders where kit_pv > 0 and (vn <> 0 or kit_pv <> pv)')).toBe(0);
    // Every member enrolled inside the window (and not in the last hours) bought exactly one kit.
    const windowStart = periodBounds(result.periods[0]!).startsAt.toISOString();
    expect(
      await count(
        a,
        `
      select count(*) as n from members m
      where m.enrolled_at >= '${windowStart}' and m.enrolled_at < timestamptz '${NOW.toISOString()}' - interval '3 days'
        and (select count(*) from orders o where o.member_id = m.id and o.kit_pv > 0 and o.status = 'paid') <> 1`,
      ),
    ).toBe(0);
  });

  it('loads the plan kits and a product catalogue with prices in the four countries', async () => {
    const kits = await a.sql<{ sku: string; pv: string; prices: Record<string, string>; vn: string }[]>`
      select p.sku, p.pv::text as pv, jsonb_object_agg(pp.country, pp.price::text) as prices, max(pp.vn)::text as vn
      from products p join product_prices pp on pp.product_id = p.id where p.kind = 'kit' group by p.sku, p.pv order by p.sku`;
    expect(kits).toHaveLength(PLAN_V1.kits.length);
    for (const k of PLAN_V1.kits) {
      const row = kits.find((r) => r.sku === k.sku)!;
      expect(Number(row.pv)).toBe(Number(k.pv));
      expect(Number(row.prices.MX)).toBe(Number(k.prices.MXN));
      expect(Number(row.prices.US)).toBe(Number(k.prices.USD));
      expect(Number(row.prices.CO)).toBe(Number(k.prices.COP));
      expect(Number(row.prices.DO)).toBeGreaterThan(0);
      expect(Number(row.vn)).toBe(0);
    }
    expect(await count(a, "select count(*) as n from products where kind = 'product'")).toBeGreaterThanOrEqual(12);
    expect(
      await count(
        a,
        `
      select count(*) as n from products p join product_prices pp on pp.product_id = p.id
      where p.kind = 'product' and (pp.vn <= 0 or pp.vn > pp.price)`,
      ),
    ).toBe(0);
    expect(await count(a, 'select count(*) as n from (select product_id from product_prices group by 1 having count(*) <> 4) x')).toBe(0);
  });

  it('moves the identity sequences past the explicit ids', async () => {
    const [seq] = await a.sql<{ members: string; orders: string; lines: string }[]>`
      select nextval(pg_get_serial_sequence('members', 'id'))::text as members,
             nextval(pg_get_serial_sequence('orders', 'id'))::text as orders,
             nextval(pg_get_serial_sequence('order_lines', 'id'))::text as lines`;
    expect(Number(seq!.members)).toBe(MEMBERS + 1);
    expect(Number(seq!.orders)).toBe(result.orders + 1);
    expect(Number(seq!.lines)).toBe((await count(a, 'select max(id) as n from order_lines')) + 1);
  });

  it('leaves the seeded members findable: triggers that must always fire still do', async () => {
    const [t] = await a.sql<{ exists: boolean }[]>`select to_regclass('member_search') is not null as exists`;
    if (!t?.exists) return;
    expect(await count(a, 'select count(*) as n from member_search')).toBe(MEMBERS);
  });

  it('refuses a database that already has members, in either mode, and changes nothing', async () => {
    const before = await checksums(b);
    await expect(seedDemoNetwork(a.sql, { members: 10, periods: 1, seed: 1, now: NOW })).rejects.toBeInstanceOf(SeedRefusedError);
    await expect(seedDemoNetwork(b.sql, { members: 10, periods: 1, seed: 1, now: NOW })).rejects.toBeInstanceOf(SeedRefusedError);
    expect(await count(a, 'select count(*) as n from members')).toBe(MEMBERS);
    expect(await checksums(b)).toEqual(before);
  });
});

describe('seedDemoNetwork on failure', () => {
  it.each([
    ['one transaction', 2],
    ['three connections', 4],
  ])('%s: a COPY that fails mid-way leaves nothing behind, and a retry then succeeds', async (_mode, pool) => {
    const db = await freshDatabase({ max: pool, superuser: true });
    try {
      // An order line squatting on id 1000 (foreign keys off to plant it): the lines COPY fails there.
      const migrated = await indexes(db);
      await db.sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`insert into order_lines (id, order_id, product_id, quantity, unit_price, pv, vn) values (1000, 999999, 1, 1, 1, 1, 1)`;
      });
      await expect(seedDemoNetwork(db.sql, { members: 3000, periods: 2, seed: 5, now: NOW })).rejects.toThrow(/duplicate key|order_lines_pkey/);
      expect(await count(db, 'select count(*) as n from members')).toBe(0);
      expect(await count(db, 'select count(*) as n from orders')).toBe(0);
      expect(await count(db, 'select count(*) as n from order_lines')).toBe(1);
      expect(await count(db, 'select count(*) as n from periods')).toBe(0);
      expect(await indexes(db)).toEqual(migrated);

      await db.sql`delete from order_lines`;
      const r = await seedDemoNetwork(db.sql, { members: 300, periods: 2, seed: 5, now: NOW });
      expect(await count(db, 'select count(*) as n from orders')).toBe(r.orders);
    } finally {
      await db.drop();
    }
  });
});

describe('Rng', () => {
  it('repeats its sequence for a seed and stream, and differs otherwise', () => {
    const draw = (seed: number, stream: string) => {
      const r = new Rng(seed, stream);
      return Array.from({ length: 8 }, () => r.u32());
    };
    expect(draw(1, 'x')).toEqual(draw(1, 'x'));
    expect(draw(1, 'x')).not.toEqual(draw(2, 'x'));
    expect(draw(1, 'x')).not.toEqual(draw(1, 'y'));
  });

  it('is roughly uniform', () => {
    const r = new Rng(7, 'uniform');
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[r.int(10)]!++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});
