/**
 * Genealogy and member-lookup metrics (issue 3): children page, downline size + PVG, search, move.
 * Each is measured on the cached figures the screens use and, in the same run, answered the naive
 * way (recursive CTE over sponsor ids, or a sequential scan for the search) as the baseline.
 */
import { searchMembers, pathUpperBound } from '../../../services/members/search';
import { moveInPeriod } from '../../../services/genealogy/move';
import { openPeriod } from '../../../services/periods/lookup';
import { recomputePeriod } from '../../../services/volumes/recompute';
import { currentPlan } from '../../../services/plan/current';
import { sql as dsql } from 'drizzle-orm';
import type { BenchContext, Metric, MetricResult } from '../types';
import { processCpuMs, round, sample, shuffle, slowestOf, timeOnce } from '../timing';

const SAMPLES = 60;
const BASELINE_SAMPLES = 8;
/** A naive query that runs longer is stopped and counted at this duration (noted). */
const BASELINE_TIMEOUT_MS = 60_000;

interface Prepared {
  periodId: number;
  startsAt: Date;
  root: number;
}
let prepared: Prepared | null = null;

/**
 * The open period and its member_volumes. When the volumes engine has not run on this bench
 * database yet, its set-based recompute (main/services/volumes) fills them, with the period's
 * aggregates, exactly as the app does.
 */
async function prepare(ctx: BenchContext): Promise<Prepared> {
  if (prepared) return prepared;
  const sql = ctx.sql;
  const period = await openPeriod(ctx.db);
  if (!period) throw new Error('no open period in the bench database');
  const [root] = await sql<{ id: string }[]>`select id from members where sponsor_id is null order by downline_size desc limit 1`;
  const [has] = await sql`select 1 from member_volumes where period_id = ${period.id} limit 1`;
  const [stats] = await sql`select 1 from period_stats where period_id = ${period.id}`;
  if (!has || !stats) {
    ctx.log('member_volumes del periodo abierto sin calcular: recompute del motor de volúmenes…');
    const t = await timeOnce(() =>
      ctx.db.transaction(async (tx) => {
        await recomputePeriod(tx, period, await currentPlan(tx, period.startsAt));
      }),
    );
    await sql`analyze member_volumes`;
    ctx.log(`member_volumes calculado en ${(t / 1000).toFixed(1)} s`);
  }
  prepared = { periodId: period.id, startsAt: period.startsAt, root: Number(root!.id) };
  return prepared;
}

/** Random members, plus the root and the members with the most recruits and the largest downlines. */
async function sampleMembers(ctx: BenchContext, n: number, opts: { withChildren?: boolean } = {}) {
  const sql = ctx.sql;
  const { root } = await prepare(ctx);
  const [hubs, big] = await Promise.all([
    sql<
      { id: string; n: number }[]
    >`select sponsor_id as id, count(*)::int as n from members where sponsor_id is not null group by sponsor_id order by 2 desc limit 5`,
    sql<{ id: string }[]>`select id from members order by downline_size desc limit 6`,
  ]);
  const [mx] = await sql<{ max: string }[]>`select max(id) as max from members`;
  const max = mx!.max;
  const picked = new Set<number>([root, ...hubs.map((h) => Number(h.id)), ...big.map((b) => Number(b.id))]);
  const maxId = Number(max);
  let guard = 0;
  while (picked.size < n && guard++ < n * 50) {
    const id = 1 + Math.floor(ctx.random() * maxId);
    if (opts.withChildren) {
      const [c] = await sql`select 1 from members where id = ${id} and downline_size > 0`;
      if (!c) continue;
    }
    picked.add(id);
  }
  return [...picked];
}

