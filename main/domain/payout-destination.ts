/**
 * Where a member's withdrawals are paid (by bank file): one destination per country, checked here
 * without I/O. Mexico: CLABE (18 digits: bank 3, plaza 3, account 11, check digit 1; the check digit
 * weights 3,7,1 — clabe-validator keeps the Banxico bank list and the checksum) and RFC.
 * United States: ABA routing number (checksum 3,7,1 over nine digits) + account number.
 * Colombia and the Dominican Republic: bank + account type + account number.
 * A problem names its field and a rule (keys of the shared error catalogue's `rule.*`, worded in
 * Spanish or English by shared/error-messages.ts), so the screen shows it on the field.
 */
import { clabe as clabeLib } from 'clabe-validator';

export const DESTINATION_COUNTRIES = ['MX', 'US', 'CO', 'DO'] as const;
export type DestinationCountry = (typeof DESTINATION_COUNTRIES)[number];
export const ACCOUNT_TYPES = ['checking', 'savings'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export interface DestinationInput {
  country: DestinationCountry;
  holderName: string;
  taxId: string;
  /** MX only. */
  clabe?: string | null;
  /** US only. */
  routingNumber?: string | null;
  /** US, CO, DO. */
  accountNumber?: string | null;
  /** CO, DO (US: optional, informative). */
  bankName?: string | null;
  /** US, CO, DO. */
  accountType?: AccountType | null;
}

/** A destination as stored: for MX the CLABE is the account number and its bank comes from it. */
export interface Destination {
  country: DestinationCountry;
  holderName: string;
  taxId: string;
  bankCode: string | null;
  bankName: string | null;
  accountType: AccountType | null;
  routingNumber: string | null;
  accountNumber: string;
}

export type DestinationRule =
  | 'required'
  | 'tooLongString'
  | 'clabeLength'
  | 'clabeBank'
  | 'clabeCheck'
  | 'rfcShape'
  | 'rfcDate'
  | 'abaLength'
  | 'abaCheck'
  | 'taxIdUS'
  | 'taxIdCO'
  | 'taxIdDO'
  | 'accountDigits'
  | 'accountType';
export interface FieldProblem {
  field: string;
  rule: DestinationRule;
  params?: Record<string, string | number>;
}
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

const digitsOnly = (s: string | null | undefined) => (s ?? '').replace(/[\s-]/g, '');

// ---------------------------------------------------------------------------------------------
// CLABE

/** Sum of (digit × weight mod 10) with weights 3,7,1 repeated over the first 17 digits; check = (10 − sum mod 10) mod 10. */
export function clabeCheckDigit(first17: string): number {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (Number(first17[i]) * [3, 7, 1][i % 3]!) % 10;
  return (10 - (sum % 10)) % 10;
}

export function checkClabe(raw: string): Checked<{ clabe: string; bankCode: string; bankName: string }> {
  const s = digitsOnly(raw);
  if (!/^\d{18}$/.test(s)) return { ok: false, problems: [{ field: 'clabe', rule: 'clabeLength' }] };
  const bankCode = s.slice(0, 3);
  const bank = clabeLib.banksMap[Number(bankCode)];
  if (!bank?.name || bank.name === 'N/A') return { ok: false, problems: [{ field: 'clabe', rule: 'clabeBank', params: { bank: bankCode } }] };
  const expected = clabeCheckDigit(s);
  // The library's checksum is the same rule, kept in step with Banxico's bank list.
  if (expected !== Number(s[17]) || clabeLib.computeChecksum(s.slice(0, 17)) !== expected) {
    return { ok: false, problems: [{ field: 'clabe', rule: 'clabeCheck', params: { expected } }] };
  }
  return { ok: true, value: { clabe: s, bankCode, bankName: bank.name } };
}

// ---------------------------------------------------------------------------------------------
// ABA routing number

/** Nine digits, 3·d1 + 7·d2 + d3 + 3·d4 + … ≡ 0 (mod 10), and a Federal Reserve prefix (00–12, 21–32, 61–72, 80). */
export function checkAbaRouting(raw: string): Checked<string> {
  const s = digitsOnly(raw);
  if (!/^\d{9}$/.test(s)) return { ok: false, problems: [{ field: 'routingNumber', rule: 'abaLength' }] };
  const prefix = Number(s.slice(0, 2));
  const prefixOk = prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(s[i]) * [3, 7, 1][i % 3]!;
  if (!prefixOk || sum % 10 !== 0) return { ok: false, problems: [{ field: 'routingNumber', rule: 'abaCheck' }] };
  return { ok: true, value: s };
}

// ---------------------------------------------------------------------------------------------
// RFC (Mexican tax id)

const RFC = /^([A-ZÑ&]{3,4})(\d{2})(\d{2})(\d{2})([A-Z\d]{2}[A\d])$/;

/**
 * Shape of an RFC: persona física 13 characters (4 letters), persona moral 12 (3 letters), then the
 * date YYMMDD (a real date) and a 3-character homoclave. The homoclave's check digit is not
 * verified: SAT's published RFCs are the authority, the shape catches typing mistakes.
 */
export function checkRfc(raw: string): Checked<{ rfc: string; kind: 'fisica' | 'moral' }> {
  const s = (raw ?? '').trim().toUpperCase().replace(/[\s-]/g, '');
  const m = RFC.exec(s);
  const bad = { ok: false as const, problems: [{ field: 'taxId', rule: 'rfcShape' as const }] };
  if (!m) return bad;
  const [, , yy, mm, dd] = m;
  const month = Number(mm);
  const day = Number(dd);
  const leap = Number(yy) % 4 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (!days || day < 1 || day > days) {
    return { ok: false, problems: [{ field: 'taxId', rule: 'rfcDate', params: { date: `${yy}${mm}${dd}` } }] };
  }
  return { ok: true, value: { rfc: s, kind: s.length === 13 ? 'fisica' : 'moral' } };
}

// ---------------------------------------------------------------------------------------------
// A whole destination

const TAX_ID_OTHER: Record<Exclude<DestinationCountry, 'MX'>, { re: RegExp; rule: DestinationRule }> = {
  US: { re: /^\d{9}$/, rule: 'taxIdUS' },
  CO: { re: /^\d{5,10}(-?\d)?$/, rule: 'taxIdCO' },
  DO: { re: /^(\d{9}|\d{11})$/, rule: 'taxIdDO' },
};

export function checkDestination(input: DestinationInput): Checked<Destination> {
  const problems: FieldProblem[] = [];
  const holderName = (input.holderName ?? '').trim().replace(/\s+/g, ' ');
  if (!holderName) problems.push({ field: 'holderName', rule: 'required' });
  else if (holderName.length > 120) problems.push({ field: 'holderName', rule: 'tooLongString', params: { maximum: 120 } });

  let taxId = (input.taxId ?? '').trim().toUpperCase();
  if (!taxId) problems.push({ field: 'taxId', rule: 'required' });
  else if (input.country === 'MX') {
    const r = checkRfc(taxId);
    if (r.ok) taxId = r.value.rfc;
    else problems.push(...r.problems);
  } else {
    taxId = taxId.replace(/[\s.]/g, '');
    const rule = TAX_ID_OTHER[input.country];
    if (!rule.re.test(taxId.replace(/-/g, input.country === 'CO' ? '-' : ''))) problems.push({ field: 'taxId', rule: rule.rule });
    if (input.country !== 'CO') taxId = taxId.replace(/-/g, '');
  }

  let bankCode: string | null = null;
  let bankName: string | null = (input.bankName ?? '').trim() || null;
  let accountType: AccountType | null = null;
  let routingNumber: string | null = null;
  let accountNumber = '';

  if (input.country === 'MX') {
    const c = checkClabe(input.clabe ?? '');
    if (c.ok) {
      accountNumber = c.value.clabe;
      bankCode = c.value.bankCode;
      bankName = c.value.bankName;
    } else problems.push(...c.problems);
  } else {
    if (input.country === 'US') {
      const r = checkAbaRouting(input.routingNumber ?? '');
      if (r.ok) routingNumber = r.value;
      else problems.push(...r.problems);
    } else if (!bankName) {
      problems.push({ field: 'bankName', rule: 'required' });
    }
    if (bankName && bankName.length > 80) problems.push({ field: 'bankName', rule: 'tooLongString', params: { maximum: 80 } });
    if (!input.accountType || !ACCOUNT_TYPES.includes(input.accountType)) problems.push({ field: 'accountType', rule: 'accountType' });
    else accountType = input.accountType;
    const acct = digitsOnly(input.accountNumber);
    const [min, max] = input.country === 'US' ? [4, 17] : [6, 20];
    if (!new RegExp(`^\\d{${min},${max}}$`).test(acct)) problems.push({ field: 'accountNumber', rule: 'accountDigits', params: { min: min!, max: max! } });
    else accountNumber = acct;
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { country: input.country, holderName, taxId, bankCode, bankName, accountType, routingNumber, accountNumber } };
}

/** What support sees of an account, tax id or routing number: the last 4 characters. */
export function maskTail(s: string | null | undefined, keep = 4): string | null {
  if (!s) return null;
  return `•••• ${s.slice(-keep)}`;
}
