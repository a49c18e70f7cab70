/**
 * One ArrayBuffer carved into typed arrays. Allocating the engine's many per-member columns at
 * once keeps V8 from running a full GC for every few tens of MB of typed arrays.
 */
export class Arena {
  private readonly buffer: ArrayBuffer;
  private offset = 0;

  constructor(bytes: number) {
    this.buffer = new ArrayBuffer(Math.max(8, Math.ceil(bytes / 8) * 8));
  }

  private take(bytes: number, align: number): number | null {
    const start = Math.ceil(this.offset / align) * align;
    if (start + bytes > this.buffer.byteLength) return null;
    this.offset = start + bytes;
    return start;
  }

  f64(n: number): Float64Array {
    const at = this.take(n * 8, 8);
    return at === null ? new Float64Array(n) : new Float64Array(this.buffer, at, n);
  }

  i32(n: number): Int32Array {
    const at = this.take(n * 4, 4);
    return at === null ? new Int32Array(n) : new Int32Array(this.buffer, at, n);
  }

  u8(n: number): Uint8Array {
    const at = this.take(n, 1);
    return at === null ? new Uint8Array(n) : new Uint8Array(this.buffer, at, n);
  }

  i8(n: number): Int8Array {
    const at = this.take(n, 1);
    return at === null ? new Int8Array(n) : new Int8Array(this.buffer, at, n);
  }
}
