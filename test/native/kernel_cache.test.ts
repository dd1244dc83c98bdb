/**
 * The per-kernel cache (the BPF program's struct offsets): used only for this kernel and boot,
 * only from files this user owns and nobody else can write, and a torn file is recomputed.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { kernelIdentity, readKernelCache, writeKernelCache } from "../../src/native/kernel_cache.js";

describe("kernel cache", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "netkit-cache-"));
    process.env.NETKIT_CACHE_DIR = join(dir, "netkit");
  });
  after(() => {
    delete process.env.NETKIT_CACHE_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  it("keys entries by this boot and kernel", () => {
    const id = kernelIdentity();
    assert.ok(id !== undefined);
    assert.ok(id.includes(readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim()));
    assert.ok(id.includes(readFileSync("/proc/version", "latin1").trim()));
  });

  it("round-trips a value for the same kernel, not for another", () => {
    assert.equal(writeKernelCache("t1", { a: 1 }, "kernel-A"), true);
    assert.deepEqual(readKernelCache("t1", "kernel-A"), { a: 1 });
    assert.equal(readKernelCache("t1", "kernel-B"), undefined);
    const file = join(dir, "netkit", "t1.json");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "netkit")).mode & 0o777, 0o700);
  });

  it("ignores a file others can write, and a torn one", () => {
    writeKernelCache("t2", { a: 2 }, "k");
    const file = join(dir, "netkit", "t2.json");
    chmodSync(file, 0o666);
    assert.equal(readKernelCache("t2", "k"), undefined);
    chmodSync(file, 0o600);
    assert.deepEqual(readKernelCache("t2", "k"), { a: 2 });
    writeFileSync(file, '{"kernel":"k","val', { mode: 0o600 });
    assert.equal(readKernelCache("t2", "k"), undefined);
    // and it is rewritten whole the next time
    writeKernelCache("t2", { a: 3 }, "k");
    assert.deepEqual(readKernelCache("t2", "k"), { a: 3 });
  });

  it("ignores a cache directory others can write", () => {
    writeKernelCache("t3", { a: 4 }, "k");
    chmodSync(join(dir, "netkit"), 0o777);
    try {
      assert.equal(readKernelCache("t3", "k"), undefined);
      assert.equal(writeKernelCache("t3", { a: 5 }, "k"), false);
    } finally {
      chmodSync(join(dir, "netkit"), 0o700);
    }
  });
});
