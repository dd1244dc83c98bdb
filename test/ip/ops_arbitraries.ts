/** fast-check generators of addresses and networks shared by the ops tests (text form). */
import fc from "fast-check";
import { Addr } from "../../src/ip/addr.js";
import { Prefix } from "../../src/ip/prefix.js";

export function v4Text(v: number): string {
  return Addr.v4(v).toString();
}

export function v6Text(w: readonly number[]): string {
  return Addr.v6(w[0]!, w[1]!, w[2]!, w[3]!).toString();
}

const word = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 0xffffffff }), weight: 3 },
  { arbitrary: fc.constantFrom(0, 0xffffffff, 0xffff, 0x20010db8, 0x80000000, 1), weight: 2 },
);

/** An address value: IPv4 or IPv6 (words), biased to edges (0, all ones, ::ffff:0:0/96). */
export const arbAddr: fc.Arbitrary<Addr> = fc.oneof(
  word.map((w) => Addr.v4(w)),
  fc.tuple(word, word, word, word).map(([a, b, c, d]) => Addr.v6(a, b, c, d)),
  word.map((w) => Addr.v6(0, 0, 0xffff, w)),
);

/** A prefix with host bits possibly set (the ops accept them), as text. */
export function arbNet(): fc.Arbitrary<string> {
  return arbAddr.chain((a) =>
    fc
      .oneof(fc.integer({ min: 0, max: a.bitLength }), fc.constantFrom(0, a.bitLength, a.bitLength - 1))
      .map((bits) => `${a.toString()}/${bits}`),
  );
}

/** Two addresses of one version, first ≤ last, often close together. */
export function arbRange(): fc.Arbitrary<[string, string]> {
  return fc
    .tuple(arbAddr, fc.bigInt({ min: 0n, max: (1n << 20n) - 1n }), fc.boolean(), arbAddr)
    .map(([a, delta, near, b]) => {
      const max = (1n << BigInt(a.bitLength)) - 1n;
      const x = a.toBigInt();
      let y = near ? x + delta : b.version === a.version ? b.toBigInt() : x + delta;
      if (y > max) y = max;
      const [lo, hi] = x <= y ? [x, y] : [y, x];
      return [Addr.fromBigInt(a.version, lo).toString(), Addr.fromBigInt(a.version, hi).toString()];
    });
}

/** Up to `n` random subnets of one random network (so that many merge), with host bits. */
export function arbSubnetsOf(n: number): fc.Arbitrary<string[]> {
  return fc.tuple(arbAddr, fc.integer({ min: 0, max: 100 })).chain(([a, r]) => {
    const base = Math.max(0, a.bitLength - 8 - (r % 3));
    const baseNet = new Prefix(a, base).masked();
    return fc
      .array(
        fc.tuple(
          fc.bigInt({ min: 0n, max: (1n << BigInt(a.bitLength - base)) - 1n }),
          fc.integer({ min: 0, max: 8 }),
        ),
        { minLength: 1, maxLength: n },
      )
      .map((items) =>
        items.map(([off, extra]) => {
          const addr = Addr.fromBigInt(a.version, baseNet.addr.toBigInt() + off);
          return `${addr.toString()}/${Math.min(base + extra, a.bitLength)}`;
        }),
      );
  });
}

/** A network and a second one of the same version: inside it when `inside`, else anywhere near. */
export function arbPair(inside: boolean): fc.Arbitrary<[string, string]> {
  return fc
    .tuple(
      arbAddr,
      fc.integer({ min: 0, max: 128 }),
      fc.integer({ min: 0, max: 128 }),
      fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
      fc.boolean(),
    )
    .map(([a, b1, b2, off, flip]) => {
      const t = a.bitLength;
      const outer = new Prefix(a, b1 % (t + 1)).masked();
      const span = 1n << BigInt(t - outer.bits);
      const innerAddr = Addr.fromBigInt(a.version, outer.addr.toBigInt() + (off % span));
      const innerBits = inside ? outer.bits + (b2 % (t - outer.bits + 1)) : b2 % (t + 1);
      const pair: [string, string] = [outer.toString(), `${innerAddr.toString()}/${innerBits}`];
      return !inside && flip ? [pair[1], pair[0]] : pair;
    });
}
