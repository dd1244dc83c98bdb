import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isNetkitError } from "../../src/errors.js";
import { parseProcNetInet, parseProcNetUnix } from "../../src/ports/proc_net.js";
import type { SocketRow } from "../../src/ports/socket_row.js";
import { parseSs, ssEndpointIs } from "../helpers/ss_text.js";

const DIR = new URL("../../../test/fixtures/proc_net/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), "utf8");

function all(): SocketRow[] {
  return [
    ...parseProcNetInet("tcp", read("tcp"), true),
    ...parseProcNetInet("tcp", read("tcp6"), true, true),
    ...parseProcNetInet("udp", read("udp"), true),
    ...parseProcNetInet("udp", read("udp6"), true, true),
    ...parseProcNetInet("raw", read("raw"), true),
    ...parseProcNetInet("raw", read("raw6"), true, true),
    ...parseProcNetUnix(read("unix")),
  ];
}

/** The capture script's own sockets: "AF_INET SOCK_STREAM inode=8906 local=('127.0.0.1', 33991)". */
function captured(): { family: string; type: string; inode: number; local: string }[] {
  return read("sockets.txt")
    .split("\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => {
      const m = /^(\S+) (\S+) inode=(\d+) local=(.*)$/.exec(l)!;
      return { family: m[1]!, type: m[2]!, inode: Number(m[3]), local: m[4]! };
    });
}

describe("/proc/net parsers on captured fixtures", () => {
  const rows = all();
  const ss = parseSs(read("ss.txt"));

  it("finds every socket the capture script opened, with its address", () => {
    const byInode = new Map(rows.map((r) => [r.inode, r]));
    const mine = captured();
    assert.ok(mine.length >= 15);
    for (const s of mine) {
      const r = byInode.get(s.inode);
      assert.ok(r, `inode ${s.inode} (${s.family} ${s.type}) missing`);
      if (s.family === "AF_UNIX") {
        assert.equal(r.family, "unix");
        const path = /^'(.*)'$/.exec(s.local)?.[1] ?? /^b'\\x00(.*)'$/.exec(s.local)?.[1];
        assert.ok(path !== undefined, s.local);
        assert.equal(r.localAddress, s.local.startsWith("b'") ? `@${path}` : path);
        assert.equal(r.type, s.type === "SOCK_STREAM" ? "stream" : "dgram");
      } else {
        const m = /^\('([^']*)', (\d+)/.exec(s.local)!;
        assert.equal(r.localAddress, m[1]);
        assert.equal(r.localPort, Number(m[2]));
        assert.equal(r.family, s.family === "AF_INET6" ? "inet6" : "inet");
      }
    }
  });

  it("agrees with ss on every inet row: state, endpoints, queues, inode", () => {
    const inet = rows.filter((r) => r.family !== "unix");
    const ssInet = ss.filter((l) => ["tcp", "udp", "raw"].includes(l.netid));
    assert.equal(inet.length, ssInet.length);
    for (const l of ssInet) {
      const matches = inet.filter(
        (r) =>
          r.protocol === l.netid &&
          r.state === l.state &&
          ssEndpointIs(l.local, r.localAddress, r.localPort!) &&
          ssEndpointIs(l.peer, r.peerAddress, r.peerPort!),
      );
      assert.equal(matches.length, 1, `${l.netid} ${l.state} ${l.local} ${l.peer}`);
      const r = matches[0]!;
      assert.equal(r.recvQ, l.recvQ, `Recv-Q of ${l.local}`);
      if (r.state !== "LISTEN") assert.equal(r.sendQ, l.sendQ, `Send-Q of ${l.local}`);
      else assert.equal(r.sendQ, null);
      if (l.inode !== null) assert.equal(r.inode, l.inode);
    }
  });

  it("has the TIME-WAIT row with inode 0, and the queued bytes", () => {
    const tw = rows.filter((r) => r.state === "TIME-WAIT");
    assert.equal(tw.length, 1);
    assert.equal(tw[0]!.inode, 0);
    assert.ok(rows.some((r) => r.protocol === "tcp" && r.state === "ESTAB" && r.recvQ === 100));
  });

  it("agrees with ss on the capture's Unix rows: type, state, path", () => {
    const ids = new Set(captured().map((s) => s.inode));
    const unix = ss.filter((l) => l.netid.startsWith("u_"));
    let n = 0;
    for (const l of unix) {
      const inode = Number(l.local.split(" ")[1]);
      if (!ids.has(inode)) continue;
      const r = rows.find((x) => x.inode === inode);
      assert.ok(r, `unix inode ${inode}`);
      assert.equal(r.state, l.state, `state of unix ${inode}`);
      assert.equal(r.type, l.netid === "u_str" ? "stream" : l.netid === "u_dgr" ? "dgram" : "seqpacket");
      const path = l.local.split(" ")[0];
      assert.equal(r.localAddress === "" ? "*" : r.localAddress, path);
      n++;
    }
    assert.equal(n, 6);
  });

  it("reads addresses as host-order words", () => {
    const line = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 5 1";
    const head =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    assert.equal(parseProcNetInet("tcp", head + line, true)[0]!.localAddress, "127.0.0.1");
    assert.equal(parseProcNetInet("tcp", head + line, false)[0]!.localAddress, "1.0.0.127");
    assert.equal(parseProcNetInet("tcp", head + line, true)[0]!.localPort, 8080);
  });

  it("rejects each broken row of the broken fixture, naming its line", () => {
    const lines = read("broken/tcp").split("\n");
    assert.equal(parseProcNetInet("tcp", `${lines[0]}\n${lines[1]}`, true).length, 1);
    const table: [number, RegExp][] = [
      [2, /line 2: expected at least 10 fields/],
      [3, /line 2: address "0100007G:84C7" has a character that is not hex/],
      [4, /line 2: address "0100007F:184C7" is not 8 hex digits/],
    ];
    for (const [i, re] of table) {
      assert.throws(
        () => parseProcNetInet("tcp", `${lines[0]}\n${lines[i]}`, true),
        (e) => isNetkitError(e, "ERR_PROC_FORMAT") && re.test(e.message),
        String(i),
      );
    }
    assert.throws(() => parseProcNetInet("tcp", read("broken/tcp"), true), /line 3/);
    assert.throws(
      () => parseProcNetUnix("Num       RefCount Protocol Flags    Type St Inode Path\n0000: garbage"),
      (e) => isNetkitError(e, "ERR_PROC_FORMAT"),
    );
  });
});
