/**
 * Differential test of the network operations against CPython 3.13's ipaddress: a few thousand
 * generated cases, sent as one JSON batch to one python process, answers compared one by one.
 * Skips with a printed reason when no CPython 3.13 is installed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { NetkitError } from "../../src/errors.js";
import { parseAddr } from "../../src/ip/addr.js";
import { collapse } from "../../src/ip/collapse.js";
import { exclude } from "../../src/ip/exclude.js";
import { hosts } from "../../src/ip/hosts.js";
import { parseNetwork, parsePrefix } from "../../src/ip/prefix.js";
import { networkContains, networksOverlap } from "../../src/ip/relations.js";
import { subnets } from "../../src/ip/subnets.js";
import { summarizeRange } from "../../src/ip/summarize.js";
import { supernet } from "../../src/ip/supernet.js";
import { arbNet, arbPair, arbRange, arbSubnetsOf, v4Text, v6Text } from "./ops_arbitraries.js";

const FIND = fileURLToPath(new URL("../../../test/helpers/find_python313.sh", import.meta.url));

function findPython(): string | null {
  try {
    return execFileSync("bash", [FIND], { encoding: "utf8", timeout: 10_000 }).trim() || null;
  } catch {
    return null; // the script exits 1 when there is no 3.13: the test then skips with a reason
  }
}

/** The oracle: one JSON array of cases in, one JSON array of answers out. */
const ORACLE = `
import ipaddress as ip, itertools, json, sys
def net(s): return ip.ip_network(s, strict=False)
def run(c):
    op = c["op"]
    try:
        if op == "subnets": return [str(x) for x in net(c["net"]).subnets(new_prefix=c["new"])]
        if op == "supernet": return str(net(c["net"]).supernet(new_prefix=c["new"]))
        if op == "supernet_by": return str(net(c["net"]).supernet(prefixlen_diff=c["by"]))
        if op == "summarize":
            return [str(x) for x in ip.summarize_address_range(ip.ip_address(c["first"]), ip.ip_address(c["last"]))]
        if op == "collapse": return [str(x) for x in ip.collapse_addresses([net(s) for s in c["nets"]])]
        if op == "exclude":
            return sorted((str(x) for x in net(c["net"]).address_exclude(net(c["ex"]))), key=lambda s: net(s))
        if op == "contains_addr": return ip.ip_address(c["x"]) in net(c["net"])
        if op == "subnet_of": return net(c["x"]).subnet_of(net(c["net"]))
        if op == "overlaps": return net(c["a"]).overlaps(net(c["b"]))
        if op == "hosts": return [str(x) for x in itertools.islice(net(c["net"]).hosts(), c["limit"])]
        raise Exception("unknown op " + op)
    except (ValueError, TypeError) as e:
        return {"error": type(e).__name__}
json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
`;

type Case = Record<string, unknown> & { op: string };

/** netkit's answer for a case, in the oracle's shape. */
function ours(c: Case): unknown {
  try {
    const s = (k: string) => c[k] as string;
    const strs = (xs: Iterable<{ toString(): string }>) => [...xs].map(String);
    switch (c.op) {
      case "subnets":
        return strs(subnets(parseNetwork(s("net")), c.new as number));
      case "supernet":
        return supernet(parseNetwork(s("net")), { prefix: c.new as number }).toString();
      case "supernet_by":
        return supernet(parseNetwork(s("net")), { by: c.by as number }).toString();
      case "summarize":
        return strs(summarizeRange(parseAddr(s("first")), parseAddr(s("last"))));
      case "collapse":
        return strs(collapse((c.nets as string[]).map((x) => parseNetwork(x))));
      case "exclude":
        return strs(exclude(parseNetwork(s("net")), [parseNetwork(s("ex"))]));
      case "contains_addr":
      case "subnet_of":
        return networkContains(parseNetwork(s("net")), parsePrefix(s("x")));
      case "overlaps":
        return networksOverlap(parseNetwork(s("a")), parseNetwork(s("b")));
      case "hosts": {
        const out: string[] = [];
        for (const h of hosts(parseNetwork(s("net")))) {
          if (out.length === (c.limit as number)) break;
          out.push(h.toString());
        }
        return out;
      }
    }
  } catch (e) {
    if (e instanceof NetkitError) return { error: e.code };
    throw e;
  }
  throw new Error(`unknown op ${c.op}`);
}

