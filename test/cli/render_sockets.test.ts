/**
 * The byte-writing table renderer against a plain string formatter (padEnd/padStart, ss's
 * columns) written independently here: columns line up with the header for IPv4, IPv6, Unix,
 * several owners, "?" owners, unknown queues and non-ASCII command names.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { renderSocketTable, renderSocketTableBytes } from "../../src/cli/render_sockets.js";
import type { SocketRow } from "../../src/ports/socket_row.js";

function reference(rows: readonly SocketRow[]): string {
  const ep = (a: string, p: number | null, v6: boolean) =>
    `${v6 ? `[${a}]` : a}:${p === 0 || p === null ? "*" : p}`;
  const netid = (r: SocketRow) =>
    r.family === "unix"
      ? ({ stream: "u_str", dgram: "u_dgr", seqpacket: "u_seq" } as Record<string, string>)[r.type]!
      : r.protocol;
  const cells = rows.map((r) => [
    netid(r),
    r.state,
    r.recvQ === null ? "-" : String(r.recvQ),
    r.sendQ === null ? "-" : String(r.sendQ),
    r.family === "unix"
      ? `${r.localAddress || "*"} ${r.inode}`
      : ep(r.localAddress, r.localPort, r.family === "inet6"),
    r.family === "unix" ? "*" : ep(r.peerAddress, r.peerPort, r.family === "inet6"),
    r.processes.length > 0
      ? `users:(${r.processes.map((p) => `("${p.command}",pid=${p.pid},fd=${p.fd})`).join(",")})`
      : r.ownerUnknown
        ? "?"
        : "",
  ]);
  const head = ["Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Process"];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `${c[0]!.padEnd(w[0]!)} ${c[1]!.padEnd(w[1]!)} ${c[2]!.padStart(w[2]!)} ${c[3]!.padStart(w[3]!)} ${c[4]!.padStart(w[4]!)} ${c[6] === "" ? c[5] : `${c[5]!.padEnd(w[5]!)} ${c[6]}`}\n`;
  return [head, ...cells].map(line).join("");
}

const base: SocketRow = {
  protocol: "tcp",
  family: "inet",
  type: "stream",
  state: "LISTEN",
  localAddress: "127.0.0.1",
  localPort: 8080,
  peerAddress: "0.0.0.0",
  peerPort: 0,
  recvQ: 0,
  sendQ: 128,
  uid: 0,
  inode: 1001,
  processes: [{ pid: 42, command: "python3", fd: 3 }],
  ownerUnknown: false,
};

const FIXTURE: SocketRow[] = [
  base,
  {
    ...base,
    state: "ESTAB",
    localPort: 8080,
    peerAddress: "127.0.0.1",
    peerPort: 51234,
    sendQ: 0,
    processes: [
      { pid: 42, command: "python3", fd: 4 },
      { pid: 43, command: "nginx: wörker", fd: 9 },
    ],
  },
  {
    ...base,
    protocol: "udp",
    family: "inet6",
    type: "dgram",
    state: "UNCONN",
    localAddress: "::1",
    localPort: 53,
    peerAddress: "::",
    processes: [],
    ownerUnknown: true,
  },
  {
    ...base,
    state: "TIME-WAIT",
    localAddress: "10.1.2.3",
    localPort: 40000,
    peerAddress: "10.9.8.7",
    peerPort: 443,
    processes: [],
    inode: 0,
  },
  {
    ...base,
    protocol: "unix",
    family: "unix",
    type: "stream",
    state: "ESTAB",
    localAddress: "/run/x.sock",
    localPort: null,
    peerAddress: "",
    peerPort: null,
    recvQ: null,
    sendQ: null,
    inode: 12345,
    processes: [],
  },
];

describe("socket table renderer", () => {
  it("prints the columns of the reference formatter", () => {
    assert.equal(renderSocketTable(FIXTURE), reference(FIXTURE));
    const header = renderSocketTable(FIXTURE).split("\n")[0]!;
    assert.equal(header, "Netid State     Recv-Q Send-Q Local Address:Port Peer Address:Port Process");
  });

  it("agrees with the reference on random rows, in any chunk size", () => {
    const row = fc.record({
      v6: fc.boolean(),
      state: fc.constantFrom("LISTEN", "ESTAB", "TIME-WAIT", "UNCONN", "SYN-RECV", "CLOSE-WAIT"),
      a: fc.nat(0xffffffff),
      lp: fc.nat(65535),
      pp: fc.nat(65535),
      rq: fc.option(fc.nat(10_000_000), { nil: null }),
      sq: fc.option(fc.nat(10_000_000), { nil: null }),
      owners: fc.array(
        fc.record({ pid: fc.nat(4_000_000), fd: fc.nat(100_000), command: fc.string({ maxLength: 15 }) }),
        { maxLength: 3 },
      ),
      unknown: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), fc.integer({ min: 1, max: 300 }), (spec, chunk) => {
        const rows: SocketRow[] = spec.map((s) => ({
          ...base,
          family: s.v6 ? "inet6" : "inet",
          state: s.state as SocketRow["state"],
          localAddress: s.v6
            ? `fe80::${s.a.toString(16)}`
            : `10.${s.a & 255}.${(s.a >> 8) & 255}.${s.a >>> 24}`,
          localPort: s.lp,
          peerAddress: s.v6 ? "::" : "0.0.0.0",
          peerPort: s.pp,
          recvQ: s.rq,
          sendQ: s.sq,
          processes: s.owners.map((o) => ({ pid: o.pid, fd: o.fd, command: o.command.replaceAll('"', "'") })),
          ownerUnknown: s.owners.length === 0 && s.unknown,
        }));
        const parts: Uint8Array[] = [];
        renderSocketTableBytes(rows, (c) => parts.push(Uint8Array.from(c)), { chunk });
        assert.equal(Buffer.concat(parts).toString("utf8"), reference(rows));
      }),
      { numRuns: 300 },
    );
  });
});
