/** Typed errors raised by the period engine (and the reference calculator) on bad input. */

export type EngineErrorCode =
  | 'UNKNOWN_SPONSOR'
  | 'SPONSOR_CYCLE'
  | 'UNKNOWN_KIT_SKU'
  | 'MISSING_EXCHANGE_RATE'
  | 'INVALID_EXCHANGE_RATE'
  | 'UNKNOWN_MEMBER'
  | 'DUPLICATE_MEMBER'
  | 'DUPLICATE_ORDER'
  | 'ORDER_CURRENCY_MISMATCH'
  | 'INVALID_INPUT'
  | 'VOLUME_OVERFLOW';

export class EngineInputError extends Error {
  override name = 'EngineInputError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export class UnknownSponsorError extends EngineInputError {
  override name = 'UnknownSponsorError';
  constructor(
    readonly member: string,
    readonly sponsor: string,
  ) {
    super('UNKNOWN_SPONSOR', `member ${member} has an unknown sponsor ${sponsor}`, { member, sponsor });
  }
}

export class SponsorCycleError extends EngineInputError {
  override name = 'SponsorCycleError';
  constructor(readonly cycle: readonly string[]) {
    super('SPONSOR_CYCLE', `the sponsor tree has a cycle: ${cycle.join(' -> ')} -> ${cycle[0] ?? ''}`, { cycle });
  }
}

export class UnknownKitSkuError extends EngineInputError {
  override name = 'UnknownKitSkuError';
  constructor(
    readonly order: string,
    readonly sku: string | null | undefined,
  ) {
    super('UNKNOWN_KIT_SKU', `kit order ${order} has an unknown kit SKU ${JSON.stringify(sku ?? null)}`, { order, sku });
  }
}

export class MissingExchangeRateError extends EngineInputError {
  override name = 'MissingExchangeRateError';
  constructor(readonly currency: string) {
    super('MISSING_EXCHANGE_RATE', `missing exchange rate for ${currency}`, { currency });
  }
}

export class InvalidExchangeRateError extends EngineInputError {
  override name = 'InvalidExchangeRateError';
  constructor(
    readonly currency: string,
    readonly rate: unknown,
  ) {
    super('INVALID_EXCHANGE_RATE', `exchange rate for ${currency} must be a decimal > 0, got ${JSON.stringify(rate)}`, {
      currency,
      rate,
    });
  }
}
