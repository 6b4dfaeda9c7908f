/**
 * Bodies for the blob tests, derived from a seed so that a reader (even another process) can rebuild what a writer
 * stored and compare byte for byte. Kept apart from the suites so the crash child can import it without node:test.
 */

/** Deterministic bytes that differ from one seed to the next, so a mix-up between blobs shows. */
export function pattern(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761 + 1) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export async function* chunked(bytes: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
}

/** The body the crash child writes as its n-th blob: sizes from empty to ~600 KB, some empty. */
export const crashBody = (n: number): Buffer => pattern(n % 13 === 0 ? 0 : ((n * 7919) % 600_000) + 1, 1000 + n);
