export * from './core';
export * from './volumes';
export * from './genealogy';
export * from './ledger';
export * from './withdrawals';
export * from './periods';
export * from './lookup';
export * from './commissions';
