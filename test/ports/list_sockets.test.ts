import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { parseNetwork } from "../../src/ip/prefix.js";
import { listSockets } from "../../src/ports/list_sockets.js";
import { LISTENING_STATES } from "../../src/ports/socket_filter.js";
import type { SocketRow } from "../../src/ports/socket_row.js";
import { startZoo, type Zoo } from "../helpers/socket_zoo.js";
import { parseSs, ssEndpointIs } from "../helpers/ss_text.js";

function mine(rows: SocketRow[], zoo: Zoo): Map<number, SocketRow> {
  const ids = new Set(zoo.sockets.map((s) => s.inode));
  return new Map(rows.filter((r) => ids.has(r.inode)).map((r) => [r.inode, r]));
}

describe("listSockets on sockets the test opened", { timeout: 30_000 }, () => {
  let zoo: Zoo;
  before(async () => {
    zoo = await startZoo();
  });
  after(async () => {
    await zoo.stop();
  });

  it("finds every zoo socket with its owner, from the default source", () => {
    const t = listSockets();
    const rows = mine(t.rows, zoo);
    for (const s of zoo.sockets) {
      const r = rows.get(s.inode);
      assert.ok(r, `${s.kind} missing`);
      assert.deepEqual(r.processes, [{ pid: zoo.pid, command: "python3", fd: s.fd }], s.kind);
      if (s.port !== null) assert.equal(r.localPort, s.port, s.kind);
      else assert.equal(r.localAddress, s.local, s.kind);
    }
    assert.equal(t.sources.tcp, "netlink");
    assert.equal(t.sources.udp, "netlink");
    assert.equal(t.sources.unix, "netlink");
    // raw_diag may be missing from the kernel: then /proc/net/raw serves, and says so
    assert.equal(
      t.sources.raw === "proc",
      t.fallbacks.some((f) => f.startsWith("raw:")),
    );
  });

  it("gives the same rows from netlink and from /proc/net", () => {
    const a = mine(listSockets({ source: "netlink", protocols: ["tcp", "udp", "unix"] }).rows, zoo);
    const b = mine(listSockets({ source: "proc", protocols: ["tcp", "udp", "unix"] }).rows, zoo);
    assert.equal(a.size, b.size);
    assert.ok(a.size >= 15);
    for (const [inode, n] of a) {
      const p = b.get(inode);
      assert.ok(p, `inode ${inode} only in netlink`);
      // /proc has no Unix queues, uid or peer, and no listen backlog: those are null there
      const fromProc = { ...p };
      const fromNetlink = { ...n };
      if (p.family === "unix") {
        assert.equal(p.recvQ, null);
        assert.equal(p.uid, null);
        assert.equal(p.peerInode, null);
        assert.equal(typeof n.peerInode, "number");
        fromNetlink.recvQ = null;
        fromNetlink.sendQ = null;
        fromNetlink.uid = null;
        fromNetlink.peerInode = null;
      } else if (p.state === "LISTEN") {
        assert.equal(p.sendQ, null);
        fromNetlink.sendQ = null;
      }
      assert.deepEqual(fromProc, fromNetlink);
    }
  });

  it("agrees with ss -tuwxanpe on state, endpoints, queues and users", () => {
    const t = listSockets();
    const ss = parseSs(
      execFileSync("ss", ["-tuwxanpe"], { encoding: "utf8", timeout: 10_000, maxBuffer: 1 << 28 }),
    );
    const rows = mine(t.rows, zoo);
    let compared = 0;
    for (const l of ss) {
      const inode = l.netid.startsWith("u_") ? Number(l.local.split(" ")[1]) : l.inode;
      if (inode === null || !rows.has(inode)) continue;
      const r = rows.get(inode)!;
      assert.equal(r.state, l.state, `state of ${inode}`);
      assert.equal(r.recvQ, l.recvQ, `Recv-Q of ${inode}`);
      assert.equal(r.sendQ, l.sendQ, `Send-Q of ${inode}`);
      assert.deepEqual(
        r.processes.map((p) => ({ command: p.command, pid: p.pid, fd: p.fd })),
        l.users,
        `users of ${inode}`,
      );
      if (r.family === "unix") {
        assert.equal(r.localAddress === "" ? "*" : r.localAddress, l.local.split(" ")[0]);
        assert.equal(`* ${r.peerInode}`, l.peer, `peer of ${inode}`);
      } else {
        assert.ok(
          ssEndpointIs(l.local, r.localAddress, r.localPort!),
          `${l.local} vs ${r.localAddress}:${r.localPort}`,
        );
        assert.ok(
          ssEndpointIs(l.peer, r.peerAddress, r.peerPort!),
          `${l.peer} vs ${r.peerAddress}:${r.peerPort}`,
        );
      }
      compared++;
    }
    // ss -e shows no inode for raw sockets; everything else is compared
    assert.equal(compared, zoo.sockets.filter((s) => s.kind !== "raw-icmp").length);
  });

  it("filters like ss: -l, --port, --sport, --dport, --pid, --process, --dst", () => {
    const listen = zoo.get("tcp-listen");
    const client = zoo.get("tcp-client");
    const accepted = zoo.get("tcp-accepted");
    const inodes = (rows: SocketRow[]) => new Set(mine(rows, zoo).keys());
    assert.deepEqual(
      inodes(listSockets({ protocols: ["tcp"], states: ["LISTEN"], filter: { port: listen.port! } }).rows),
      new Set([listen.inode]),
    );
    assert.deepEqual(
      inodes(listSockets({ protocols: ["tcp"], filter: { port: listen.port! } }).rows),
      new Set([listen.inode, client.inode, accepted.inode]),
    );
    assert.deepEqual(
      inodes(listSockets({ protocols: ["tcp"], filter: { sport: listen.port! } }).rows),
      new Set([listen.inode, accepted.inode]),
    );
    assert.deepEqual(
      inodes(listSockets({ protocols: ["tcp"], filter: { dport: listen.port! } }).rows),
      new Set([client.inode]),
    );
    // the zoo also holds its stdio socketpairs from node's spawn
    const byPid = listSockets({ filter: { pid: zoo.pid } }).rows;
    assert.ok(byPid.every((r) => r.processes.some((p) => p.pid === zoo.pid)));
    for (const s of zoo.sockets)
      assert.ok(
        byPid.some((r) => r.inode === s.inode),
        s.kind,
      );
    assert.ok(byPid.length <= zoo.sockets.length + 3);
    const byName = inodes(listSockets({ filter: { process: "python3" } }).rows);
    for (const s of zoo.sockets) assert.ok(byName.has(s.inode), s.kind);
    const v6 = inodes(listSockets({ filter: { pid: zoo.pid, dst: parseNetwork("::1/128") } }).rows);
    assert.deepEqual(v6, new Set([zoo.get("tcp6-client").inode, zoo.get("tcp6-accepted").inode]));
    const lo = listSockets({ filter: { pid: zoo.pid, dst: parseNetwork("127.0.0.0/8") } }).rows;
    assert.deepEqual(
      new Set(lo.map((r) => r.inode)),
      new Set([client.inode, accepted.inode, zoo.get("udp-connected").inode]),
    );
    const l = listSockets({
      states: LISTENING_STATES,
      families: [6],
      protocols: ["tcp", "udp"],
      filter: { pid: zoo.pid },
    });
    assert.deepEqual(
      new Set(l.rows.map((r) => r.inode)),
      new Set([zoo.get("tcp6-listen").inode, zoo.get("udp6-bound").inode]),
    );
  });
});