async function withTimeout<T>(ctx: BenchContext, fn: (sql: BenchContext['sql']) => Promise<T>): Promise<{ ms: number; timedOut: boolean }> {
  const t0 = performance.now();
  try {
    await ctx.sql.begin(async (tx) => {
      await tx.unsafe(`set local statement_timeout = ${BASELINE_TIMEOUT_MS}`);
      await fn(tx as unknown as BenchContext['sql']);
    });
    return { ms: performance.now() - t0, timedOut: false };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '57014') return { ms: BASELINE_TIMEOUT_MS, timedOut: true };
    // A naive write measured and then undone: its time up to the rollback.
    if (code === 'ROLLBACK') return { ms: performance.now() - t0, timedOut: false };
    throw e;
  }
}

async function baselineSamples<T>(ctx: BenchContext, inputs: T[], fn: (sql: BenchContext['sql'], input: T) => Promise<unknown>) {
  const times: number[] = [];
  let timeouts = 0;
  for (const input of inputs) {
    const r = await withTimeout(ctx, (sql) => fn(sql, input) as Promise<unknown>);
    times.push(r.ms);
    if (r.timedOut) timeouts++;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length, Math.ceil(0.95 * sorted.length)) - 1]!;
  return { p95: round(p95), samples: times.length, timeouts };
}

// ---------------------------------------------------------------------------------------------

const CHILDREN_PAGE = 100;

const childrenQuery = (sql: BenchContext['sql'], periodId: number, memberId: number, page: number) => sql`
  select m.id, m.code, m.first_name, m.last_name, m.country, m.status, p.depth, m.career_rank, m.downline_size,
    coalesce(v.pv, 0) as pv, coalesce(v.pvg, 0) as pvg, coalesce(v.paid_as_rank, 0) as paid_as_rank
  from members m join member_paths p on p.member_id = m.id
  left join member_volumes v on v.period_id = ${periodId} and v.member_id = m.id
  where m.sponsor_id = ${memberId} order by m.id limit ${CHILDREN_PAGE} offset ${(page - 1) * CHILDREN_PAGE}`;

const children: Metric = {
  name: 'genealogy.children',
  budget: { p95_ms: 10 },
  async run(ctx): Promise<MetricResult> {
    const { periodId } = await prepare(ctx);
    const ids = await sampleMembers(ctx, SAMPLES, { withChildren: true });
    // Each sample: a random page of the member's children (the last page of the hubs included).
    const inputs: { id: number; page: number }[] = [];
    for (const id of ids) {
      const [c] = await ctx.sql<{ n: number }[]>`select count(*)::int as n from members where sponsor_id = ${id}`;
      const n = c!.n;
      const pages = Math.max(1, Math.ceil(n / CHILDREN_PAGE));
      inputs.push({ id, page: inputs.length % 3 === 0 ? pages : 1 + Math.floor(ctx.random() * pages) });
    }
    const ours = await sample(inputs, ({ id, page }) =>
      Promise.all([childrenQuery(ctx.sql, periodId, id, page), ctx.sql`select count(*)::int from members where sponsor_id = ${id}`]),
    );
    // Naive: the same page, downline size and PVG of each child by a recursive CTE over sponsor ids.
    const base = await baselineSamples(
      ctx,
      inputs.slice(0, BASELINE_SAMPLES),
      (sql, { id, page }) => sql`
      with recursive kids as (
        select id from members where sponsor_id = ${id} order by id limit ${CHILDREN_PAGE} offset ${(page - 1) * CHILDREN_PAGE}
      ), d(top, id) as (
        select id, id from kids
        union all
        select d.top, m.id from members m join d on m.sponsor_id = d.id
      )
      select d.top, count(*) - 1 as downline, coalesce(sum(v.pv), 0) as pvg
      from d left join member_volumes v on v.period_id = ${periodId} and v.member_id = d.id
      group by d.top`,
    );
    return {
      p50_ms: ours.p50_ms,
      p95_ms: ours.p95_ms,
      samples: ours.samples,
      baseline_p95_ms: base.p95,
      notes: `pages of ${CHILDREN_PAGE} (+ the children count) at ${ours.samples} members: root, the 5 biggest sponsors (last pages included), the 6 largest downlines, random members with recruits; max ${ours.max_ms} ms. Baseline: ${base.samples} samples of the same pages with downline size and PVG by recursive CTE${base.timeouts ? `, ${base.timeouts} stopped at ${BASELINE_TIMEOUT_MS} ms` : ''}.`,
    };
  },
};