/** Our error codes that correspond to CPython's ValueError/TypeError for each case. */
const ERROR_MAP: Record<string, string> = {
  ERR_RANGE: "ValueError",
  ERR_PREFIX_LENGTH: "ValueError",
  ERR_VERSION_MISMATCH: "TypeError",
};

const SEED = 20260504;
function sample<T>(arb: fc.Arbitrary<T>, n: number, offset: number): T[] {
  return fc.sample(arb, { numRuns: n, seed: SEED + offset });
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  // subnets: at most 2^6 results each.
  for (const [n, d] of sample(fc.tuple(arbNet(), fc.integer({ min: 0, max: 6 })), 400, 1)) {
    const p = parsePrefix(n);
    cases.push({ op: "subnets", net: n, new: Math.min(p.bits + d, p.addr.bitLength) });
  }
  // supernet, including invalid lengths (longer than the network) and /0.
  for (const [n, k] of sample(fc.tuple(arbNet(), fc.integer({ min: 0, max: 128 })), 400, 2)) {
    const p = parsePrefix(n);
    cases.push({ op: "supernet", net: n, new: k % (p.addr.bitLength + 1) });
    if (p.bits > 0) cases.push({ op: "supernet_by", net: n, by: 1 + (k % p.bits) });
  }
  for (const [a, b] of sample(arbRange(), 600, 3)) cases.push({ op: "summarize", first: a, last: b });
  // summarize with first > last, and mixed versions.
  cases.push({ op: "summarize", first: "10.0.0.5", last: "10.0.0.1" });
  cases.push({ op: "summarize", first: "10.0.0.5", last: "::1" });
  for (const nets of sample(arbSubnetsOf(12), 500, 4)) cases.push({ op: "collapse", nets });
  cases.push({ op: "collapse", nets: ["10.0.0.0/8", "::/0"] });
  for (const [n, x] of sample(arbPair(true), 500, 5)) cases.push({ op: "exclude", net: n, ex: x });
  for (const [n, x] of sample(arbPair(false), 500, 6)) {
    cases.push({ op: "subnet_of", net: n, x });
    cases.push({ op: "overlaps", a: n, b: x });
    cases.push({ op: "contains_addr", net: n, x: x.split("/")[0] });
  }
  cases.push({ op: "subnet_of", net: "10.0.0.0/8", x: "::/0" });
  cases.push({ op: "overlaps", a: "10.0.0.0/8", b: "::/0" });
  for (const [n, lim] of sample(fc.tuple(arbNet(), fc.integer({ min: 1, max: 40 })), 400, 7)) {
    cases.push({ op: "hosts", net: n, limit: lim });
  }
  return cases;
}

describe("network operations against CPython 3.13 ipaddress", () => {
  it("agree on a few thousand generated cases", { timeout: 120_000 }, (t) => {
    const py = findPython();
    if (py === null) {
      t.skip("no CPython 3.13 found by test/helpers/find_python313.sh");
      return;
    }
    // Sanity: the generators really produce both versions.
    assert.ok(v4Text(0x0a000001) === "10.0.0.1" && v6Text([0x20010db8, 0, 0, 1]) === "2001:db8::1");
    const cases = buildCases();
    assert.ok(cases.length > 3000, `only ${cases.length} cases`);
    const answers = JSON.parse(
      execFileSync(py, ["-c", ORACLE], {
        input: JSON.stringify(cases),
        encoding: "utf8",
        maxBuffer: 256 << 20,
        timeout: 100_000,
      }),
    ) as unknown[];
    assert.equal(answers.length, cases.length);
    let errors = 0;
    let mismatches = 0;
    const report: string[] = [];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      let want = answers[i];
      let got = ours(c);
      if (isError(got)) {
        errors++;
        got = { error: ERROR_MAP[got.error] ?? got.error };
      }
      // CPython's `in` and overlaps() answer False across versions; netkit refuses the mix.
      if ((c.op === "contains_addr" || c.op === "overlaps") && isError(got) && got.error === "TypeError") {
        want = { error: "TypeError" };
      }
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches++;
        if (report.length < 10)
          report.push(
            `${JSON.stringify(c)}\n  netkit:  ${JSON.stringify(got)}\n  CPython: ${JSON.stringify(want)}`,
          );
      }
    }
    assert.equal(mismatches, 0, `${mismatches} of ${cases.length} cases differ:\n${report.join("\n")}`);
    assert.ok(errors > 10, "the error paths were exercised");
  });
});

function isError(x: unknown): x is { error: string } {
  return typeof x === "object" && x !== null && !Array.isArray(x) && "error" in x;
}
