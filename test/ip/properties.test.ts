/**
 * Laws of the address library, checked with fast-check: text, byte and BigInt round trips,
 * ordering, prefix arithmetic, IPv4-mapped flags, and totality of the parsers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { NetkitError, ParseError } from "../../src/errors.js";
import { Addr, parseAddr } from "../../src/ip/addr.js";
import { analyze } from "../../src/ip/analyze.js";
import { flagsV4, flagsV6 } from "../../src/ip/classify.js";
import { Prefix, parseInterface } from "../../src/ip/prefix.js";

const RUNS = { numRuns: 2000 };

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** A 16-bit group, zero half of the time (to exercise "::" placement). */
const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const groups8 = fc.array(group, { minLength: 8, maxLength: 8 });
const zone = fc.oneof(fc.constant(""), fc.stringMatching(/^[A-Za-z0-9._:-]{1,8}$/));

const v4 = u32.map((v) => Addr.v4(v));
const v6 = fc
  .tuple(groups8, zone)
  .map(([g, z]) =>
    Addr.v6(g[0]! * 65536 + g[1]!, g[2]! * 65536 + g[3]!, g[4]! * 65536 + g[5]!, g[6]! * 65536 + g[7]!, z),
  );
const mapped = u32.map((v) => Addr.v6(0, 0, 0xffff, v));
const anyAddr = fc.oneof(v4, v6, mapped);

const bigOf = (a: Addr): bigint => {
  let n = 0n;
  for (const b of a.toBytes()) n = (n << 8n) | BigInt(b);
  return n;
};

describe("address round trips", () => {
  it("parse(toString(a)) equals a, and toString is a fixed point", () => {
    fc.assert(
      fc.property(anyAddr, (a) => {
        const b = parseAddr(a.toString());
        assert.ok(b.equals(a), `${a} → ${b}`);
        assert.equal(b.toString(), a.toString());
      }),
      RUNS,
    );
  });

  it("parse(toExploded(a)) equals a without its zone; exploded has fixed width", () => {
    fc.assert(
      fc.property(anyAddr, (a) => {
        const e = a.toExploded();
        assert.ok(parseAddr(e).equals(a.withoutZone()), e);
        if (a.version === 6 && !a.is4In6()) assert.match(e, /^([0-9a-f]{4}:){7}[0-9a-f]{4}$/);
      }),
      RUNS,
    );
  });

  it("toBytes and toBigInt agree and round-trip through fromBigInt", () => {
    fc.assert(
      fc.property(anyAddr, (a) => {
        const bytes = a.toBytes();
        assert.equal(bytes.length, a.version === 4 ? 4 : 16);
        assert.equal(bigOf(a), a.toBigInt());
        assert.ok(Addr.fromBigInt(a.version, a.toBigInt()).equals(a.withoutZone()));
      }),
      RUNS,
    );
  });

  it("fromBigInt refuses out-of-range values with ERR_RANGE", () => {
    for (const [version, n] of [
      [4, 1n << 32n],
      [4, -1n],
      [6, 1n << 128n],
    ] as const) {
      assert.throws(
        () => Addr.fromBigInt(version, n),
        (e: unknown) => e instanceof NetkitError && e.code === "ERR_RANGE",
      );
    }
  });

  it("compressed text is canonical (RFC 5952): lower case, no leading zeros, at most one ::", () => {
    fc.assert(
      fc.property(v6, (a) => {
        const s = a.toCompressed();
        assert.doesNotMatch(s, /[A-F]/);
        assert.doesNotMatch(s, /(^|:)0[0-9a-f]/);
        assert.ok(s.split("::").length <= 2, s);
        assert.doesNotMatch(s, /:::/);
      }),
      RUNS,
    );
  });
});

describe("ordering", () => {
  it("compare is consistent with BigInt order (IPv4 before IPv6) and antisymmetric", () => {
    fc.assert(
      fc.property(anyAddr, anyAddr, (a, b) => {
        const c = a.compare(b);
        assert.equal(Math.sign(b.compare(a)) + Math.sign(c), 0);
        if (a.version !== b.version) assert.equal(c, a.version < b.version ? -1 : 1);
        else if (a.toBigInt() !== b.toBigInt()) assert.equal(c, a.toBigInt() < b.toBigInt() ? -1 : 1);
        else assert.equal(c === 0, a.zone === b.zone);
      }),
      RUNS,
    );
  });
});

