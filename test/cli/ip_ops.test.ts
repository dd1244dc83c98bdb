/** `netkit ip <op>`: exit codes, --json shapes, limits, stdin. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runBin, runCli } from "../helpers/cli.js";

describe("netkit ip operations (CLI)", () => {
  it("split --prefix prints one prefix per line; --json has the count as a string", async () => {
    const r = await runCli(["ip", "split", "192.168.0.0/24", "--prefix", "/26"]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      "192.168.0.0/26",
      "192.168.0.64/26",
      "192.168.0.128/26",
      "192.168.0.192/26",
    ]);
    const j = await runCli(["ip", "split", "2001:db8::/48", "--prefix", "50", "--json"]);
    assert.equal(j.code, 0);
    assert.deepEqual(JSON.parse(j.stdout), {
      network: "2001:db8::/48",
      prefixLength: 50,
      count: "4",
      subnets: ["2001:db8::/50", "2001:db8:0:4000::/50", "2001:db8:0:8000::/50", "2001:db8:0:c000::/50"],
    });
  });

  it("a huge IPv6 split fails fast with ERR_TOO_LARGE and no output; --limit raises the bound", async () => {
    // Enumerating 2^32 subnets first would run into the test's guard; no time is asserted.
    const r = await runCli(["ip", "split", "2001:db8::/32", "--prefix", "64"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^netkit: ERR_TOO_LARGE: split of 2001:db8::\/32 into \/64 gives 4294967296 prefixes, more than the limit 65536; use --limit/,
    );
    const ok = await runCli(["ip", "split", "10.0.0.0/8", "--prefix", "26", "--limit", "262144"]);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout.split("\n").length - 1, 262144);
  });

  it("split --count and --hosts; unfit host requests exit 1 after printing the allocations", async () => {
    const c = await runCli(["ip", "split", "10.0.0.0/24", "--count", "3", "--json"]);
    assert.equal(c.code, 0);
    const cj = JSON.parse(c.stdout);
    assert.deepEqual(cj.subnets, ["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26"]);
    assert.deepEqual(cj.unallocated, ["10.0.0.192/26"]);
    const h = await runCli(["ip", "split", "192.168.0.0/24", "--hosts", "100,50,20"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^192\.168\.0\.0\/25\s+100 hosts \(126 usable\)$/m);
    assert.match(h.stdout, /^192\.168\.0\.224\/27\s+unallocated$/m);
    const bad = await runCli(["ip", "split", "192.168.0.0/24", "--hosts", "200,100", "--json"]);
    assert.equal(bad.code, 1);
    const bj = JSON.parse(bad.stdout);
    assert.deepEqual(bj.allocations, [{ hosts: 200, prefix: "192.168.0.0/24", usable: "254" }]);
    assert.deepEqual(bj.unfit, [{ hosts: 100 }]);
    assert.match(bad.stderr, /do not fit in 192\.168\.0\.0\/24: 100/);
  });

  it("usage errors exit 2 before any work", async () => {
    const cases: string[][] = [
      ["ip", "split", "10.0.0.0/8"],
      ["ip", "split", "10.0.0.0/8", "--prefix", "9", "--count", "2"],
      ["ip", "split", "10.0.0.0/8", "--prefix", "x"],
      ["ip", "split", "10.0.0.0/8", "--hosts", "10,,2"],
      ["ip", "split", "10.0.0.0/8", "--hosts", "0"],
      ["ip", "split", "10.0.0.0/8", "--hosts", "5", "--limit", "3"],
      ["ip", "split", "10.0.0.0/8", "--count", "0"],
      ["ip", "supernet", "10.0.0.0/8", "--prefix", "4", "--by", "2"],
      ["ip", "summarize", "10.0.0.1"],
      ["ip", "overlaps", "10.0.0.0/8"],
      ["ip", "contains", "10.0.0.0/8"],
      ["ip", "exclude", "10.0.0.0/8"],
      ["ip", "collapse"],
      ["ip", "collapse", "-", "10.0.0.0/8"],
      ["ip", "list", "10.0.0.0/8", "--limit", "0"],
      ["ip", "list", "10.0.0.0/8", "--bogus"],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")} → ${r.code} ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.split("\n").length, 2, r.stderr);
    }
  });

  it("contains / overlaps: yes + 0, no + 1, JSON result; invalid input is 1 with an error line", async () => {
    const yes = await runBin(["ip", "contains", "10.0.0.0/8", "10.1.2.3"]);
    assert.deepEqual([yes.code, yes.stdout], [0, "yes\n"]);
    const no = await runBin(["ip", "contains", "10.0.0.0/8", "11.0.0.1"]);
    assert.deepEqual([no.code, no.stdout], [1, "no\n"]);
    const many = await runCli([
      "ip",
      "contains",
      "--json",
      "10.0.0.0/8",
      "10.1.2.3",
      "10.2.0.0/16",
      "12.0.0.0/8",
    ]);
    assert.equal(many.code, 1);
    assert.deepEqual(JSON.parse(many.stdout), {
      result: false,
      network: "10.0.0.0/8",
      items: [
        { item: "10.1.2.3", result: true },
        { item: "10.2.0.0/16", result: true },
        { item: "12.0.0.0/8", result: false },
      ],
    });
    const ov = await runCli(["ip", "overlaps", "--json", "10.0.0.0/8", "10.1.0.0/16"]);
    assert.deepEqual(
      [ov.code, JSON.parse(ov.stdout)],
      [0, { result: true, a: "10.0.0.0/8", b: "10.1.0.0/16" }],
    );
    const ovNo = await runCli(["ip", "overlaps", "10.0.0.0/8", "11.0.0.0/8"]);
    assert.deepEqual([ovNo.code, ovNo.stdout], [1, "no\n"]);
    const mixed = await runCli(["ip", "overlaps", "10.0.0.0/8", "::/0"]);
    assert.equal(mixed.code, 1);
    assert.equal(mixed.stdout, "");
    assert.match(mixed.stderr, /ERR_VERSION_MISMATCH/);
    const bad = await runCli(["ip", "contains", "10.0.0.0/8", "10.0.0.256"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ERR_ADDR_SYNTAX/);
  });

  it("list: default limit 256 with a note on stderr; --json streams a valid object", async () => {
    const r = await runCli(["ip", "list", "10.0.0.0/16"]);
    assert.equal(r.code, 0);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 256);
    assert.equal(lines[0], "10.0.0.1");
    assert.equal(lines[255], "10.0.1.0");
    assert.match(r.stderr, /showing the first 256 of 65534 hosts of 10\.0\.0\.0\/16; use --limit/);
    const j = await runCli(["ip", "list", "--json", "2001:db8::/64", "--limit", "3"]);
    assert.deepEqual(JSON.parse(j.stdout), {
      network: "2001:db8::/64",
      hostCount: "18446744073709551615",
      limit: 3,
      truncated: true,
      hosts: ["2001:db8::1", "2001:db8::2", "2001:db8::3"],
    });
    const small = await runCli(["ip", "list", "192.0.2.0/30", "--json"]);
    assert.equal(small.stderr, "");
    assert.deepEqual(JSON.parse(small.stdout).hosts, ["192.0.2.1", "192.0.2.2"]);
    assert.equal(JSON.parse(small.stdout).truncated, false);
  });

  it("collapse from args and from stdin (blank lines and # comments skipped, bad line numbered)", async () => {
    const a = await runCli(["ip", "collapse", "192.0.2.0/25", "192.0.2.128/25", "10.0.0.0/8"]);
    assert.deepEqual([a.code, a.stdout], [0, "10.0.0.0/8\n192.0.2.0/24\n"]);
    const lines: string[] = [];
    for (let i = 0; i < 70000; i++) lines.push(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    const s = await runCli(["ip", "collapse", "--json", "-"], `# list\n\n${lines.join("\n")}\r\n`);
    assert.equal(s.code, 0);
    // 70,000 = 65,536 + 4,096 + 256 + 112 (= 64 + 32 + 16) addresses from 10.0.0.0.
    assert.deepEqual(JSON.parse(s.stdout), {
      inputs: 70000,
      prefixes: [
        "10.0.0.0/16",
        "10.1.0.0/20",
        "10.1.16.0/24",
        "10.1.17.0/26",
        "10.1.17.64/27",
        "10.1.17.96/28",
      ],
    });
    const bad = await runCli(["ip", "collapse", "-"], "10.0.0.0/8\nnope\n");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /line 2: .*ERR_ADDR_SYNTAX|ERR_ADDR_SYNTAX: line 2/);
    const limited = await runCli([
      "ip",
      "collapse",
      "--limit",
      "2",
      "10.0.0.0/8",
      "12.0.0.0/8",
      "14.0.0.0/8",
    ]);
    assert.equal(limited.code, 1);
    assert.match(limited.stderr, /ERR_TOO_LARGE: collapse holds .* 3 networks .* limit 2/);
  });

  it("summarize, exclude and supernet in text and JSON", async () => {
    const s = await runCli(["ip", "summarize", "--json", "192.0.2.0", "192.0.2.130"]);
    assert.deepEqual(JSON.parse(s.stdout), {
      first: "192.0.2.0",
      last: "192.0.2.130",
      prefixes: ["192.0.2.0/25", "192.0.2.128/31", "192.0.2.130/32"],
    });
    const rev = await runCli(["ip", "summarize", "10.0.0.2", "10.0.0.1"]);
    assert.equal(rev.code, 1);
    assert.match(rev.stderr, /ERR_RANGE/);
    const e = await runCli(["ip", "exclude", "192.0.2.0/28", "192.0.2.1"]);
    assert.deepEqual([e.code, e.stdout], [0, "192.0.2.0/32\n192.0.2.2/31\n192.0.2.4/30\n192.0.2.8/29\n"]);
    const sn = await runCli(["ip", "supernet", "192.0.2.0/24", "--prefix", "20", "--json"]);
    assert.deepEqual(JSON.parse(sn.stdout), { network: "192.0.2.0/24", supernet: "192.0.0.0/20" });
    const by = await runCli(["ip", "supernet", "10.1.2.3/24", "--by", "8"]);
    assert.deepEqual([by.code, by.stdout], [0, "10.1.0.0/16\n"]);
  });

  it("--help documents every operation with examples", async () => {
    const h = await runCli(["ip", "split", "--help"]);
    assert.equal(h.code, 0);
    for (const op of [
      "split",
      "supernet",
      "summarize",
      "collapse",
      "exclude",
      "contains",
      "overlaps",
      "list",
    ]) {
      assert.match(h.stdout, new RegExp(`netkit ip ${op} `));
    }
    assert.match(h.stdout, /--limit N/);
  });
});
