import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isNetkitError, ParseError } from "../../src/errors.js";
import {
  isEphemeral,
  isReserved,
  parsePortRange,
  parseReservedPorts,
  readKernelPorts,
} from "../../src/ports/kernel_ports.js";
import { parsePortSpec } from "../../src/ports/port_spec.js";
import { portCategory, portsForName, serviceNames } from "../../src/ports/registry.js";

describe("IANA registry", () => {
  it("puts the common name first and keeps the package's alias", () => {
    assert.deepEqual(
      serviceNames(80, "tcp").map((s) => s.name),
      ["http", "www", "www-http"],
    );
    assert.equal(serviceNames(443, "tcp")[0]!.name, "https");
    assert.equal(serviceNames(22, "tcp")[0]!.name, "ssh");
    assert.equal(serviceNames(53, "udp")[0]!.name, "domain");
    assert.equal(serviceNames(631, "tcp")[0]!.name, "ipp");
    assert.ok(serviceNames(631, "tcp").some((s) => s.name === "ipps"));
    assert.deepEqual(
      serviceNames(465, "udp").map((s) => s.name),
      ["igmpv3lite"],
    );
    assert.deepEqual(serviceNames(0, "tcp"), []);
  });

  it("agrees with the IANA section of Debian's /etc/services", (t) => {
    let text: string;
    try {
      text = readFileSync("/etc/services", "utf8");
    } catch {
      t.skip("/etc/services is not installed (netbase)");
      return;
    }
    // The file's first section is "Updated from" the IANA registry; the rest is local lore.
    const end = text.indexOf("# UNIX specific services");
    assert.ok(end > 0, "section marker not found");
    // Debian names that IANA does not register (15/tcp is unassigned, 21/udp is ftp, 210 is z39.50).
    const notIana = new Set(["netstat 15/tcp", "fsp 21/udp", "z3950 210/tcp"]);
    let checked = 0;
    for (const line of text.slice(0, end).split("\n")) {
      const f = line.replace(/#.*/, "").trim().split(/\s+/);
      if (f.length < 2) continue;
      const [name, pp, ...aliases] = f as [string, string, ...string[]];
      const [port, proto] = pp.split("/") as [string, string];
      if (proto !== "tcp" && proto !== "udp") continue;
      if (notIana.has(`${name} ${pp}`)) continue;
      const ours = serviceNames(Number(port), proto).map((s) => s.name);
      assert.ok(
        [name, ...aliases].some((n) => ours.includes(n)),
        `${line.trim()}: netkit has ${ours.join(",") || "nothing"}`,
      );
      checked++;
    }
    assert.ok(checked > 50, `only ${checked} entries checked`);
  });

  it("maps names to every TCP/UDP port, case-insensitively", () => {
    const http = portsForName("HTTP");
    assert.deepEqual(http.slice(0, 3), [
      { port: 80, transport: "tcp" },
      { port: 80, transport: "udp" },
      { port: 80, transport: "sctp" },
    ]);
    assert.deepEqual(portsForName("no-such-service-xyz"), []);
    for (const p of portsForName("domain"))
      assert.ok(serviceNames(p.port, p.transport).some((s) => s.name === "domain"));
  });

  it("categorises ports at every boundary (RFC 6335)", () => {
    const table: [number, string][] = [
      [0, "well-known"],
      [1023, "well-known"],
      [1024, "registered"],
      [49151, "registered"],
      [49152, "dynamic"],
      [65535, "dynamic"],
    ];
    for (const [p, c] of table) assert.equal(portCategory(p), c, String(p));
    assert.throws(() => portCategory(65536), RangeError);
    assert.throws(() => portCategory(-1), RangeError);
  });
});

describe("kernel port ranges", () => {
  it("parses the sysctl formats", () => {
    assert.deepEqual(parsePortRange("32768\t60999\n"), { first: 32768, last: 60999 });
    assert.deepEqual(parseReservedPorts("\n"), []);
    assert.deepEqual(parseReservedPorts("8080,9000-9100\n"), [
      { first: 8080, last: 8080 },
      { first: 9000, last: 9100 },
    ]);
    assert.throws(
      () => parsePortRange("32768"),
      (e) => isNetkitError(e, "ERR_PROC_FORMAT"),
    );
    assert.throws(
      () => parseReservedPorts("70000"),
      (e) => isNetkitError(e, "ERR_PROC_FORMAT"),
    );
    const k = { ephemeral: { first: 32768, last: 60999 }, reserved: [{ first: 9000, last: 9100 }] };
    assert.equal(isEphemeral(k, 32768), true);
    assert.equal(isEphemeral(k, 61000), false);
    assert.equal(isReserved(k, 9100), true);
    assert.equal(isReserved(k, 9101), false);
  });

  it("reads this kernel's settings like sysctl does", async () => {
    const k = await readKernelPorts();
    const [a, b] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    assert.deepEqual(k.ephemeral, { first: Number(a), last: Number(b) });
    await assert.rejects(readKernelPorts("/nonexistent"), (e) => isNetkitError(e, "ERR_IO"));
  });
});

describe("port specs", () => {
  it("parses numbers, transports and names", () => {
    assert.deepEqual(parsePortSpec("80").entries, [
      { port: 80, transport: "tcp" },
      { port: 80, transport: "udp" },
    ]);
    assert.deepEqual(parsePortSpec("2000/udp").entries, [{ port: 2000, transport: "udp" }]);
    assert.deepEqual(parsePortSpec("tcp:22").entries, [{ port: 22, transport: "tcp" }]);
    assert.deepEqual(parsePortSpec("TCP:0").entries, [{ port: 0, transport: "tcp" }]);
    const ssh = parsePortSpec("ssh");
    assert.equal(ssh.service, "ssh");
    assert.deepEqual(ssh.entries, [
      { port: 22, transport: "tcp" },
      { port: 22, transport: "udp" },
    ]);
    assert.deepEqual(parsePortSpec("udp:domain").entries, [{ port: 53, transport: "udp" }]);
    assert.deepEqual(parsePortSpec("http/tcp").entries.slice(0, 1), [{ port: 80, transport: "tcp" }]);
  });

  it("rejects bad specs with a reason and a position", () => {
    const table: [string, RegExp, number][] = [
      ["", /empty/, -1],
      ["65536", /greater than 65535/, 0],
      ["080", /leading zero/, 0],
      ["80/sctp", /unknown transport "sctp"/, 3],
      ["tcp:", /port is empty/, 4],
      ["/udp", /port is empty/, 0],
      ["8o", /character "o"/, 1],
      ["tcp:80/udp", /either/, 6],
      ["ss h", /character " "/, 2],
      ["+80", /character "\+"/, 0],
    ];
    for (const [input, reason, at] of table) {
      assert.throws(
        () => parsePortSpec(input),
        (e) => e instanceof ParseError && e.code === "ERR_PORT_SPEC" && reason.test(e.reason) && e.at === at,
        input,
      );
    }
    assert.throws(
      () => parsePortSpec("no-such-service-xyz"),
      (e) => isNetkitError(e, "ERR_UNKNOWN_SERVICE"),
    );
  });
});
