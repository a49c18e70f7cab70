/**
 * Demo payout destinations for a new installation's demo network (called by the first-run seed):
 * every third active Mexican member gets a valid CLABE (bank codes of real banks, check digit
 * computed) and an RFC of the right shape, some US / Colombian / Dominican members an account of
 * their country — so the demo bank file has accounts to carry. Deterministic; idempotent (does
 * nothing when any destination exists). One statement.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { clabeCheckDigit } from '../../domain/payout-destination';

const MX_BANKS = ['002', '012', '014', '021', '072', '127', '137'];
const LETTERS = 'ABCDEFGHIJKLMNOPRSTUVXYZ';

function clabeFor(id: number): string {
  const first17 = `${MX_BANKS[id % MX_BANKS.length]}180${String(id).padStart(11, '0')}`;
  return `${first17}${clabeCheckDigit(first17)}`;
}

function rfcFor(id: number, first: string, last: string): string {
  const up = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toUpperCase();
  const initials = (up(last) + 'XX').slice(0, 2) + (up(first) + 'X').slice(0, 1) + LETTERS[id % LETTERS.length];
  const yy = String(60 + (id % 40)).padStart(2, '0');
  const mm = String(1 + (id % 12)).padStart(2, '0');
  const dd = String(1 + (id % 28)).padStart(2, '0');
  return `${initials}${yy}${mm}${dd}${LETTERS[(id * 7) % LETTERS.length]}${LETTERS[(id * 11) % LETTERS.length]}${id % 10}`;
}

export async function seedDemoPayoutDestinations(db: DbOrTx, now: Date): Promise<number> {
  const [any] = await db.execute<{ x: number }>(sql`select 1 as x from payout_destinations limit 1`);
  if (any) return 0;
  const members = await db.execute<{ id: string; country: string; first_name: string; last_name: string }>(sql`
    select id, country, first_name, last_name from members where status = 'active' and id % 3 = 0 order by id`);
  const rows = members.map((m) => {
    const id = Number(m.id);
    const country = String(m.country).trim();
    const holder = `${m.first_name} ${m.last_name}`;
    if (country === 'MX')
      return {
        id,
        country,
        holder,
        tax: rfcFor(id, m.first_name, m.last_name),
        bankCode: null,
        bankName: null,
        type: null,
        routing: null,
        account: clabeFor(id),
      };
    const account = String(10_000_000 + id * 37);
    if (country === 'US')
      return {
        id,
        country,
        holder,
        tax: String(100_000_000 + id).slice(0, 9),
        bankCode: null,
        bankName: 'Chase',
        type: 'checking',
        routing: '021000021',
        account,
      };
    if (country === 'CO')
      return { id, country, holder, tax: String(80_000_000 + id), bankCode: null, bankName: 'Bancolombia', type: 'savings', routing: null, account };
    return {
      id,
      country,
      holder,
      tax: String(40_000_000_000 + id),
      bankCode: null,
      bankName: 'Banco Popular Dominicano',
      type: 'savings',
      routing: null,
      account,
    };
  });
  if (rows.length === 0) return 0;
  // MX bank code and name come from the CLABE (clabe-validator's bank list, as the service does).
  const { checkClabe } = await import('../../domain/payout-destination');
  for (const r of rows) {
    if (r.country !== 'MX') continue;
    const c = checkClabe(r.account);
    if (c.ok) {
      r.bankCode = c.value.bankCode as never;
      r.bankName = c.value.bankName as never;
    }
  }
  const json = JSON.stringify(rows);
  await db.execute(sql`
    insert into payout_destinations (member_id, country, holder_name, tax_id, bank_code, bank_name, account_type, routing_number, account_number, created_at)
    select (r->>'id')::bigint, r->>'country', r->>'holder', r->>'tax', r->>'bankCode', r->>'bankName', (r->>'type')::payout_account_type, r->>'routing', r->>'account',
           ${new Date(now.getTime() - 40 * 86_400_000).toISOString()}::timestamptz
      from jsonb_array_elements(${json}::jsonb) r`);
  return rows.length;
}
