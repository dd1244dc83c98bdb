import assert from "node:assert/strict";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import net from "node:net";
import { describe, it } from "node:test";
import { parseProcNetRow, rowsForPorts } from "../../src/cli/demo_proc_net.js";
import { runBin } from "../helpers/cli.js";
import { fixture } from "../helpers/peers.js";

describe("netkit demo: the notes' sockets scenario", () => {
  it("runs the UDP and TCP exchanges, shows the socket states, ends by itself with exit 0", async () => {
    const t0 = Date.now();
    const r = await runBin(["demo"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 5000, "ends within a few seconds");
    assert.equal(r.stdout.split("Received response: HELLO, SERVER!").length, 3);
    for (const state of ["UNCONN", "LISTEN", "ESTAB", "TIME-WAIT"])
      assert.match(r.stdout, new RegExp(`\\b${state}\\b`));
    assert.match(r.stdout, /three-way handshake/);
    assert.match(r.stdout, /192\.168\.1\.0\/24/); // the IP examples follow
  });

  it("says so and uses a free port when 2000 is taken (proved by holding it ourselves)", async () => {
    const u = dgram.createSocket("udp4");
    const t = net.createServer();
    const held: string[] = [];
    await new Promise<void>((res) => {
      u.once("error", () => res()); // already taken by someone else: just as good for this test
      u.bind(2000, "127.0.0.1", () => {
        held.push("udp");
        res();
      });
    });
    await new Promise<void>((res) => {
      t.once("error", () => res());
      t.listen(2000, "127.0.0.1", () => {
        held.push("tcp");
        res();
      });
    });
    try {
      const r = await runBin(["demo", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      for (const proto of ["udp", "tcp"] as const) {
        assert.notEqual(j[proto].port, 2000);
        assert.match(j[proto].fallback, /port 2000 is taken/);
        assert.equal(j[proto].reply, "HELLO, SERVER!");
      }
      assert.ok(j.tcp.afterClose.some((row: { state: string }) => row.state === "TIME-WAIT"));
    } finally {
      if (held.includes("udp")) u.close();
      if (held.includes("tcp")) t.close();
    }
  });
});

describe("the demo's /proc/net parser (captured fixtures)", () => {
  it("reads host-order addresses, hex ports and ss state names", () => {
    const tcp = readFileSync(fixture("proc_net/tcp"), "utf8");
    const rows = tcp
      .split("\n")
      .map((l) => parseProcNetRow(l, "tcp"))
      .filter((x) => x !== undefined);
    assert.equal(rows.length, 7);
    assert.deepEqual(rows[0], {
      proto: "tcp",
      local: "127.0.0.1:42835",
      localPort: 0xa753,
      remote: "0.0.0.0:0",
      state: "LISTEN",
      inode: 280553,
    });
    assert.equal(rows[2]!.local, "0.0.0.0:2024");
    assert.equal(rows[3]!.state, "ESTAB");
    assert.equal(rows[5]!.state, "TIME-WAIT");
    assert.equal(rows[5]!.inode, 0);
    assert.equal(parseProcNetRow("  sl  local_address rem_address   st", "tcp"), undefined);
    assert.equal(parseProcNetRow("   0: 0100007G:A753 00000000:0000 0A 0 0 0 0 0 1", "tcp"), undefined);
  });

  it("filters by port on a captured UDP table (bound server UNCONN, connected client ESTAB)", () => {
    const udp = readFileSync(fixture("proc_net/udp"), "utf8");
    const rows = rowsForPorts(udp, "udp", [34284]);
    assert.deepEqual(
      rows.map((r) => [r.local, r.state]),
      [["127.0.0.1:34284", "UNCONN"]],
    );
    assert.equal(rowsForPorts(udp, "udp", [41721])[0]!.remote, "127.0.0.1:34284");
  });
});