const downline: Metric = {
  name: 'genealogy.downline',
  budget: { p95_ms: 10 },
  async run(ctx): Promise<MetricResult> {
    const { periodId } = await prepare(ctx);
    const ids = await sampleMembers(ctx, SAMPLES);
    const ours = await sample(
      ids,
      (id) => ctx.sql`
      select m.downline_size, coalesce(v.pvg, 0) as pvg from members m
      left join member_volumes v on v.period_id = ${periodId} and v.member_id = m.id where m.id = ${id}`,
    );
    // For information: the same figures computed live from the path index (no cache), fewer samples.
    const live = await sample(
      ids.slice(0, 12),
      async (id) => {
        const [m] = await ctx.sql<{ path: string }[]>`select path from member_paths where member_id = ${id}`;
        return ctx.sql`select count(*) - 1 as downline, coalesce(sum(v.pv), 0) as pvg from member_paths p
        left join member_volumes v on v.period_id = ${periodId} and v.member_id = p.member_id
        where p.path >= ${m!.path} and p.path < ${pathUpperBound(m!.path)}`;
      },
      1,
    );
    const base = await baselineSamples(
      ctx,
      ids.slice(0, BASELINE_SAMPLES),
      (sql, id) => sql`
      with recursive d(id) as (select ${id}::bigint union all select m.id from members m join d on m.sponsor_id = d.id)
      select count(*) - 1 as downline, coalesce(sum(v.pv), 0) as pvg from d
      left join member_volumes v on v.period_id = ${periodId} and v.member_id = d.id`,
    );
    return {
      p50_ms: ours.p50_ms,
      p95_ms: ours.p95_ms,
      samples: ours.samples,
      baseline_p95_ms: base.p95,
      notes: `cached figures (members.downline_size, member_volumes.pvg) at root, largest downlines and random members; live path-range aggregation instead: p50 ${live.p50_ms} ms, p95 ${live.p95_ms} ms (${live.samples} samples incl. root). Baseline: recursive CTE, ${base.samples} samples${base.timeouts ? `, ${base.timeouts} stopped at ${BASELINE_TIMEOUT_MS} ms` : ''}.`,
    };
  },
};

// ---------------------------------------------------------------------------------------------

/** Queries a support agent types: partial accented names, full names, codes, e-mails, phones in any format. */
async function searchQueries(ctx: BenchContext, n: number): Promise<string[]> {
  const sql = ctx.sql;
  const [mx] = await sql<{ max: string }[]>`select max(id) as max from members`;
  const max = mx!.max;
  const ids = Array.from({ length: n }, () => 1 + Math.floor(ctx.random() * Number(max)));
  const rows = await sql<{ code: string; first_name: string; last_name: string; email: string | null; phone: string | null }[]>`
    select code, first_name, last_name, email, phone from members where id = any(${ids}::bigint[])`;
  const out: string[] = [];
  rows.forEach((r, i) => {
    const first = r.first_name.split(' ')[0]!;
    const last = r.last_name.split(' ');
    const kind = i % 8;
    if (kind === 0)
      out.push(`${first} ${last[0]!.slice(0, 4)}`); // "José Pér"
    else if (kind === 1)
      out.push(
        `${first} ${r.last_name}`
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '')
          .toLowerCase(),
      ); // "jose perez garcia"
    else if (kind === 2) out.push(`${first.slice(0, 3)} ${last[0]!.slice(0, 3)} ${(last[1] ?? last[0]!).slice(0, 3)}`.toUpperCase());
    else if (kind === 3)
      out.push(i % 16 === 3 ? r.code.toLowerCase() : String(Number(r.code.slice(2)))); // "nn0001494" or "1494"
    else if (kind === 4 && r.email) out.push(r.email);
    else if (kind === 5 && r.email) out.push(r.email.split('@')[0]!.slice(0, 8));
    else if (kind === 6 && r.phone) out.push(r.phone);
    else if (kind === 7 && r.phone)
      out.push(
        r.phone
          .replace(/\D/g, '')
          .slice(-7)
          .replace(/(\d{3})(\d{4})/, '$1-$2'),
      );
    else out.push(`${first} ${last[last.length - 1]}`);
  });
  return out;
}

