import { describe, expect, it } from 'vitest';
import { missingFigure, tableRow } from './bench';
import type { Metric } from './bench/types';
import { cpus } from 'node:os';
import { cpuFloorNote, machineCpu, processCpuMs, slowestOf } from './bench/timing';

const metric = (budget: Metric['budget']): Metric => ({ name: 'x.y', budget, run: async () => ({}) });

describe('bench table', () => {
  it('a metric that threw or measured nothing is FAILED, whatever its kind', () => {
    expect(missingFigure({ failed: 'Failed query: set local temp_buffers' })).toBe(true);
    expect(missingFigure({ notes: 'no figure' })).toBe(true);
    expect(missingFigure({ ms: Number.NaN })).toBe(true);
    expect(tableRow(metric({ ms: 5000 }), { failed: 'boom' })).toEqual(['x.y', 'FAILED', '', '', '', '≤ 5,000 ms', 'FAILED']);
    expect(tableRow(metric({ p95_ms: 10 }), { p50_ms: 1 })[6]).toBe('FAILED');
    // A figure measured over a wrong result (ledger.postings with balances not exact) is no pass.
    expect(tableRow(metric({ per_s: 5000 }), { per_s: 6000, failed: 'balances not exact after the postings' })).toEqual([
      'x.y',
      'FAILED',
      '',
      '',
      '',
      '≥ 5,000/s',
      'FAILED',
    ]);
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

describe('bench CPU figures', () => {
  it('the floor is the busy CPU over the cores; stolen time is named apart', () => {
    const cores = cpus().length;
    const note = cpuFloorNote({ busyMs: 1_000, stealMs: 0 }, { busyMs: 85_000, stealMs: 300 }, 57_000);
    expect(note).toContain('machine CPU 84.0 s busy (+0.3 s stolen by the host) in 57.0 s');
    expect(note).toContain(`CPU-bound floor ≈ ${(84 / cores).toFixed(1)} s`);
    expect(cpuFloorNote(null, { busyMs: 1, stealMs: 0 }, 1)).toBe('machine CPU not measured');
  });
  it('reads the machine and this process from /proc, growing with work done', () => {
    const m0 = machineCpu();
    const p0 = processCpuMs(process.pid);
    expect(m0).not.toBeNull();
    expect(p0).not.toBeNull();
    // Busy until this process has used 100 ms of CPU (however loaded the machine); a reader that
    // does not move fails at the deadline.
    const deadline = performance.now() + 20_000;
    let x = 0;
    while (processCpuMs(process.pid)! - p0! < 100 && performance.now() < deadline) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    const used = processCpuMs(process.pid)! - p0!;
    expect(used).toBeGreaterThanOrEqual(100);
    // The machine's busy time holds this process's and everyone else's.
    expect(machineCpu()!.busyMs - m0!.busyMs).toBeGreaterThanOrEqual(used - 20);
    expect(processCpuMs(-1)).toBeNull();
  }, 30_000);
});