describe("prefixes", () => {
  const prefix = fc.oneof(
    fc.tuple(v4, fc.integer({ min: 0, max: 32 })),
    fc.tuple(fc.oneof(v6, mapped), fc.integer({ min: 0, max: 128 })),
  );

  it("parseInterface(p.toString()) equals p; first ≤ addr ≤ last; contains(addr)", () => {
    fc.assert(
      fc.property(prefix, ([a, bits]) => {
        const p = new Prefix(a, bits);
        assert.ok(parseInterface(p.toString()).prefix.equals(p), p.toString());
        const n = a.toBigInt();
        const first = p.first().toBigInt();
        const last = p.last().toBigInt();
        const size = 1n << BigInt(a.bitLength - bits);
        assert.ok(first <= n && n <= last);
        assert.equal(last - first + 1n, size);
        assert.equal(first % size, 0n);
        assert.ok(p.contains(a));
        assert.equal(p.netmask().toBigInt() ^ p.hostmask().toBigInt(), (1n << BigInt(a.bitLength)) - 1n);
      }),
      RUNS,
    );
  });

  it("analyze(): counts and first/last hosts follow CPython's hosts() rules", () => {
    fc.assert(
      fc.property(prefix, ([a, bits]) => {
        const info = analyze(`${a.toString()}/${bits}`);
        const hostBits = a.bitLength - bits;
        const size = 1n << BigInt(hostBits);
        assert.equal(info.addressCount, String(size));
        const first = parseAddr(info.networkAddress).toBigInt();
        const fh = parseAddr(info.firstHost).toBigInt();
        const lh = parseAddr(info.lastHost).toBigInt();
        const expectCount = hostBits <= 1 ? size : a.version === 4 ? size - 2n : size - 1n;
        assert.equal(info.hostCount, String(expectCount));
        if (hostBits === 0) assert.equal(fh, a.toBigInt());
        else if (hostBits === 1) assert.equal(fh, first);
        else assert.equal(fh, first + 1n);
        assert.equal(lh - fh + 1n, expectCount);
      }),
      RUNS,
    );
  });

  it("a dotted netmask and its hostmask give the prefix length", () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 32 }), (a, bits) => {
        const p = new Prefix(a, bits);
        const net = parseInterface(`${a}/${p.netmask()}`);
        assert.equal(net.prefix.bits, bits);
        // 0.0.0.0 and 255.255.255.255 are read as netmasks first (/0, /32), as CPython does.
        if (bits !== 0 && bits !== 32) {
          const host = parseInterface(`${a}/${p.hostmask()}`);
          assert.equal(host.prefix.bits, bits);
          assert.equal(host.maskForm, "hostmask");
        }
      }),
      RUNS,
    );
  });
});

describe("IPv4-mapped and IPv4-compatible addresses", () => {
  it("::ffff:a.b.c.d has the IPv4 address's is_private, is_global and is_loopback", () => {
    fc.assert(
      fc.property(u32, (v) => {
        const f4 = flagsV4(v);
        const f6 = flagsV6(0, 0, 0xffff, v);
        assert.equal(f6.isPrivate, f4.isPrivate);
        assert.equal(f6.isGlobal, f4.isGlobal);
        assert.equal(f6.isLoopback, f4.isLoopback);
      }),
      RUNS,
    );
  });

  it("mapped and compatible spellings parse to the documented values", () => {
    fc.assert(
      fc.property(u32, (v) => {
        const dotted = Addr.v4(v).toString();
        const m = parseAddr(`::ffff:${dotted}`);
        assert.ok(m.is4In6());
        assert.equal(m.unmap().toString(), dotted);
        assert.equal(analyze(`::ffff:${dotted}`).ipv4Mapped, dotted);
        const c = parseAddr(`::${dotted}`);
        assert.equal(c.is4In6(), false, "IPv4-compatible is not IPv4-mapped");
        assert.equal(c.toBigInt(), BigInt(v));
        assert.equal(analyze(`::${dotted}`).ipv4Mapped, null);
      }),
      RUNS,
    );
  });
});

describe("parsers are total", () => {
  it("any string either parses or throws a ParseError (never another error)", () => {
    const alphabet = fc.constantFrom(..."0123456789abcdefABCDEFxX:.%/ \t-+\u0664\uff11\u00e9g[]");
    const text = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 48 }),
      fc.string({ unit: "grapheme", maxLength: 24 }),
      fc.string({ unit: "binary", maxLength: 24 }),
    );
    fc.assert(
      fc.property(text, (s) => {
        try {
          const r = parseInterface(s);
          // Whatever parses prints back to something that parses to the same prefix.
          assert.ok(parseInterface(r.prefix.toString()).prefix.equals(r.prefix), s);
        } catch (e) {
          assert.ok(e instanceof ParseError, `${JSON.stringify(s)} threw ${String(e)}`);
          assert.equal(e.input, s);
          assert.ok(e.at >= 0 && e.at <= s.length, `at ${e.at} outside ${JSON.stringify(s)}`);
        }
      }),
      { numRuns: 20000 },
    );
  });
});