const search: Metric = {
  name: 'members.search',
  budget: { p95_ms: 25 },
  async run(ctx): Promise<MetricResult> {
    await prepare(ctx);
    const queries = shuffle(
      [...(await searchQueries(ctx, SAMPLES)), 'maría', 'garcía', 'josé hernández', 'nn0000001', 'NN1494', 'gmail', '@gmail.com', 'outlook', 'hotmail.com'],
      ctx.random,
    );
    const hits: number[] = [];
    const ours = await sample(queries, async (q) => {
      const r = await searchMembers(ctx.sql, { q, page: 1, pageSize: 20 });
      hits.push(r.total);
    });
    const slowest = slowestOf(ours.times, queries, 3);
    // Naive: the same questions with ILIKE over unaccented expressions, no index to help.
    const base = await baselineSamples(ctx, queries.slice(0, BASELINE_SAMPLES), (sql, q) => {
      const like = `%${q
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[%_\\]/g, '')}%`;
      const digits = `%${q.replace(/\D/g, '') || 'x'}%`;
      return sql`
        select id, code, first_name, last_name from members
        where unaccent(lower(first_name || ' ' || last_name)) like ${like} or lower(email) like ${like} or lower(code) like ${like}
          or regexp_replace(coalesce(phone, ''), '\\D', '', 'g') like ${digits}
        order by last_name, first_name limit 20`;
    });
    const found = hits.filter((h) => h > 0).length;
    return {
      p50_ms: ours.p50_ms,
      p95_ms: ours.p95_ms,
      samples: ours.samples,
      baseline_p95_ms: base.p95,
      notes: `${ours.samples} queries (partial accented names, full names, codes, e-mails and prefixes, phones in several formats, and very common names); ${found} found something; first page of 20, ranked, with total; slowest: ${slowest}. Baseline: unaccent+ILIKE sequential scan, ${base.samples} samples${base.timeouts ? `, ${base.timeouts} stopped at ${BASELINE_TIMEOUT_MS} ms` : ''}.`,
    };
  },
};

// ---------------------------------------------------------------------------------------------

class Rollback extends Error {}

/** Runs of the move (each rolled back, then vacuumed); the reported figure is their median. */
const MOVE_RUNS = 3;

