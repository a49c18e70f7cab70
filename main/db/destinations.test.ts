/**
 * Issue 16: the database's copy of the payout-account rules (drizzle/0065,
 * nnp_payout_destination_problem) against the app's (main/domain/payout-destination.ts), on
 * thousands of generated accounts in their stored form: the database accepts a row exactly when
 * checkDestination accepts it as input and stores it unchanged. Generated from a fixed seed, with
 * valid accounts, near misses (one digit, a letter's case, a space, a field another country uses)
 * and junk, so both answers occur for every rule. Whitespace is spaces and tabs (not the Unicode
 * spaces, whose class differs between JavaScript and PostgreSQL's regular expressions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clabe as clabeLib } from 'clabe-validator';
import { testApp, type TestApp } from '../../test/app';
import { seeded } from '../../test/seeded';
import { checkDestination, clabeCheckDigit, type Destination, type DestinationInput } from '../domain/payout-destination';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const { int, pick, digits, chance } = seeded(20261206);

const BANKS = Object.keys(clabeLib.banksMap).map((k) => k.padStart(3, '0'));
const bankName = (code: string) => clabeLib.banksMap[Number(code)]?.name ?? null;

/** A valid account of the country, then none, one or two fields changed into a near miss or junk. */
function generated(): Destination {
  const country = pick(['MX', 'MX', 'US', 'CO', 'DO'] as const);
  const bad = new Set<string>();
  for (let n = pick([0, 0, 1, 1, 1, 2]); n > 0; n--) {
    bad.add(pick(['holder', 'tax', 'account', 'bank', 'type', 'routing', 'extra']));
  }
  const holderName = bad.has('holder')
    ? pick(['Ana  López', ' Ana López', 'Ana López ', 'Ana\tLópez', '', 'x'.repeat(121)])
    : pick(['Ana López Pérez', 'José Ñúñez', "O'Brien Smith", 'x'.repeat(120), 'Li']);
  if (country === 'MX') {
    const code = pick(BANKS);
    const first = code + digits(14);
    let account = first + String(clabeCheckDigit(first));
    if (bad.has('account')) {
      account = pick([
        first + String((clabeCheckDigit(first) + 1 + int(9)) % 10),
        account.slice(0, 17),
        `${account}0`,
        pick(['999', '000', '003']) + account.slice(3),
        `${account.slice(0, 4)} ${account.slice(4, 17)}`,
      ]);
    }
    const yy = digits(2);
    const month = 1 + int(12);
    const leap = Number(yy) % 4 === 0;
    const day = 1 + int([31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!);
    const word = Array.from({ length: pick([3, 4]) }, () => pick([...'ABCDEFGHIJKLMNÑOPQRSTUVWXYZ&'])).join('');
    let taxId = `${word}${yy}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${pick(['AB1', 'XYA', 'Z9A', '001'])}`;
    if (bad.has('tax')) {
      taxId = pick([
        taxId.toLowerCase(),
        ` ${taxId}`,
        `${taxId.slice(0, -1)}Z`,
        `${word}${yy}${pick(['00', '13', '99'])}01AB1`,
        `${word}${yy}${String(month).padStart(2, '0')}${pick(['00', '32'])}AB1`,
        `${word}${yy}0230AB1`,
        `${word}${leap ? String((Number(yy) + 1) % 100).padStart(2, '0') : yy}0229AB1`,
        '',
        `${word}${yy}01`,
      ]);
    }
    return {
      country,
      holderName,
      taxId,
      bankCode: bad.has('bank') ? pick(['999', code === '002' ? '012' : '002', null]) : account.slice(0, 3),
      bankName: bad.has('bank') && chance(0.5) ? pick(['Otro banco', null]) : bankName(account.slice(0, 3)),
      accountType: bad.has('type') ? pick(['checking', 'savings'] as const) : null,
      routingNumber: bad.has('routing') ? aba() : null,
      accountNumber: account,
    };
  }
  const taxValid = {
    US: () => digits(9),
    CO: () => pick([digits(9), `${digits(9)}-${digits(1)}`, digits(5), digits(11)]),
    DO: () => pick([digits(9), digits(11)]),
  }[country];
  const taxBad = {
    US: () => pick([`${digits(3)}-${digits(2)}-${digits(4)}`, digits(8), digits(10)]),
    CO: () => pick([digits(4), `${digits(6)}.${digits(3)}`, digits(12), `${digits(9)}--1`]),
    DO: () => pick([digits(10), `${digits(3)}-${digits(7)}-${digits(1)}`, digits(8)]),
  }[country];
  const [min, max] = country === 'US' ? [4, 17] : [6, 20];
  const accountNumber = bad.has('account')
    ? pick([digits(min - 1), digits(max + 1), `${digits(4)}-${digits(4)}`, ` ${digits(min)}`])
    : digits(min + int(max - min + 1));
  let bank: string | null = country === 'US' ? pick(['Chase', null, 'B'.repeat(80)]) : pick(['Bancolombia', 'Banreservas', 'B'.repeat(80)]);
  if (bad.has('bank')) bank = pick(['', ' Chase', 'Chase ', 'B'.repeat(81), country === 'US' ? '' : null]);
  let routing: string | null = country === 'US' ? aba() : null;
  if (bad.has('routing')) routing = country === 'US' ? pick([digits(8), digits(10), badAba()]) : aba();
  return {
    country,
    holderName,
    taxId: bad.has('tax') ? taxBad() : taxValid(),
    bankCode: bad.has('extra') ? '002' : null,
    bankName: bank,
    accountType: bad.has('type') ? null : pick(['checking', 'savings'] as const),
    routingNumber: routing,
    accountNumber,
  };
}

/** A valid ABA routing number: a Federal Reserve prefix, then the ninth digit that makes the weighted sum a multiple of 10. */
function aba(prefix = pick(['00', '01', '12', '21', '32', '61', '72', '80'])): string {
  const body = prefix + digits(6);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * [3, 7, 1][i % 3]!;
  return body + String((10 - (sum % 10)) % 10);
}
/** A near miss: a prefix outside the Federal Reserve ranges, or a wrong last digit. */
function badAba(): string {
  if (chance(0.5)) return aba(pick(['13', '20', '33', '60', '73', '79', '81', '99']));
  const ok = aba();
  return ok.slice(0, 8) + String((Number(ok[8]) + 1 + int(9)) % 10);
}

/** The app's judgement of a stored row: accepted as input, and stored exactly as it stands. */
function appAccepts(d: Destination): boolean {
  const input: DestinationInput = {
    country: d.country,
    holderName: d.holderName,
    taxId: d.taxId,
    clabe: d.country === 'MX' ? d.accountNumber : null,
    routingNumber: d.routingNumber,
    accountNumber: d.country === 'MX' ? null : d.accountNumber,
    bankName: d.bankName,
    accountType: d.accountType,
  };
  const r = checkDestination(input);
  return r.ok && JSON.stringify(r.value) === JSON.stringify(d);
}

describe("payout accounts: the database's rule is the app's rule", () => {
  it('agrees with checkDestination on 4,000 generated accounts, accepting and refusing in every country', async () => {
    const cases = Array.from({ length: 4000 }, generated);
    const rows = await t.database.sql<{ i: number; problem: string | null }[]>`
      select (x.i)::int as i, nnp_payout_destination_problem(x.country, x.holder, x.tax, x.bank_code, x.bank_name, x.type, x.routing, x.account) as problem
        from unnest(${cases.map((d) => d.country)}::text[], ${cases.map((d) => d.holderName)}::text[], ${cases.map((d) => d.taxId)}::text[],
                    ${cases.map((d) => d.bankCode) as string[]}::text[], ${cases.map((d) => d.bankName) as string[]}::text[],
                    ${cases.map((d) => d.accountType) as string[]}::text[], ${cases.map((d) => d.routingNumber) as string[]}::text[],
                    ${cases.map((d) => d.accountNumber)}::text[]) with ordinality
             as x(country, holder, tax, bank_code, bank_name, type, routing, account, i)
       order by x.i`;
    const disagreements = rows.map((r) => ({ d: cases[r.i - 1]!, db: r.problem === null, problem: r.problem })).filter(({ d, db }) => db !== appAccepts(d));
    expect(disagreements.slice(0, 5)).toEqual([]);
    // Both answers, in every country: the generator is not all-valid or all-junk.
    for (const c of ['MX', 'US', 'CO', 'DO']) {
      const mine = rows.filter((r) => cases[r.i - 1]!.country === c);
      expect(mine.filter((r) => r.problem === null).length, c).toBeGreaterThan(20);
      expect(mine.filter((r) => r.problem !== null).length, c).toBeGreaterThan(20);
    }
    // Every rule is met at least once.
    const seen = new Set(rows.map((r) => r.problem).filter(Boolean));
    for (const rule of [
      'holderName:required',
      'holderName:tooLongString',
      'taxId:rfcShape',
      'taxId:rfcDate',
      'clabe:clabeLength',
      'clabe:clabeBank',
      'clabe:clabeCheck',
      'taxId:taxIdUS',
      'taxId:taxIdCO',
      'taxId:taxIdDO',
      'routingNumber:abaLength',
      'routingNumber:abaCheck',
      'bankName:required',
      'bankName:tooLongString',
      'accountType:accountType',
      'accountNumber:accountDigits',
    ]) {
      expect(seen, rule).toContain(rule);
    }
  });

  it("the database's bank list is clabe-validator's", async () => {
    const rows = await t.database.sql<{ code: string; name: string | null }[]>`
      select c as code, nnp_clabe_bank_name(c) as name from unnest(${Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'))}::text[]) c`;
    const mismatched = rows.filter((r) => {
      const lib = bankName(r.code);
      return r.name !== (lib && lib !== 'N/A' ? lib : null);
    });
    expect(mismatched).toEqual([]);
  });
});
