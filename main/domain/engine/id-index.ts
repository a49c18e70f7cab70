/**
 * A string id -> integer index table: open addressing over one Int32Array (hash, index + 1),
 * keys compared against the caller's id array. Cheaper than a Map for millions of ids (no
 * per-entry heap objects for the GC to trace, one allocation).
 */

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser for well-mixed low bits. */
export function hashId(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0, n = s.length; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

export class IdIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  /** `keys[i]` is the id of index i; indices are added with add() (the table grows as needed). */
  constructor(
    private readonly keys: readonly string[],
    expected: number,
  ) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap * 2);
    this.mask = cap - 1;
  }

  /** Adds index i under keys[i]; returns the index already holding that id, or -1 when new. */
  add(i: number): number {
    if (this.count * 2 >= this.mask + 1) this.grow();
    const key = this.keys[i]!;
    const h = hashId(key);
    const slots = this.slots;
    const mask = this.mask;
    let p = h & mask;
    for (;;) {
      const at = p << 1;
      const v = slots[at + 1]!;
      if (v === 0) {
        slots[at] = h;
        slots[at + 1] = i + 1;
        this.count++;
        return -1;
      }
      if (slots[at] === h && this.keys[v - 1] === key) return v - 1;
      p = (p + 1) & mask;
    }
  }

  /** The index of an id, or -1. */
  get(key: string): number {
    const h = hashId(key);
    const slots = this.slots;
    const mask = this.mask;
    let p = h & mask;
    for (;;) {
      const at = p << 1;
      const v = slots[at + 1]!;
      if (v === 0) return -1;
      if (slots[at] === h && this.keys[v - 1] === key) return v - 1;
      p = (p + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap * 2);
    const mask = cap - 1;
    for (let at = 0; at < old.length; at += 2) {
      const v = old[at + 1]!;
      if (v === 0) continue;
      const h = old[at]!;
      let p = h & mask;
      while (slots[(p << 1) + 1] !== 0) p = (p + 1) & mask;
      slots[p << 1] = h;
      slots[(p << 1) + 1] = v;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
