export * from './core';
export * from './volumes';
export * from './genealogy';
