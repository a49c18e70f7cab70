import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { applyEnv } from '../../../test/stripe-server';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t?.close();
});

// Issue 20: screens disable what cannot work (Stripe payouts, autoship actions) from what the main
// process reports, instead of offering an action that only fails.
describe('system.capabilities', () => {
  it('says whether Stripe is configured, to every staff role, read per call', async () => {
    const restore = applyEnv({ NNP_STRIPE_SECRET_KEY: '' });
    try {
      for (const role of ['admin', 'finance', 'support'] as const) {
        expect(await t.must('system.capabilities', {}, t.tokens[role])).toEqual({ stripe: false });
      }
    } finally {
      restore();
    }
    const restore2 = applyEnv({ NNP_STRIPE_SECRET_KEY: 'sk_test_capability' });
    try {
      expect(await t.must('system.capabilities', {}, t.tokens.support)).toEqual({ stripe: true });
    } finally {
      restore2();
    }
  });

  it('is not answered without a session', async () => {
    const r = await t.call('system.capabilities', {}, null);
    expect(r.ok).toBe(false);
  });
});
