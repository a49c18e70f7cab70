/** CSV files for finance: the filtered queue, and the bank-transfer batch. */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { formatInstant } from '../../../shared/format';
import { flagsOfMask } from '../../domain/withdrawals';
import { orderOf, whereOf, type QueueFilters, type QueueInput } from './queue';
import type { DestinationSnapshot } from './destinations';

export const EXPORT_CAP = 50_000;

/** RFC 4180 field; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
export function csvField(v: unknown): string {
  let s = v == null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (fields: unknown[]) => fields.map(csvField).join(',');

export async function exportQueue(db: DbOrTx, f: QueueFilters & Pick<QueueInput, 'sort' | 'dir'>, now: Date) {
  const rows = await db.execute<Record<string, unknown>>(sql`
    select w.id, w.requested_at, m.code, m.first_name, m.last_name, w.country, w.currency, w.amount, w.fee, w.net, w.status, w.source, w.risk_mask,
           ap.username as approved_by, w.approved_at, w.paid_at, w.payout_method, w.stripe_transfer_id, w.payout_reference,
           w.rejection_reason, w.failure_reason
      from withdrawals w join members m on m.id = w.member_id left join staff ap on ap.id = w.approved_by
     where ${whereOf(f)} order by ${orderOf(f.sort, f.dir)} limit ${EXPORT_CAP + 1}`);
  const truncated = rows.length > EXPORT_CAP;
  const lines = [
    csvLine([
      'id',
      'solicitado_utc',
      'solicitado_cdmx',
      'codigo_miembro',
      'miembro',
      'pais',
      'moneda',
      'importe',
      'comision',
      'neto',
      'estado',
      'origen',
      'riesgos',
      'aprobado_por',
      'aprobado_utc',
      'pagado_utc',
      'metodo_pago',
      'transferencia_stripe',
      'referencia_pago',
      'motivo_rechazo',
      'motivo_fallo',
    ]),
  ];
  const iso = (v: unknown) => (v == null ? '' : (v instanceof Date ? v : new Date(String(v))).toISOString());
  for (const r of rows.slice(0, EXPORT_CAP)) {
    lines.push(
      csvLine([
        r.id,
        iso(r.requested_at),
        formatInstant(iso(r.requested_at)),
        r.code,
        `${r.first_name} ${r.last_name}`,
        r.country,
        r.currency,
        r.amount,
        r.fee,
        r.net,
        r.status,
        r.source,
        flagsOfMask(Number(r.risk_mask)).join(' '),
        r.approved_by,
        iso(r.approved_at),
        iso(r.paid_at),
        r.payout_method,
        r.stripe_transfer_id,
        r.payout_reference,
        r.rejection_reason,
        r.failure_reason,
      ]),
    );
  }
  const stamp = now.toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return { fileName: `retiros-${stamp}.csv`, csv: `${lines.join('\r\n')}\r\n`, rows: Math.min(rows.length, EXPORT_CAP), truncated };
}

/** The bank file's columns, in order (documented in docs/bank-file.md). */
export const BANK_FILE_COLUMNS = [
  'lote',
  'folio',
  'referencia',
  'codigo_miembro',
  'pais',
  'moneda',
  'importe_neto',
  'titular',
  'id_fiscal',
  'banco_clave',
  'banco',
  'tipo_cuenta',
  'clabe',
  'ruta_aba',
  'cuenta',
] as const;

const ACCOUNT_TYPE_ES: Record<string, string> = { checking: 'corriente', savings: 'ahorros' };

/**
 * The bank file: one line per withdrawal of the batch, the net amount in the member's currency,
 * paid to the destination copied onto the withdrawal when it was approved (never the member's
 * current one: a change after approval does not redirect money already approved).
 * Mexico: `clabe` (18 digits, SPEI); United States: `ruta_aba` + `cuenta`; Colombia and the
 * Dominican Republic: `banco` + `tipo_cuenta` + `cuenta`. createBankBatch refuses a withdrawal
 * without a destination, so every line here has one.
 */
export async function bankFileCsv(db: DbOrTx, batchId: string) {
  const rows = await db.execute<Record<string, unknown>>(sql`
    select w.id, m.code, w.country, w.currency, w.net, w.payout_destination
      from withdrawals w join members m on m.id = w.member_id where w.bank_batch_id = ${batchId}::uuid order by w.currency, w.id`);
  const lines = [csvLine([...BANK_FILE_COLUMNS])];
  for (const r of rows) {
    const d = (r.payout_destination ?? {}) as Partial<DestinationSnapshot>;
    const mx = d.country === 'MX';
    lines.push(
      csvLine([
        batchId,
        r.id,
        `NNP-RET-${r.id}`,
        r.code,
        String(r.country).trim(),
        String(r.currency).trim(),
        r.net,
        d.holderName,
        d.taxId,
        d.bankCode,
        d.bankName,
        d.accountType ? ACCOUNT_TYPE_ES[d.accountType] : '',
        mx ? d.accountNumber : '',
        d.routingNumber,
        mx ? '' : d.accountNumber,
      ]),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
