/**
 * Socket owners from the kernel's BPF task-file iterator against the /proc/PID/fd walk, on
 * processes the test starts: a socket shared by a parent and its forked child, a socket only in
 * a thread's private fd table (unshare(CLONE_FILES): /proc/PID/fd does not show it, so neither
 * may the iterator), and the socket zoo. Runs as root (CI); elsewhere it checks the refusal.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { listSockets } from "../../src/ports/list_sockets.js";
import { scanSocketOwners } from "../../src/ports/owners.js";
import { BIN } from "../helpers/cli.js";
import { firstLine } from "../helpers/first_line.js";
import { nobodyCannotRun } from "../helpers/nobody.js";
import { startZoo, type Zoo } from "../helpers/socket_zoo.js";

const SHARER = `
import ctypes, os, socket, sys, threading
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
pid = os.fork()
if pid == 0:
    sys.stdin.read(); os._exit(0)
ready = threading.Event(); private = {}
def own_table():
    # this thread gets a fd table of its own; the socket it opens is only there
    assert ctypes.CDLL(None, use_errno=True).unshare(0x400) == 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
    private["inode"] = os.fstat(s.fileno()).st_ino
    ready.set(); threading.Event().wait(60)
threading.Thread(target=own_table, daemon=True).start(); ready.wait(10)
print(os.getpid(), pid, l.fileno(), os.fstat(l.fileno()).st_ino, private["inode"], flush=True)
sys.stdin.read(); os.kill(pid, 9); os.waitpid(pid, 0)
`;

function bpfMissing(): string | null {
  if (process.getuid?.() !== 0) return "not root: the BPF iterator needs CAP_BPF and CAP_PERFMON";
  try {
    scanSocketOwners({ method: "bpf", inodes: new Set([0]) });
    return null;
  } catch (e) {
    return `BPF iterator unavailable here: ${(e as Error).message}`;
  }
}

describe("socket owners from the BPF task-file iterator", { timeout: 30_000 }, () => {
  let zoo: Zoo;
  let sharer: ChildProcess;
  let info: { parent: number; child: number; fd: number; inode: number; privateInode: number };
  before(async () => {
    zoo = await startZoo();
    sharer = spawn("python3", ["-c", SHARER], { stdio: ["pipe", "pipe", "inherit"] });
    const line = await firstLine(sharer);
    const [parent, child, fd, inode, privateInode] = line.trim().split(" ").map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    info = { parent, child, fd, inode, privateInode };
  });
  after(async () => {
    sharer.stdin!.end();
    await new Promise((r) => sharer.once("exit", r));
    await zoo.stop();
  });

  it("finds the same owners as the /proc walk, for every socket of the test's processes", (t) => {
    const why = bpfMissing();
    if (why !== null) {
      t.skip(why);
      return;
    }
    const inodes = new Set([...zoo.sockets.map((s) => s.inode), info.inode, info.privateInode]);
    const bpf = scanSocketOwners({ inodes, method: "bpf" });
    const proc = scanSocketOwners({ inodes, method: "proc" });
    assert.equal(bpf.method, "bpf");
    assert.equal(proc.method, "proc");
    for (const s of zoo.sockets) {
      assert.deepEqual(bpf.owners.get(s.inode), [{ pid: zoo.pid, command: "python3", fd: s.fd }], s.kind);
    }
    // shared by parent and forked child: both, sorted by pid, same fd
    const shared = [info.parent, info.child]
      .sort((a, b) => a - b)
      .map((pid) => ({ pid, command: "python3", fd: info.fd }));
    assert.deepEqual(bpf.owners.get(info.inode), shared);
    // only in a thread's own fd table: /proc/PID/fd shows the leader's table, so no owner
    assert.equal(proc.owners.get(info.privateInode), undefined);
    assert.equal(bpf.owners.get(info.privateInode), undefined);
    assert.deepEqual([...bpf.owners].sort(), [...proc.owners].sort());
  });

  it("gives the same socket table as the /proc walk (zoo rows, with owners)", (t) => {
    const why = bpfMissing();
    if (why !== null) {
      t.skip(why);
      return;
    }
    const pick = (method: "bpf" | "proc") => {
      const table = listSockets({
        protocols: ["tcp", "udp", "unix"],
        filter: { pid: zoo.pid },
        ownerMethod: method,
      });
      assert.equal(table.ownerMethod, method);
      return table.rows
        .map((r) => `${r.protocol} ${r.state} ${r.inode} ${JSON.stringify(r.processes)}`)
        .sort();
    };
    const bpf = pick("bpf");
    assert.ok(bpf.length >= zoo.sockets.length - 1, bpf.join("\n"));
    assert.deepEqual(bpf, pick("proc"));
  });

  it("auto falls back to /proc with the reason when BPF is not permitted (as user nobody)", (t) => {
    const why = nobodyCannotRun();
    if (why !== null) {
      t.skip(why);
      return;
    }
    const code = `import { scanSocketOwners } from ${JSON.stringify(new URL("../../src/ports/owners.js", import.meta.url).href)};
      const s = scanSocketOwners({ inodes: new Set([1]) });
      let err = null;
      try { scanSocketOwners({ inodes: new Set([1]), method: "bpf" }); } catch (e) { err = e.code; }
      console.log(JSON.stringify({ method: s.method, fallback: s.bpfFallback, err }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
      uid: 65534,
      gid: 65534,
      encoding: "utf8",
      timeout: 10_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { method: string; fallback: string; err: string };
    assert.equal(j.method, "proc");
    assert.match(j.fallback, /CAP_BPF/);
    assert.equal(j.err, "ERR_BPF");
    // the CLI: --owners bpf fails with one line and the code; auto works
    const cli = spawnSync(process.execPath, [BIN, "sockets", "-t", "--owners", "bpf"], {
      uid: 65534,
      gid: 65534,
      encoding: "utf8",
      timeout: 10_000,
    });
    assert.equal(cli.status, 1);
    assert.match(cli.stderr, /^netkit: .*ERR_BPF|ERR_BPF/);
    assert.equal(cli.stderr.trim().split("\n").length, 1, cli.stderr);
  });

  it("inside a pid namespace (its own /proc), auto uses the /proc walk and says why", (t) => {
    if (process.getuid?.() !== 0) {
      t.skip("not root: cannot create a pid namespace");
      return;
    }
    const code = `import { scanSocketOwners } from ${JSON.stringify(new URL("../../src/ports/owners.js", import.meta.url).href)};
      const s = scanSocketOwners({});
      console.log(JSON.stringify({ method: s.method, fallback: s.bpfFallback, pid: process.pid }));`;
    const r = spawnSync(
      "unshare",
      ["--pid", "--fork", "--mount-proc", process.execPath, "--input-type=module", "-e", code],
      {
        encoding: "utf8",
        timeout: 10_000,
      },
    );
    if (r.error !== undefined) {
      t.skip(`unshare not runnable: ${r.error.message}`);
      return;
    }
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { method: string; fallback: string; pid: number };
    assert.equal(j.pid, 1); // the namespace's first process
    assert.equal(j.method, "proc");
    assert.match(j.fallback, /pid namespace/);
  });

  it("replaces a cached kernel layout the kernel refuses, instead of giving up BPF", (t) => {
    const why = bpfMissing();
    if (why !== null) {
      t.skip(why);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "netkit-cache-"));
    try {
      // a well-formed entry for this kernel whose attach function id is wrong
      const cache = join(dir, "c");
      const file = join(cache, "bpf-task-file-layout.json");
      const code = `import { kernelIdentity, writeKernelCache } from ${JSON.stringify(new URL("../../src/native/kernel_cache.js", import.meta.url).href)};
        import { scanSocketOwners } from ${JSON.stringify(new URL("../../src/ports/owners.js", import.meta.url).href)};
        const bogus = { iterFunc: 1, taskIterFunc: 1, tgid: { offset: 0, size: 4 }, pid: { offset: 0, size: 4 },
          fInode: { offset: 0, size: 8 }, iMode: { offset: 0, size: 2 }, iIno: { offset: 0, size: 8 } };
        writeKernelCache("bpf-task-file-layout", bogus, kernelIdentity());
        const s = scanSocketOwners({ method: "bpf", inodes: new Set([${zoo.get("tcp-listen").inode}]) });
        console.log(JSON.stringify({ method: s.method, owners: s.owners.get(${zoo.get("tcp-listen").inode}) }));`;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
        encoding: "utf8",
        timeout: 15_000,
        env: { ...process.env, NETKIT_CACHE_DIR: cache },
      });
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { method: string; owners: { pid: number }[] };
      assert.equal(j.method, "bpf");
      assert.equal(j.owners[0]!.pid, zoo.pid);
      const fixed = JSON.parse(readFileSync(file, "utf8")) as { value: { iterFunc: number } };
      assert.notEqual(fixed.value.iterFunc, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown --owners method as a usage error", () => {
    const r = spawnSync(process.execPath, [BIN, "sockets", "--owners", "magic"], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--owners must be auto, bpf or proc, got "magic"/);
  });
});
