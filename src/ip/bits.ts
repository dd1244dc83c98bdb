/**
 * Low-level helpers on addresses held as four unsigned 32-bit words, most significant first.
 * IPv4 uses only the last word. Pure: no allocation beyond the returned values.
 */

/** Four 32-bit words, most significant first. */
export type Words = readonly [number, number, number, number];

/** The mask word for word `i` (0–3) of a `bits`-long prefix on a `total`-bit address (32 or 128). */
export function maskWord(prefixLength: number, total: 32 | 128, i: number): number {
  const start = total === 32 ? 96 : 0;
  const n = prefixLength + start - 32 * i;
  if (total === 32 && i < 3) return 0;
  if (n <= 0) return 0;
  if (n >= 32) return 0xffffffff;
  return (0xffffffff << (32 - n)) >>> 0;
}

/** Number of leading one bits of a 32-bit word followed only by zero bits, or -1 when not contiguous. */
export function contiguousOnes(w: number): number {
  if (w === 0) return 0;
  const inv = ~w >>> 0;
  // w must be 1…10…0: then ~w is 0…01…1, and (~w + 1) is a power of two.
  if ((inv & (inv + 1)) !== 0) return -1;
  return 32 - (inv === 0 ? 0 : 32 - Math.clz32(inv));
}

/** Compare two word tuples as unsigned 128-bit numbers: -1, 0 or 1. */
export function compareWords(a0: number, a1: number, a2: number, a3: number, b: Words): number {
  if (a0 !== b[0]) return a0 < b[0] ? -1 : 1;
  if (a1 !== b[1]) return a1 < b[1] ? -1 : 1;
  if (a2 !== b[2]) return a2 < b[2] ? -1 : 1;
  if (a3 !== b[3]) return a3 < b[3] ? -1 : 1;
  return 0;
}

/** Words → BigInt. */
export function wordsToBigInt(w: Words): bigint {
  return (BigInt(w[0]) << 96n) | (BigInt(w[1]) << 64n) | (BigInt(w[2]) << 32n) | BigInt(w[3]);
}

/** BigInt (0 ≤ n < 2^128) → words. */
export function bigIntToWords(n: bigint): Words {
  return [
    Number((n >> 96n) & 0xffffffffn),
    Number((n >> 64n) & 0xffffffffn),
    Number((n >> 32n) & 0xffffffffn),
    Number(n & 0xffffffffn),
  ];
}

const POW2_CACHE: string[] = [];
/** 2^n as a decimal string (0 ≤ n ≤ 128), cached. */
export function pow2String(n: number): string {
  let s = POW2_CACHE[n];
  if (s === undefined) {
    s = (1n << BigInt(n)).toString();
    POW2_CACHE[n] = s;
  }
  return s;
}

const POW2_MINUS_CACHE: string[][] = [[], [], []];
/** 2^n − k as a decimal string (k ∈ {1, 2}; 2^n ≥ k), cached. */
export function pow2MinusString(n: number, k: 1 | 2): string {
  const table = POW2_MINUS_CACHE[k]!;
  let s = table[n];
  if (s === undefined) {
    s = ((1n << BigInt(n)) - BigInt(k)).toString();
    table[n] = s;
  }
  return s;
}
