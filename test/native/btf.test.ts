/**
 * The BTF reader against bpftool (the kernel's own tool, Debian package `bpftool`) on this
 * machine's /sys/kernel/btf/vmlinux: type ids, struct sizes and member offsets agree for the
 * structs the BPF owner program reads and for a seeded sample of 400 other structs and unions.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { BTF_KIND, Btf, BtfError, readKernelBtf } from "../../src/native/btf.js";

const VMLINUX = "/sys/kernel/btf/vmlinux";

interface OracleType {
  id: number;
  kind: string;
  name: string;
  size: number;
  members: { name: string; bits: number; bitfield: boolean }[];
}

/** `bpftool btf dump file vmlinux format raw`, the structs and unions and funcs. */
function bpftoolTypes(): Map<number, OracleType> | string {
  const r = spawnSync("bpftool", ["btf", "dump", "file", VMLINUX, "format", "raw"], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.error !== undefined) return `bpftool not runnable: ${r.error.message}`;
  assert.equal(r.status, 0, r.stderr);
  const types = new Map<number, OracleType>();
  let cur: OracleType | undefined;
  for (const line of r.stdout.split("\n")) {
    const head = /^\[(\d+)\] (\w+) '([^']*)'(?: size=(\d+))?/.exec(line);
    if (head !== null) {
      cur = { id: Number(head[1]), kind: head[2]!, name: head[3]!, size: Number(head[4] ?? 0), members: [] };
      types.set(cur.id, cur);
      continue;
    }
    const m = /^\t'([^']*)' type_id=\d+ bits_offset=(\d+)( bitfield_size=\d+)?/.exec(line);
    if (m !== null && cur !== undefined && (cur.kind === "STRUCT" || cur.kind === "UNION")) {
      cur.members.push({ name: m[1]!, bits: Number(m[2]), bitfield: m[3] !== undefined });
    }
  }
  return types;
}

describe("BTF reader", () => {
  it("rejects what is not BTF, with a BtfError", () => {
    assert.throws(() => new Btf(new Uint8Array(10)), BtfError);
    assert.throws(() => new Btf(Buffer.from("not a btf blob at all, no magic here")), BtfError);
    if (!existsSync(VMLINUX)) return;
    // a real blob cut short: its sections run past the end
    const cut = readFileSync(VMLINUX).subarray(0, 4096);
    assert.throws(() => new Btf(cut), /out of bounds/);
  });

  it("agrees with bpftool on ids, sizes and member offsets of this kernel", (t) => {
    if (!existsSync(VMLINUX)) {
      t.skip(`no ${VMLINUX}: this kernel has no BTF`);
      return;
    }
    const oracle = bpftoolTypes();
    if (typeof oracle === "string") {
      t.skip(oracle);
      return;
    }
    const btf = readKernelBtf();
    assert.equal(
      btf.count,
      [...oracle.keys()].reduce((a, b) => Math.max(a, b), 0),
    );
    const first = (kind: string, name: string) =>
      [...oracle.values()].find((x) => x.kind === kind && x.name === name);
    for (const [name, kind] of [
      ["task_struct", "STRUCT"],
      ["file", "STRUCT"],
      ["inode", "STRUCT"],
      ["bpf_iter_task_file", "FUNC"],
      ["bpf_iter_task", "FUNC"],
    ] as const) {
      const want = first(kind, name);
      assert.ok(want !== undefined, `${kind} ${name} in bpftool's dump`);
      assert.equal(btf.typeId(name, BTF_KIND[kind]), want.id, name);
    }
    const checkStruct = (o: OracleType) => {
      assert.equal(btf.sizeOf(o.id), o.size, `sizeof ${o.name} [${o.id}]`);
      for (const m of o.members) {
        if (m.name === "(anon)") continue;
        const got = btf.member(o.id, m.name);
        if (m.bitfield || m.bits % 8 !== 0) assert.equal(got, undefined, `${o.name}.${m.name} is a bitfield`);
        else assert.equal(got?.offset, m.bits / 8, `${o.name}.${m.name} [${o.id}]`);
      }
    };
    for (const name of ["task_struct", "file", "inode"]) checkStruct(first("STRUCT", name)!);
    // a seeded sample of the other named structs and unions
    const all = [...oracle.values()].filter(
      (x) => (x.kind === "STRUCT" || x.kind === "UNION") && x.name !== "(anon)",
    );
    let seed = 12345;
    for (let i = 0; i < 400; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      checkStruct(all[seed % all.length]!);
    }
  });
});
