import { describe, expect, it } from 'vitest';
import { checkAbaRouting, checkClabe, checkDestination, checkRfc, clabeCheckDigit, maskTail } from './payout-destination';

describe('CLABE', () => {
  it('check digit: weights 3,7,1 over 17 digits, (10 − sum mod 10) mod 10', () => {
    // 0·3 0·7 2·1 1·3 8·7 0·1 1·3 2·7 3·1 4·3 5·7 6·1 7·3 8·7 9·1 0·3 1·7, each mod 10 → sum 57 → 3
    expect(clabeCheckDigit('00218012345678901')).toBe(3);
    expect(clabeCheckDigit('00000000000000000')).toBe(0);
  });
  it('accepts 18 digits of a known bank with the right check digit (spaces tolerated)', () => {
    expect(checkClabe('002180123456789013')).toEqual({
      ok: true,
      value: { clabe: '002180123456789013', bankCode: '002', bankName: 'Banco Nacional de México' },
    });
    expect(checkClabe('002 180 12345678901 3')).toMatchObject({ ok: true, value: { clabe: '002180123456789013' } });
    expect(checkClabe('012180000000000002')).toMatchObject({ ok: true, value: { bankCode: '012' } }); // BBVA México
  });
  it('refuses a wrong check digit, an unknown bank code, a wrong length, letters', () => {
    expect(checkClabe('002180123456789012')).toEqual({ ok: false, problems: [{ field: 'clabe', rule: 'clabeCheck', params: { expected: 3 } }] });
    expect(checkClabe('999180123456789013')).toEqual({ ok: false, problems: [{ field: 'clabe', rule: 'clabeBank', params: { bank: '999' } }] });
    expect(checkClabe('00218012345678901')).toEqual({ ok: false, problems: [{ field: 'clabe', rule: 'clabeLength' }] });
    expect(checkClabe('00218012345678901X').ok).toBe(false);
    expect(checkClabe('').ok).toBe(false);
  });
});

describe('ABA routing number', () => {
  it('accepts real routing numbers', () => {
    expect(checkAbaRouting('021000021')).toEqual({ ok: true, value: '021000021' }); // 3·0+7·2+1+0+0+0+0+7·2+1 = 30
    expect(checkAbaRouting('011000015').ok).toBe(true);
    expect(checkAbaRouting('121000358').ok).toBe(true);
  });
  it('refuses a bad checksum, a bad prefix, a wrong length', () => {
    expect(checkAbaRouting('021000022')).toEqual({ ok: false, problems: [{ field: 'routingNumber', rule: 'abaCheck' }] });
    expect(checkAbaRouting('500000005').ok).toBe(false); // checksum 15+5 = 20 holds, prefix 50 is not a Federal Reserve prefix
    expect(checkAbaRouting('02100002').ok).toBe(false);
  });
});

describe('RFC', () => {
  it('persona física 13, persona moral 12, upper-cased', () => {
    expect(checkRfc('gode561231gr8')).toEqual({ ok: true, value: { rfc: 'GODE561231GR8', kind: 'fisica' } });
    expect(checkRfc('ABC680524P76')).toEqual({ ok: true, value: { rfc: 'ABC680524P76', kind: 'moral' } });
    expect(checkRfc('ÑAB000229AB1').ok).toBe(true); // 29 Feb 2000
  });
  it('refuses the wrong shape or an impossible date', () => {
    for (const bad of ['GODE561231GR', 'GODE561231GR89', 'GOD3561231GR8', '1234561231GR8', '']) {
      expect(checkRfc(bad), bad).toEqual({ ok: false, problems: [{ field: 'taxId', rule: 'rfcShape' }] });
    }
    expect(checkRfc('GODE560230GR8')).toEqual({ ok: false, problems: [{ field: 'taxId', rule: 'rfcDate', params: { date: '560230' } }] });
    expect(checkRfc('GODE010229GR8').ok).toBe(false);
    expect(checkRfc('GODE561331GR8')).toMatchObject({ ok: false, problems: [{ rule: 'rfcDate' }] });
  });
});

describe('a whole destination', () => {
  it('Mexico: CLABE + RFC + holder; the bank comes from the CLABE', () => {
    expect(checkDestination({ country: 'MX', holderName: '  Ana   López ', taxId: 'lopa800101ab1', clabe: '002180123456789013' })).toEqual({
      ok: true,
      value: {
        country: 'MX',
        holderName: 'Ana López',
        taxId: 'LOPA800101AB1',
        bankCode: '002',
        bankName: 'Banco Nacional de México',
        accountType: null,
        routingNumber: null,
        accountNumber: '002180123456789013',
      },
    });
  });
  it('every problem at once, each on its field', () => {
    const r = checkDestination({ country: 'MX', holderName: ' ', taxId: 'XX', clabe: '002180123456789012' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.field)).toEqual(['holderName', 'taxId', 'clabe']);
  });
  it('United States: routing + account + type', () => {
    expect(
      checkDestination({
        country: 'US',
        holderName: 'John Roe',
        taxId: '123-45-6789',
        routingNumber: '021000021',
        accountNumber: '000123456789',
        accountType: 'checking',
      }),
    ).toMatchObject({ ok: true, value: { routingNumber: '021000021', accountNumber: '000123456789', accountType: 'checking', taxId: '123456789' } });
    const bad = checkDestination({
      country: 'US',
      holderName: 'John Roe',
      taxId: '123456789',
      routingNumber: '021000022',
      accountNumber: '12',
      accountType: null,
    });
    expect(bad.ok ? [] : bad.problems.map((p) => p.field)).toEqual(['routingNumber', 'accountType', 'accountNumber']);
  });
  it('Colombia and the Dominican Republic: bank + type + number', () => {
    expect(
      checkDestination({
        country: 'CO',
        holderName: 'Luz Gómez',
        taxId: '900123456-7',
        bankName: 'Bancolombia',
        accountNumber: '12345678901',
        accountType: 'savings',
      }),
    ).toMatchObject({ ok: true, value: { bankName: 'Bancolombia', accountType: 'savings', accountNumber: '12345678901', taxId: '900123456-7' } });
    const r = checkDestination({ country: 'DO', holderName: 'Rosa Peña', taxId: '00112345678', bankName: '', accountNumber: '123', accountType: 'savings' });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['bankName', 'accountNumber']);
  });
  it('masking keeps the last 4', () => {
    expect(maskTail('002180123456789013')).toBe('•••• 9013');
    expect(maskTail(null)).toBeNull();
  });
});
