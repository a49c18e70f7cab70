import { describe, expect, it } from 'vitest';
import { missingFigure, tableRow } from './bench';
import type { Metric } from './bench/types';
import { slowestOf } from './bench/timing';

const metric = (budget: Metric['budget']): Metric => ({ name: 'x.y', budget, run: async () => ({}) });

describe('bench table', () => {
  it('a metric that threw or measured nothing is FAILED, whatever its kind', () => {
    expect(missingFigure({ failed: 'Failed query: set local temp_buffers' })).toBe(true);
    expect(missingFigure({ notes: 'no figure' })).toBe(true);
    expect(missingFigure({ ms: Number.NaN })).toBe(true);
    expect(tableRow(metric({ ms: 5000 }), { failed: 'boom' })).toEqual(['x.y', 'FAILED', '', '', '', '≤ 5,000 ms', 'FAILED']);
    expect(tableRow(metric({ p95_ms: 10 }), { p50_ms: 1 })[6]).toBe('FAILED');
  });
  it('a measured metric shows its verdict against the budget', () => {
    expect(missingFigure({ p50_ms: 1, p95_ms: 2 })).toBe(false);
    expect(tableRow(metric({ p95_ms: 10 }), { p50_ms: 1, p95_ms: 12 })[6]).toBe(false);
    expect(tableRow(metric({ per_s: 5000 }), { per_s: 5200, baseline_per_s: 100 })[6]).toBe(true);
    expect(tableRow(metric({ ms: 1000 }), { ms: 900 })[6]).toBe(true);
  });
});

describe('bench notes', () => {
  it('name the slowest samples with their inputs, slowest first', () => {
    expect(slowestOf([3, 12.345, 7, 1], ['a', { status: 'paid' }, 'c', 'd'], 2)).toBe('{"status":"paid"} 12.35 ms, "c" 7 ms');
    expect(slowestOf([], [], 3)).toBe('');
  });
});