const move: Metric = {
  name: 'genealogy.move',
  budget: { ms: 1000 },
  async run(ctx): Promise<MetricResult> {
    const { periodId, startsAt } = await prepare(ctx);
    const sql = ctx.sql;
    const target = Math.min(100_000, Math.floor(ctx.members / 10));
    const [m] = await sql<{ id: string; path: string; downline_size: number }[]>`
      select m.id, p.path, m.downline_size from members m join member_paths p on p.member_id = m.id
      where m.sponsor_id is not null order by abs(m.downline_size + 1 - ${target}), m.id limit 1`;
    const member = Number(m!.id);
    // The new sponsor: a shallow member outside the subtree, in another leg.
    const [s] = await sql<{ id: string }[]>`
      select member_id as id from member_paths where depth between 1 and 3 and not (path >= ${m!.path} and path < ${pathUpperBound(m!.path)})
        and member_id <> (select sponsor_id from members where id = ${member}) order by member_id limit 1`;
    const sponsor = Number(s!.id);
    ctx.log(`mover ${member} (${m!.downline_size + 1} miembros) bajo ${sponsor}`);
    let moved = 0;
    let pvg = '0';
    // The real move inside a transaction that is rolled back (the bench data stay as generated),
    // MOVE_RUNS times with the dead row versions vacuumed away in between; the figure is the median.
    // Each run also reports the CPU time of the PostgreSQL backend that did the work (the wall time
    // on this shared machine depends on how much of a core the backend gets).
    const runs: { ms: number; cpuMs: number }[] = [];
    for (let i = 0; i < MOVE_RUNS; i++) {
      let cpuMs = 0;
      const ms = await timeOnce(async () => {
        try {
          await ctx.db.transaction(async (tx) => {
            const [b] = (await tx.execute(dsql`select pg_backend_pid() as pid`)) as unknown as { pid: number }[];
            const c0 = processCpuMs(b!.pid) ?? 0;
            const r = await moveInPeriod(tx, member, sponsor, { id: periodId, startsAt });
            cpuMs = (processCpuMs(b!.pid) ?? 0) - c0;
            moved = r.movedMembers;
            pvg = r.subtreePvg;
            throw new Rollback();
          });
        } catch (e) {
          if (!(e instanceof Rollback)) throw e;
        }
      });
      runs.push({ ms: round(ms), cpuMs });
      ctx.log(`genealogy.move ${i + 1}/${MOVE_RUNS}: ${Math.round(ms)} ms (CPU del backend ${cpuMs} ms)`);
      await sql`vacuum analyze member_paths`;
      await sql`vacuum analyze members`;
    }
    const median = <T>(xs: T[], key: (x: T) => number) => [...xs].map(key).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ours = median(runs, (r) => r.ms);
    const oursCpu = median(runs, (r) => r.cpuMs);
    // Naive: recompute the subtree's paths and depths with a recursive CTE from sponsor ids, then
    // each ancestor's downline count by another recursive walk; rolled back too.
    const [sp] = await sql<{ path: string; depth: number }[]>`select path, depth from member_paths where member_id = ${sponsor}`;
    const base = await withTimeout(ctx, async (tx) => {
      await tx`update members set sponsor_id = ${sponsor} where id = ${member}`;
      await tx`
        with recursive sub(id, path, depth) as (
          select ${member}::bigint, (${sp!.path}::text || ${member}::text || '/') collate "C", ${sp!.depth + 1}::int
          union all
          select c.id, (sub.path || c.id::text || '/') collate "C", sub.depth + 1 from members c join sub on c.sponsor_id = sub.id
        )
        update member_paths set path = sub.path, depth = sub.depth from sub where member_paths.member_id = sub.id`;
      await tx`
        with recursive anc(id) as (
          select sponsor_id from members where id = ${member}
          union all select m.sponsor_id from members m join anc on m.id = anc.id where m.sponsor_id is not null
        ), old_anc(id) as (select unnest(string_to_array(rtrim(${m!.path}, '/'), '/'))::bigint)
        update members set downline_size = (
          with recursive d(id) as (select members.id union all select c.id from members c join d on c.sponsor_id = d.id)
          select count(*) - 1 from d)
        where id in (select id from anc union select id from old_anc where id <> ${member})`;
      throw Object.assign(new Error('rollback'), { code: 'ROLLBACK' });
    });
    // The rolled-back rows are dead tuples: clean them so later metrics see the table as generated.
    await sql`vacuum analyze member_paths`;
    await sql`vacuum analyze members`;
    return {
      ms: round(ours),
      baseline_ms: round(base.ms),
      notes:
        `median of ${MOVE_RUNS} runs: ${runs.map((r) => `${r.ms} ms (backend CPU ${r.cpuMs} ms)`).join(', ')}; backend CPU median ${oursCpu} ms. ` +
        `Moved member ${member} with ${moved} members (target ${target}) under ${sponsor}: path and depth of the subtree (member_paths), downline_size of old and new ancestors, and the subtree's PVG (${pvg}) out of the old and into the new ancestors' member_volumes with ranks re-evaluated, in one transaction rolled back afterwards. Baseline: paths and depths by recursive CTE from sponsor ids and ancestors' downline counts by recursive walks, rolled back${base.timedOut ? `; stopped at ${BASELINE_TIMEOUT_MS} ms` : ''}.`,
    };
  },
};

export const genealogyMetrics: Metric[] = [children, downline, search, move];
