import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { listSocketsAsync } from "../../src/ports/list_sockets.js";
import { scanSocketOwners } from "../../src/ports/owners.js";
import { scanSocketOwnersParallel } from "../../src/ports/owners_parallel.js";
import { nobodyCannotRun } from "../helpers/nobody.js";
import { startZoo, type Zoo } from "../helpers/socket_zoo.js";

describe("socket owners from /proc/PID/fd", { timeout: 20_000 }, () => {
  let zoo: Zoo;
  before(async () => {
    zoo = await startZoo();
  });
  after(async () => {
    await zoo.stop();
  });

  it("finds the process and fd of every socket of the zoo", () => {
    const scan = scanSocketOwners({ inodes: new Set(zoo.sockets.map((s) => s.inode)) });
    for (const s of zoo.sockets) {
      assert.deepEqual(scan.owners.get(s.inode), [{ pid: zoo.pid, command: "python3", fd: s.fd }], s.kind);
    }
    assert.equal(scan.stoppedEarly, false);
  });

  it("the parallel scan (2 workers) finds the same owners as the plain scan", async () => {
    const ids = new Set(zoo.sockets.map((s) => s.inode));
    const plain = scanSocketOwners({ inodes: ids, method: "proc" });
    const par = await scanSocketOwnersParallel({ workers: 2 });
    for (const id of ids) assert.deepEqual(par.owners.get(id), plain.owners.get(id), String(id));
    const t = await listSocketsAsync({ workers: 2, filter: { pid: zoo.pid } });
    assert.deepEqual(new Set(t.rows.filter((r) => ids.has(r.inode)).map((r) => r.inode)), ids);
    for (const r of t.rows) assert.ok(r.processes.some((p) => p.pid === zoo.pid));
  });

  it("the FFI and node:fs link readers agree", () => {
    const ids = new Set(zoo.sockets.map((s) => s.inode));
    const a = scanSocketOwners({ inodes: ids, method: "proc" });
    const b = scanSocketOwners({ inodes: ids, ffi: false });
    assert.equal(a.owners.size, ids.size);
    assert.deepEqual([...a.owners].sort(), [...b.owners].sort());
    const early = scanSocketOwners({ inodes: ids, stopWhenFound: true, ffi: false });
    assert.equal(early.stoppedEarly, true);
    assert.deepEqual([...early.owners].sort(), [...a.owners].sort());
  });

  it("stops early once every wanted inode is found", () => {
    const want = new Set([zoo.get("tcp-listen").inode]);
    const scan = scanSocketOwners({ inodes: want, stopWhenFound: true, method: "proc" });
    assert.equal(scan.stoppedEarly, true);
    assert.equal(scan.owners.get(zoo.get("tcp-listen").inode)![0]!.pid, zoo.pid);
  });

  it("reports unreadable fd tables instead of failing (scanning as user nobody)", (t) => {
    const why = nobodyCannotRun();
    if (why !== null) {
      t.skip(why);
      return;
    }
    // As nobody, the root-owned zoo's fd table is unreadable (EACCES): it must be listed, not fatal.
    const inode = zoo.get("tcp-listen").inode;
    const code = `import { scanSocketOwners, attachOwners } from ${JSON.stringify(new URL("../../src/ports/owners.js", import.meta.url).href)};
      const scan = scanSocketOwners({ inodes: new Set([${inode}]) });
      const rows = attachOwners([{ inode: ${inode}, processes: [], ownerUnknown: false }], scan);
      console.log(JSON.stringify({ unreadable: scan.unreadable, row: rows[0] }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
      uid: 65534,
      gid: 65534,
      encoding: "utf8",
      timeout: 10_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      unreadable: number[];
      row: { processes: unknown[]; ownerUnknown: boolean };
    };
    assert.ok(j.unreadable.includes(zoo.pid));
    assert.deepEqual(j.row.processes, []);
    assert.equal(j.row.ownerUnknown, true);
  });
});
