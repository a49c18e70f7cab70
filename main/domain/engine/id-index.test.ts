import { describe, expect, it } from 'vitest';
import { IdIndex } from './id-index';

describe('IdIndex', () => {
  it('maps ids to indices, finds duplicates, grows past its expected size', () => {
    const keys: string[] = [];
    const idx = new IdIndex(keys, 4);
    for (let i = 0; i < 50_000; i++) {
      keys.push(`id-${i}`);
      expect(idx.add(i)).toBe(-1);
    }
    for (let i = 0; i < 50_000; i += 997) expect(idx.get(`id-${i}`)).toBe(i);
    expect(idx.get('id-50000')).toBe(-1);
    expect(idx.get('')).toBe(-1);
    keys.push('id-123');
    expect(idx.add(50_000)).toBe(123);
  });
});
