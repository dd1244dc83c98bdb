/**
 * The overlapped socket table (dumps on the thread pool, split by kernel table and run
 * concurrently, owners found meanwhile) gives the rows of the plain synchronous one; and TCP
 * sockets that are only bound (Linux ≥ 6.9 dumps them on request) are listed and owned.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { release } from "node:os";
import { after, before, describe, it } from "node:test";
import {
  renderSocketJsonBytes,
  renderSocketTable,
  renderSocketTableBytes,
  socketJsonChunks,
} from "../../src/cli/render_sockets.js";
import {
  dumpInet,
  dumpInetManyAsync,
  type InetDiagRecord,
  IPPROTO_TCP,
  parseInetDiag,
} from "../../src/native/netlink.js";
import {
  listSockets,
  listSocketsAsync,
  listSocketsDetached,
  listSocketsText,
} from "../../src/ports/list_sockets.js";
import { type SocketRow, stateName } from "../../src/ports/socket_row.js";
import { whoHolds } from "../../src/ports/who.js";
import { firstLine } from "../helpers/first_line.js";
import { startZoo, type Zoo } from "../helpers/socket_zoo.js";

const BOUND = `
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], s.fileno(), os.fstat(s.fileno()).st_ino, flush=True)
sys.stdin.read()
`;

function kernelAtLeast(major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release());
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

describe("socket table dumps on the thread pool", { timeout: 30_000 }, () => {
  let zoo: Zoo;
  let bound: ChildProcess;
  let b: { port: number; fd: number; inode: number };
  before(async () => {
    zoo = await startZoo();
    bound = spawn("python3", ["-c", BOUND], { stdio: ["pipe", "pipe", "inherit"] });
    const line = await firstLine(bound);
    const [port, fd, inode] = line.trim().split(" ").map(Number) as [number, number, number];
    b = { port, fd, inode };
  });
  after(async () => {
    bound.stdin!.end();
    await new Promise((r) => bound.once("exit", r));
    await zoo.stop();
  });

  it("gives the same rows as the synchronous table, owners included (zoo, every protocol)", async () => {
    const opts = { protocols: ["tcp", "udp", "raw", "unix"] as const, filter: { pid: zoo.pid } };
    const plain = listSockets(opts);
    const overlapped = await listSocketsAsync(opts);
    assert.ok(plain.rows.length >= zoo.sockets.length - 1);
    assert.deepEqual(overlapped.rows, plain.rows);
    assert.deepEqual(overlapped.sources, plain.sources);
  });

  it("the text table looking owners up by inode prints what attached owner lists print", async () => {
    const { table, owners } = await listSocketsDetached({ protocols: ["tcp", "udp", "raw", "unix"] });
    const someUnreadable = table.unreadablePids.length > 0;
    let visited = "";
    renderSocketTableBytes(table.rows, (c) => (visited += Buffer.from(c).toString()), {
      owners,
      someUnreadable,
    });
    for (const r of table.rows) {
      r.processes = [];
      if (r.inode !== 0) owners(r.inode, (pid, command, fd) => r.processes.push({ pid, command, fd }));
      r.ownerUnknown = r.processes.length === 0 && r.inode !== 0 && someUnreadable;
    }
    assert.equal(visited, renderSocketTable(table.rows));
    // and the zoo's sockets are there with their owner
    for (const s of zoo.sockets) {
      const row = table.rows.find((r) => r.inode === s.inode);
      assert.ok(row !== undefined, s.kind);
      assert.deepEqual(row.processes, [{ pid: zoo.pid, command: "python3", fd: s.fd }], s.kind);
    }
  });

  it("the text table printed from the kernel's records equals the one printed from rows", async () => {
    const { table, owners, inet, ownerIndex } = await listSocketsText({
      protocols: ["tcp", "udp", "raw", "unix"],
    });
    assert.ok(inet.count > 0);
    const someUnreadable = table.unreadablePids.length > 0;
    let fromRecords = "";
    renderSocketTableBytes(table.rows, (c) => (fromRecords += Buffer.from(c).toString()), {
      owners,
      someUnreadable,
      inet,
    });
    // the records' lines read the owner index directly when there is one (root): same text
    if (ownerIndex !== undefined) {
      let direct = "";
      renderSocketTableBytes(table.rows, (c) => (direct += Buffer.from(c).toString()), {
        owners,
        ownerIndex,
        someUnreadable,
        inet,
      });
      assert.equal(direct, fromRecords);
    } else assert.notEqual(process.getuid?.(), 0, "as root the owners come from the BPF index");
    // the same records as rows: parsed by the library's parser, ordered TCP/UDP, IPv4/IPv6
    const rows: SocketRow[] = [];
    for (const [protocol, family] of [
      ["tcp", 2],
      ["tcp", 10],
      ["udp", 2],
      ["udp", 10],
    ] as const) {
      for (let k = 0; k < inet.count; k++) {
        const v = inet.batches[inet.batch[k]!]!;
        const off = inet.offset[k]!;
        if ((inet.protocol[k] === 0 ? "tcp" : "udp") !== protocol || v.getUint8(off) !== family) continue;
        const r = parseInetDiag(v, off, off - 16 + v.getUint32(off - 16, true));
        rows.push({
          protocol,
          family: family === 2 ? "inet" : "inet6",
          type: protocol === "tcp" ? "stream" : "dgram",
          state: stateName(r.state),
          localAddress: r.localAddress,
          localPort: r.localPort,
          peerAddress: r.peerAddress,
          peerPort: r.peerPort,
          recvQ: r.recvQ,
          sendQ: r.sendQ,
          uid: r.uid,
          inode: r.inode,
          processes: [],
          ownerUnknown: false,
        });
      }
    }
    let fromRows = "";
    renderSocketTableBytes([...rows, ...table.rows], (c) => (fromRows += Buffer.from(c).toString()), {
      owners,
      someUnreadable,
    });
    assert.equal(fromRecords, fromRows);
    // and as JSON (array and NDJSON): what JSON.stringify of the rows with their owners prints
    const attached = [...rows, ...table.rows].map((r) => {
      const processes: { pid: number; command: string; fd: number }[] = [];
      if (r.inode !== 0) owners(r.inode, (pid, command, fd) => processes.push({ pid, command, fd }));
      return { ...r, processes, ownerUnknown: processes.length === 0 && r.inode !== 0 && someUnreadable };
    });
    for (const stream of [false, true]) {
      let json = "";
      renderSocketJsonBytes(table.rows, (c) => (json += Buffer.from(c).toString()), {
        owners,
        someUnreadable,
        inet,
        stream,
      });
      const want = stream
        ? attached.map((r) => `${JSON.stringify(r)}\n`).join("")
        : [...socketJsonChunks(attached)].join("");
      assert.equal(json, want, stream ? "NDJSON" : "JSON array");
    }
    // the zoo's TCP/UDP sockets, IPv6 included, are among the records
    const inodes = new Set(rows.map((r) => r.inode));
    for (const s of zoo.sockets.filter((x) => /^(tcp|udp)/.test(x.kind)))
      assert.ok(inodes.has(s.inode), s.kind);
  });

  it("the concurrent split dump gives the records of one dump, in the same order", async () => {
    const all = 0xffff & ~(1 << 7); // every state but CLOSE, as the kernel walks them
    for (const family of [2, 10]) {
      const one = dumpInet({ family, protocol: IPPROTO_TCP, states: all }).map(
        (r) => `${r.state} ${r.inode}`,
      );
      const many: string[] = [];
      await dumpInetManyAsync(
        [{ family, protocol: IPPROTO_TCP, states: all }],
        [(r: Readonly<InetDiagRecord>) => many.push(`${r.state} ${r.inode}`)],
      );
      // other processes' sockets come and go between the two dumps: compare the zoo's
      const zooInodes = new Set(zoo.sockets.map((s) => String(s.inode)));
      const mine = (xs: string[]) => xs.filter((x) => zooInodes.has(x.split(" ")[1]!));
      assert.deepEqual(mine(many), mine(one), `family ${family}`);
    }
  });

  it("lists TCP sockets that are only bound, with their owner (port who, sockets -l)", (t) => {
    if (!kernelAtLeast(6, 9)) {
      t.skip(`kernel ${release()} < 6.9 does not dump bound-only TCP sockets`);
      return;
    }
    const who = whoHolds([{ port: b.port, transport: "tcp" }]);
    assert.equal(who.rows.length, 1, JSON.stringify(who.rows));
    const row = who.rows[0]!;
    assert.equal(row.state, "UNCONN");
    assert.equal(row.inode, b.inode);
    assert.deepEqual(row.processes, [{ pid: bound.pid, command: "python3", fd: b.fd }]);
    const listening = listSockets({
      protocols: ["tcp"],
      states: ["LISTEN", "UNCONN"],
      filter: { sport: b.port },
    });
    assert.deepEqual(
      listening.rows.map((r) => [r.state, r.inode]),
      [["UNCONN", b.inode]],
    );
  });
});
