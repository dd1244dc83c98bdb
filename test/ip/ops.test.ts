/**
 * Table tests of the network operations. Expected values come from the CPython ipaddress
 * documentation examples, textbook VLSM, or arithmetic worked out by hand in the comments.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNetkitError } from "../../src/errors.js";
import { parseAddr } from "../../src/ip/addr.js";
import { collapse } from "../../src/ip/collapse.js";
import { exclude } from "../../src/ip/exclude.js";
import { hosts, usableHostCount } from "../../src/ip/hosts.js";
import { parseNetwork, parsePrefix } from "../../src/ip/prefix.js";
import { networkContains, networksOverlap } from "../../src/ip/relations.js";
import { prefixForHosts, splitHosts } from "../../src/ip/split_hosts.js";
import { splitCount, splitPrefix, subnets } from "../../src/ip/subnets.js";
import { summarizeRange } from "../../src/ip/summarize.js";
import { supernet } from "../../src/ip/supernet.js";
import { addPow2, type MutableWords, nextAddr, prevAddr } from "../../src/ip/word_math.js";

const P = parseNetwork;
const S = (xs: Iterable<{ toString(): string }>) => [...xs].map(String);

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isNetkitError(e), `expected a NetkitError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe("split", () => {
  const rows: [string, number, string[]][] = [
    // CPython docs: ip_network('192.0.2.0/24').subnets(prefixlen_diff=2)
    ["192.0.2.0/24", 26, ["192.0.2.0/26", "192.0.2.64/26", "192.0.2.128/26", "192.0.2.192/26"]],
    ["0.0.0.0/0", 1, ["0.0.0.0/1", "128.0.0.0/1"]],
    ["::/0", 1, ["::/1", "8000::/1"]],
    ["10.1.2.3/32", 32, ["10.1.2.3/32"]],
    ["2001:db8::1/128", 128, ["2001:db8::1/128"]],
    // Host bits are ignored (strict=False).
    ["10.0.0.77/30", 31, ["10.0.0.76/31", "10.0.0.78/31"]],
    // The step carries from word 3 into word 2: 2^32 past 2001:db8:: is 2001:db8::1:0:0.
    ["2001:db8::/95", 96, ["2001:db8::/96", "2001:db8::1:0:0/96"]],
    [
      "255.255.255.252/30",
      32,
      ["255.255.255.252/32", "255.255.255.253/32", "255.255.255.254/32", "255.255.255.255/32"],
    ],
  ];
  for (const [net, bits, want] of rows) {
    it(`${net} into /${bits}`, () => {
      assert.deepEqual(S(splitPrefix(P(net), bits)), want);
      // Round trip: every part parses back to itself.
      for (const w of want) assert.equal(P(w).toString(), w);
    });
  }

  it("refuses lengths shorter than the network or beyond the address", () => {
    throwsCode(() => splitPrefix(P("10.0.0.0/24"), 23), "ERR_PREFIX_LENGTH");
    throwsCode(() => splitPrefix(P("10.0.0.0/24"), 33), "ERR_PREFIX_LENGTH");
    throwsCode(() => subnets(P("::/0"), 129).next(), "ERR_PREFIX_LENGTH");
  });

  it("huge IPv6 splits fail at once with the count and the limit in the message", () => {
    throwsCode(
      () => splitPrefix(P("2001:db8::/32"), 64),
      "ERR_TOO_LARGE",
      /2001:db8::\/32 into \/64 gives 4294967296 prefixes, more than the limit 65536/,
    );
    throwsCode(() => splitPrefix(P("::/0"), 128), "ERR_TOO_LARGE", /340282366920938463463374607431768211456/);
    throwsCode(
      () => splitPrefix(P("10.0.0.0/8"), 24, { limit: 1000 }),
      "ERR_TOO_LARGE",
      /65536 prefixes.*limit 1000/,
    );
    assert.equal(splitPrefix(P("10.0.0.0/8"), 24, { limit: 65536 }).length, 65536);
  });

  it("the subnets generator is lazy: the first /128 of ::/0 comes at once", () => {
    const g = subnets(P("::/0"), 128);
    assert.equal(g.next().value?.toString(), "::/128");
    assert.equal(g.next().value?.toString(), "::1/128");
  });

  it("--count: N parts of the longest common length, the rest unallocated", () => {
    const r = splitCount(P("10.0.0.0/24"), 3);
    assert.equal(r.prefixLength, 26);
    assert.deepEqual(S(r.subnets), ["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26"]);
    assert.deepEqual(S(r.unallocated), ["10.0.0.192/26"]);
    // 5 parts need 8 slots (/27): 3 × /27 = 96 addresses left, 10.0.0.160/27 and 10.0.0.192/26.
    const r5 = splitCount(P("10.0.0.0/24"), 5);
    assert.deepEqual(S(r5.unallocated), ["10.0.0.160/27", "10.0.0.192/26"]);
    assert.deepEqual(S(splitCount(P("10.0.0.0/24"), 1).subnets), ["10.0.0.0/24"]);
    throwsCode(() => splitCount(P("10.0.0.0/31"), 3), "ERR_RANGE", /needs \/33/);
    throwsCode(() => splitCount(P("10.0.0.0/8"), 0), "ERR_RANGE");
    throwsCode(() => splitCount(P("::/0"), 100_000), "ERR_TOO_LARGE");
  });
});

describe("split by hosts (VLSM)", () => {
  it("the textbook example: 100, 50, 20 hosts in 192.168.0.0/24", () => {
    const r = splitHosts(P("192.168.0.0/24"), [20, 100, 50]);
    assert.deepEqual(
      r.allocations.map((a) => [a.hosts, a.index, a.prefix.toString(), a.usable]),
      [
        [100, 1, "192.168.0.0/25", 126n],
        [50, 2, "192.168.0.128/26", 62n],
        [20, 0, "192.168.0.192/27", 30n],
      ],
    );
    assert.deepEqual(S(r.unallocated), ["192.168.0.224/27"]);
    assert.deepEqual(r.unfit, []);
  });

  it("what does not fit is reported, and smaller requests after it still get space", () => {
    const r = splitHosts(P("192.168.0.0/24"), [200, 100, 10]);
    assert.deepEqual(
      r.allocations.map((a) => a.prefix.toString()),
      ["192.168.0.0/24"],
    );
    assert.deepEqual(r.unfit, [
      { hosts: 100, index: 1 },
      { hosts: 10, index: 2 },
    ]);
    const r2 = splitHosts(P("10.0.0.0/29"), [300, 2]);
    assert.deepEqual(r2.unfit, [{ hosts: 300, index: 0 }]);
    assert.deepEqual(S(r2.allocations.map((a) => a.prefix)), ["10.0.0.0/31"]);
    assert.deepEqual(S(r2.unallocated), ["10.0.0.2/31", "10.0.0.4/30"]);
  });

  it("host-count rule: 1 → /32, 2 → /31, 3 → /29 (IPv4); IPv6 2^h − 1", () => {
    assert.equal(prefixForHosts(4, 1), 32);
    assert.equal(prefixForHosts(4, 2), 31);
    assert.equal(prefixForHosts(4, 3), 29);
    assert.equal(prefixForHosts(4, 6), 29);
    assert.equal(prefixForHosts(4, 7), 28);
    assert.equal(prefixForHosts(4, 254), 24);
    assert.equal(prefixForHosts(4, 255), 23);
    assert.equal(prefixForHosts(4, 2 ** 32), -1);
    assert.equal(prefixForHosts(6, 3), 126);
    assert.equal(prefixForHosts(6, 4), 125);
    assert.equal(usableHostCount(6, 64), 2n ** 64n - 1n);
    throwsCode(() => splitHosts(P("10.0.0.0/8"), [0]), "ERR_RANGE");
    throwsCode(() => splitHosts(P("10.0.0.0/8"), [1.5]), "ERR_RANGE");
  });
});

describe("supernet", () => {
  it("CPython docs: 192.0.2.0/24 → /23, and new_prefix=20 → 192.0.0.0/20", () => {
    assert.equal(supernet(P("192.0.2.0/24")).toString(), "192.0.2.0/23");
    assert.equal(supernet(P("192.0.2.0/24"), { prefix: 20 }).toString(), "192.0.0.0/20");
    assert.equal(supernet(P("192.0.3.0/24"), { by: 1 }).toString(), "192.0.2.0/23");
    assert.equal(supernet(P("2001:db8:1::/48"), { by: 16 }).toString(), "2001:db8::/32");
  });
  it("/0 stays /0; impossible lengths are ERR_RANGE", () => {
    assert.equal(supernet(P("0.0.0.0/0")).toString(), "0.0.0.0/0");
    assert.equal(supernet(P("::/0"), { by: 5 }).toString(), "::/0");
    throwsCode(() => supernet(P("10.0.0.0/8"), { prefix: 9 }), "ERR_RANGE");
    throwsCode(() => supernet(P("10.0.0.0/8"), { by: 9 }), "ERR_RANGE");
    throwsCode(() => supernet(P("10.0.0.0/8"), { by: 1, prefix: 4 }), "ERR_RANGE");
    assert.equal(supernet(P("10.0.0.0/8"), { by: 8 }).toString(), "0.0.0.0/0");
  });
});

describe("summarize", () => {
  const A = parseAddr;
  it("CPython docs: 192.0.2.0 – 192.0.2.130", () => {
    assert.deepEqual(S(summarizeRange(A("192.0.2.0"), A("192.0.2.130"))), [
      "192.0.2.0/25",
      "192.0.2.128/31",
      "192.0.2.130/32",
    ]);
  });
  it("whole spaces, single addresses, and the worst case", () => {
    assert.deepEqual(S(summarizeRange(A("0.0.0.0"), A("255.255.255.255"))), ["0.0.0.0/0"]);
    assert.deepEqual(S(summarizeRange(A("::"), A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))), ["::/0"]);
    assert.deepEqual(S(summarizeRange(A("10.0.0.1"), A("10.0.0.1"))), ["10.0.0.1/32"]);
    assert.deepEqual(S(summarizeRange(A("::1"), A("::1"))), ["::1/128"]);
    // 1 … 2^n − 2 needs one block per bit on each side: 2 × (n − 1).
    assert.equal(summarizeRange(A("0.0.0.1"), A("255.255.255.254")).length, 62);
    assert.equal(summarizeRange(A("::1"), A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")).length, 254);
    // Zones are dropped from the result.
    assert.deepEqual(S(summarizeRange(A("fe80::%eth0"), A("fe80::1%eth0"))), ["fe80::/127"]);
  });
  it("errors: reversed range, mixed versions", () => {
    throwsCode(() => summarizeRange(A("10.0.0.2"), A("10.0.0.1")), "ERR_RANGE");
    throwsCode(() => summarizeRange(A("10.0.0.1"), A("::1")), "ERR_VERSION_MISMATCH");
  });
});

describe("collapse", () => {
  it("CPython docs: 192.0.2.0/25 + 192.0.2.128/25 → 192.0.2.0/24", () => {
    assert.deepEqual(S(collapse([P("192.0.2.0/25"), P("192.0.2.128/25")])), ["192.0.2.0/24"]);
  });
  it("drops duplicates and contained prefixes, merges chains, sorts", () => {
    const input = [
      "10.0.1.0/24",
      "10.0.0.0/25",
      "10.0.0.128/26",
      "10.0.0.192/26",
      "10.0.1.7/32",
      "10.0.1.0/24",
      "9.0.0.0/8",
    ];
    assert.deepEqual(S(collapse(input.map((x) => P(x)))), ["9.0.0.0/8", "10.0.0.0/23"]);
    assert.deepEqual(S(collapse([P("::/1"), P("8000::/1")])), ["::/0"]);
    assert.deepEqual(S(collapse([P("0.0.0.0/0"), P("10.0.0.0/8")])), ["0.0.0.0/0"]);
    assert.deepEqual(collapse([]), []);
    // Adjacent but not siblings: 10.0.1.0/24 + 10.0.2.0/24 cannot become one prefix.
    assert.deepEqual(S(collapse([P("10.0.1.0/24"), P("10.0.2.0/24")])), ["10.0.1.0/24", "10.0.2.0/24"]);
  });
  it("mixed versions are an error", () => {
    throwsCode(() => collapse([P("10.0.0.0/8"), P("::/0")]), "ERR_VERSION_MISMATCH");
  });
  it("131,072 /32s collapse to one /15 quickly", () => {
    const list = [];
    for (let i = 0; i < 131072; i++) list.push(parsePrefix(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`));
    // No time is asserted: a quadratic collapse of 131,072 prefixes would run into the test's guard.
    assert.deepEqual(S(collapse(list)), ["10.0.0.0/15"]);
  });
});

describe("exclude", () => {
  it("CPython docs: 192.0.2.0/28 minus 192.0.2.1/32 (sorted by address)", () => {
    assert.deepEqual(S(exclude(P("192.0.2.0/28"), [P("192.0.2.1/32")])), [
      "192.0.2.0/32",
      "192.0.2.2/31",
      "192.0.2.4/30",
      "192.0.2.8/29",
    ]);
  });
  it("several excluded, outside ones ignored, a containing one removes everything", () => {
    assert.deepEqual(S(exclude(P("10.0.0.0/24"), [P("10.0.0.0/26"), P("10.0.0.192/26"), P("11.0.0.0/8")])), [
      "10.0.0.64/26",
      "10.0.0.128/26",
    ]);
    assert.deepEqual(exclude(P("10.0.0.0/24"), [P("10.0.0.0/8")]), []);
    assert.deepEqual(S(exclude(P("10.0.0.0/24"), [])), ["10.0.0.0/24"]);
    assert.deepEqual(exclude(P("10.0.0.0/24"), [P("10.0.0.0/24")]), []);
  });
  it("IPv6 /0 minus one address is 128 prefixes; the top address works too", () => {
    assert.equal(exclude(P("::/0"), [P("::1/128")]).length, 128);
    const top = exclude(P("::/0"), [P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")]);
    assert.equal(top.length, 128);
    assert.equal(top[0]!.toString(), "::/1");
    throwsCode(() => exclude(P("10.0.0.0/8"), [P("::/0")]), "ERR_VERSION_MISMATCH");
  });
});

describe("contains and overlaps", () => {
  const rows: [string, string, boolean, boolean][] = [
    // outer, inner, contains, overlaps
    ["10.0.0.0/8", "10.1.2.3", true, true],
    ["10.0.0.0/8", "11.0.0.0", false, false],
    ["10.0.0.0/8", "10.0.0.0/8", true, true],
    ["10.0.0.0/8", "10.0.0.0/7", false, true],
    ["10.1.2.3/8", "10.255.255.255/32", true, true], // host bits of NET ignored
    ["0.0.0.0/0", "255.255.255.255", true, true],
    ["2001:db8::/32", "2001:db8:ffff::1", true, true],
    ["2001:db8::/32", "2001:db9::", false, false],
    ["fe80::/64", "fe80::1%eth0", true, true], // zones do not matter for containment
    ["::/0", "::ffff:10.0.0.1", true, true],
  ];
  for (const [outer, inner, c, o] of rows) {
    it(`${outer} ∋ ${inner}: ${c}; overlaps: ${o}`, () => {
      assert.equal(networkContains(P(outer), parsePrefix(inner)), c);
      assert.equal(networksOverlap(P(outer), parsePrefix(inner)), o);
      assert.equal(networksOverlap(parsePrefix(inner), P(outer)), o);
    });
  }
  it("IPv4 and IPv4-mapped IPv6 are different: mixing is an error", () => {
    throwsCode(
      () => networkContains(P("10.0.0.0/8"), parsePrefix("::ffff:10.0.0.1")),
      "ERR_VERSION_MISMATCH",
    );
    throwsCode(() => networksOverlap(P("::/0"), P("0.0.0.0/0")), "ERR_VERSION_MISMATCH");
  });
});

describe("hosts", () => {
  it("CPython docs: 192.0.2.0/29, /31 and /32", () => {
    assert.deepEqual(S(hosts(P("192.0.2.0/29"))), [
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.3",
      "192.0.2.4",
      "192.0.2.5",
      "192.0.2.6",
    ]);
    assert.deepEqual(S(hosts(P("192.0.2.0/31"))), ["192.0.2.0", "192.0.2.1"]);
    assert.deepEqual(S(hosts(P("192.0.2.1/32"))), ["192.0.2.1"]);
  });
  it("IPv6 skips only the Subnet-Router anycast address; /127 and /128", () => {
    assert.deepEqual(S(hosts(P("2001:db8::/126"))), ["2001:db8::1", "2001:db8::2", "2001:db8::3"]);
    assert.deepEqual(S(hosts(P("2001:db8::/127"))), ["2001:db8::", "2001:db8::1"]);
    assert.deepEqual(S(hosts(P("2001:db8::5/128"))), ["2001:db8::5"]);
    const g = hosts(P("2001:db8::fffe:0/111"));
    const first = [];
    for (const h of g) {
      first.push(h.toString());
      if (first.length === 2) break;
    }
    assert.deepEqual(first, ["2001:db8::fffe:1", "2001:db8::fffe:2"]);
  });
  it("the last hosts of the top IPv6 /126 and the carry across words", () => {
    assert.deepEqual(S(hosts(P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126"))), [
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]);
  });
  it("word arithmetic carries across all four words and reports overflow", () => {
    const w: MutableWords = [0, 0xffffffff, 0xffffffff, 0xffffffff];
    assert.equal(addPow2(w, 0, 128), false);
    assert.deepEqual(w, [1, 0, 0, 0]);
    const top: MutableWords = [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff];
    assert.equal(addPow2(top, 0, 128), true);
    const v4: MutableWords = [0, 0, 0, 0xffffffff];
    assert.equal(addPow2(v4, 0, 32), true);
    assert.equal(nextAddr(parseAddr("::ffff:ffff"))?.toString(), "::1:0:0");
    assert.equal(prevAddr(parseAddr("::1:0:0"))?.toString(), "::ffff:ffff");
    assert.equal(nextAddr(parseAddr("255.255.255.255")), null);
    assert.equal(prevAddr(parseAddr("0.0.0.0")), null);
    assert.equal(prevAddr(parseAddr("::")), null);
  });
  it("hosts of ::/0 starts at once", () => {
    const g = hosts(P("::/0"));
    assert.equal(g.next().value?.toString(), "::1");
  });
});
