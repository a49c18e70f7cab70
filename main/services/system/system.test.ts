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
  it("says whether the Stripe key of the caller's role is configured, read per call", async () => {
    const restore = applyEnv({ NNP_STRIPE_SECRET_KEY: '' });
    try {
      for (const role of ['admin', 'finance', 'support'] as const) {
        expect(await t.must('system.capabilities', {}, t.tokens[role])).toEqual({ stripe: false });
      }
    } finally {
      restore();
    }
    // Issue 16 item 5: support's only Stripe use (autoship actions) runs on the restricted key, so
    // the transfer key alone leaves support without Stripe.
    const restore2 = applyEnv({ NNP_STRIPE_SECRET_KEY: 'sk_test_capability', NNP_STRIPE_RESTRICTED_KEY: '' });
    try {
      expect(await t.must('system.capabilities', {}, t.tokens.admin)).toEqual({ stripe: true });
      expect(await t.must('system.capabilities', {}, t.tokens.finance)).toEqual({ stripe: true });
      expect(await t.must('system.capabilities', {}, t.tokens.support)).toEqual({ stripe: false });
    } finally {
      restore2();
    }
    const restore3 = applyEnv({ NNP_STRIPE_SECRET_KEY: '', NNP_STRIPE_RESTRICTED_KEY: 'rk_test_capability' });
    try {
      expect(await t.must('system.capabilities', {}, t.tokens.support)).toEqual({ stripe: true });
      expect(await t.must('system.capabilities', {}, t.tokens.finance)).toEqual({ stripe: false });
    } finally {
      restore3();
    }
  });

  it('is not answered without a session', async () => {
    const r = await t.call('system.capabilities', {}, null);
    expect(r.ok).toBe(false);
  });
});
