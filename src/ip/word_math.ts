/**
 * Internal arithmetic on addresses held as four 32-bit words (most significant first; IPv4 in the
 * last word). Used by the network operations for per-element steps, where BigInt would be slow.
 */
import { Addr } from "./addr.js";

/** Mutable words of an address. */
export type MutableWords = [number, number, number, number];

/** The words of `a`, as a fresh mutable array. */
export function wordsOf(a: Addr): MutableWords {
  return [a.w0, a.w1, a.w2, a.w3];
}

/**
 * Add 2^k (0 ≤ k < 128) to `w` in place. Returns true when the sum overflowed the `total` bits
 * (32 or 128); the words are then meaningless.
 */
export function addPow2(w: MutableWords, k: number, total: 32 | 128): boolean {
  let i = 3 - (k >>> 5);
  let add = 2 ** (k & 31);
  while (i >= 0) {
    const s = w[i]! + add;
    if (s <= 0xffffffff) {
      w[i] = s;
      return total === 32 && (w[0] | w[1] | w[2]) !== 0;
    }
    w[i] = s - 0x100000000;
    add = 1;
    i--;
  }
  return true;
}

/** Number of trailing zero bits of the address value, capped at its bit length. */
export function trailingZeros(a: Addr): number {
  if (a.version === 4) return a.w3 === 0 ? 32 : ctz32(a.w3);
  if (a.w3 !== 0) return ctz32(a.w3);
  if (a.w2 !== 0) return 32 + ctz32(a.w2);
  if (a.w1 !== 0) return 64 + ctz32(a.w1);
  if (a.w0 !== 0) return 96 + ctz32(a.w0);
  return 128;
}

function ctz32(w: number): number {
  // w & -w isolates the lowest set bit; clz32 of it gives its position from the top.
  return 31 - Math.clz32(w & -w);
}

/** The address after `a`, or null when `a` is the last address of its version. */
export function nextAddr(a: Addr): Addr | null {
  const w = wordsOf(a);
  if (addPow2(w, 0, a.bitLength)) return null;
  return Addr.fromWords(a.version, w);
}

/** The address before `a`, or null when `a` is 0. */
export function prevAddr(a: Addr): Addr | null {
  const w = wordsOf(a);
  let i = 3;
  while (i >= 0 && w[i] === 0) {
    w[i] = 0xffffffff;
    i--;
  }
  if (i < 0 || (a.version === 4 && i < 3)) return null;
  w[i] = w[i]! - 1;
  return Addr.fromWords(a.version, w);
}
