export * from './core';
export * from './volumes';
