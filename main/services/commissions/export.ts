/**
 * A whole period's posted lines as a CSV file written by the main process. A closed period at a
 * million members holds ~7 million lines (~1 GB of CSV): assembled in the screen it took minutes and
 * gigabytes of the renderer's memory; here the database streams it (COPY … TO STDOUT) straight into
 * a file of the exports folder (the user's Downloads), under a temporary name until complete. The
 * columns and format are the screen's CSV (PeriodExport.tsx): UTF-8 with a byte-order mark, CRLF,
 * decimal strings, exchange rates without trailing zeros, instants in UTC ISO 8601.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { copyOut } from '../../db/copy';
import { mutator } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { periodByKey } from '../periods/lookup';

type Input = ParsedInputOf<'commissions.exportPeriodLines'>;

/** The file's name: the period and the filters, as the screen named it. */
export function exportFileName(input: Pick<Input, 'periodKey' | 'type' | 'currency' | 'country'>): string {
  return `comisiones-${input.periodKey}${input.type ? `-${input.type}` : ''}${input.currency ? `-${input.currency}` : ''}${input.country ? `-${input.country}` : ''}.csv`;
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A chunk of COPY's output with LF → CRLF (COPY writes LF); answers it and its line count. */
function crlf(chunk: Buffer): [Buffer, number] {
  let n = 0;
  for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) n++;
  if (n === 0) return [chunk, 0];
  const out = Buffer.allocUnsafe(chunk.length + n);
  let o = 0;
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] === 10) out[o++] = 13;
    out[o++] = chunk[i]!;
  }
  return [out, n];
}

/** Streams a COPY … TO STDOUT into `file` with a byte-order mark and CRLF; answers its line count. */
export async function copyToFile(sql: CallContext['sql'], query: string, file: string): Promise<number> {
  const out = createWriteStream(file);
  let lines = 0;
  out.write('\uFEFF');
  // A local file takes the bytes faster than the database produces them: nothing piles up in memory.
  const failed = new Promise<never>((_, reject) => out.on('error', reject));
  failed.catch(() => {});
  await Promise.race([
    copyOut(sql, query, (chunk) => {
      const [text, n] = crlf(chunk);
      lines += n;
      out.write(text);
    }),
    failed,
  ]);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return lines;
}

/** A name not yet taken in `dir`: "x.csv", then "x (2).csv", "x (3).csv"… */
async function freeName(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let k = 1; ; k++) {
    const candidate = k === 1 ? name : `${stem} (${k})${ext}`;
    try {
      await stat(path.join(dir, candidate));
    } catch {
      return candidate;
    }
  }
}

async function writeFile(input: Input, ctx: CallContext) {
  const t0 = performance.now();
  const period = await periodByKey(ctx.db, input.periodKey);
  if (!period) throw AppError.of('NOT_FOUND', 'period.notFound', { period: input.periodKey }, { periodKey: input.periodKey });
  // The filters are validated enums (contract), quoted all the same.
  const where = [`l.period_id = ${Number(period.id)}`, `l.status = 'posted'`];
  if (input.type) where.push(`l.type = ${literal(input.type)}`);
  if (input.currency) where.push(`l.currency = ${literal(input.currency)}`);
  if (input.country) where.push(`m.country = ${literal(input.country)}`);
  // A member code a spreadsheet would run as a formula gets a leading ' (as the screen's CSV does).
  const query = `copy (
    select l.id, p.key as period, l.type, l.kind, l.beneficiary_id,
      case when m.code ~ '^[=+@\\t\\r-]' and m.code !~ '^-?[0-9]' then '''' || m.code else m.code end as beneficiary_code,
      trim(m.country) as country, l.source_kind, l.source_id, l.level, l.base, trim(l.base_currency) as base_currency,
      trim_scale(l.rate) as rate, l.amount, trim(l.currency) as currency, trim_scale(l.fx_from) as fx_from_mxn, trim_scale(l.fx_to) as fx_to_mxn,
      to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
    from commission_lines l join periods p on p.id = l.period_id join members m on m.id = l.beneficiary_id
    where ${where.join(' and ')}
    order by l.id
  ) to stdout with (format csv, header true)`;

  const dir = ctx.config.exportsDir;
  let fileName = exportFileName(input);
  let partial: string | null = null;
  let lines = 0;
  try {
    await mkdir(dir, { recursive: true });
    fileName = await freeName(dir, fileName);
    partial = path.join(dir, `.${fileName}.${process.pid}.part`);
    lines = await copyToFile(ctx.sql, query, partial);
    await rename(partial, path.join(dir, fileName));
  } catch (e) {
    if (partial) await rm(partial, { force: true });
    if (e instanceof AppError) throw e;
    throw new AppError('INTERNAL', `No se pudo guardar el archivo en ${dir}: ${(e as Error).message}`, { dir });
  }
  const file = path.join(dir, fileName);
  const bytes = (await stat(file)).size;
  return { fileName, path: file, rows: Math.max(0, lines - 1), bytes, ms: Math.round(performance.now() - t0), periodKey: period.key };
}

/** The audit row of an export (the file itself is written before, outside any transaction). */
const record = mutator(async (r: Awaited<ReturnType<typeof writeFile>> & { filters: Omit<Input, 'periodKey'> }, ctx: MutationContext) => {
  await ctx.audit({ entity: 'commission_export', entityId: r.periodKey, after: { file: r.path, rows: r.rows, bytes: r.bytes, filters: r.filters } });
  return { fileName: r.fileName, path: r.path, rows: r.rows, bytes: r.bytes, ms: r.ms };
});

export const exportPeriodLines = Object.assign(
  async (input: Input, ctx: CallContext) => {
    const { periodKey: _k, ...filters } = input;
    return record({ ...(await writeFile(input, ctx)), filters }, ctx);
  },
  { kind: 'mutation' as const },
);
