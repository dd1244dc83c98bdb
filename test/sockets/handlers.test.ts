import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AccessList, type Framing, loadHandlerModule, resolveHandler } from "../../src/index.js";

/** Run a handler session over `chunks` and collect what it sends. */
async function run(
  name: Parameters<typeof resolveHandler>[0],
  chunks: Uint8Array[],
  framing: Framing = "stream",
) {
  const out: Buffer[] = [];
  const h = resolveHandler(name);
  const s = h.open({
    proto: "tcp",
    framing,
    remoteAddress: "127.0.0.1",
    remotePort: 1,
    localAddress: "127.0.0.1",
    localPort: 2,
    send: async (d) => {
      out.push(Buffer.from(d));
    },
  });
  for (const c of chunks) await s.write(c);
  await s.end();
  return out;
}

describe("handlers", () => {
  it("upper decodes UTF-8 across chunk boundaries (every split point)", async () => {
    const text = "añ€😀b";
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const out = await run("upper", [bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.equal(Buffer.concat(out).toString(), text.toUpperCase(), `cut at ${cut}`);
    }
  });

  it("invalid bytes become U+FFFD, never an exception; echo is byte-exact", async () => {
    const bad = Buffer.from([0x61, 0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]);
    const out = await run("lower", [bad]);
    assert.ok(Buffer.concat(out).toString().includes("\ufffd"));
    const echo = await run("echo", [bad]);
    assert.ok(Buffer.concat(echo).equals(bad));
  });

  it("datagram framing: one reply per datagram, including an empty one", async () => {
    const out = await run("reverse", [Buffer.from("abc"), Buffer.alloc(0), Buffer.from("😀x")], "datagram");
    assert.deepEqual(
      out.map((b) => b.toString()),
      ["cba", "", "x😀"],
    );
  });

  it("a function handler is the notes' process_data; unknown names are ERR_HANDLER", async () => {
    const out = await run((d) => `<${d.toString()}>`, [Buffer.from("hi")], "datagram");
    assert.equal(Buffer.concat(out).toString(), "<hi>");
    assert.throws(() => resolveHandler("shout" as "echo"), { code: "ERR_HANDLER" });
  });

  it("loads a module file handler (default export or process_data)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netkit-h-"));
    try {
      const f = join(dir, "h.mjs");
      writeFileSync(
        f,
        "export function process_data(data) { return data.toString().split('').join('-'); }\n",
      );
      const h = await loadHandlerModule(f);
      const out: Buffer[] = [];
      const s = h.open({
        proto: "udp",
        framing: "datagram",
        remoteAddress: "::1",
        remotePort: 1,
        localAddress: "::1",
        localPort: 2,
        send: async (d) => {
          out.push(Buffer.from(d));
        },
      });
      await s.write(Buffer.from("abc"));
      assert.equal(out[0]!.toString(), "a-b-c");
      writeFileSync(join(dir, "none.mjs"), "export const x = 1;\n");
      await assert.rejects(loadHandlerModule(join(dir, "none.mjs")), { code: "ERR_HANDLER" });
      await assert.rejects(loadHandlerModule(join(dir, "missing.mjs")), { code: "ERR_HANDLER" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("AccessList", () => {
  const table: [string, boolean][] = [
    ["10.1.2.3", true],
    ["10.9.0.1", false], // denied inside the allowed /8: deny wins
    ["::ffff:10.1.2.3", true], // IPv4-mapped is unmapped
    ["::ffff:10.9.0.7", false],
    ["192.168.1.1", false], // not allowed
    ["2001:db8::5", true],
    ["fe80::1%eth0", false],
    ["not-an-ip", false],
  ];
  const acl = AccessList.from({ allow: ["10.0.0.0/8", "2001:db8::/32"], deny: ["10.9.0.0/16"] });
  for (const [addr, want] of table) {
    it(`${addr} → ${want ? "allowed" : "refused"}`, () => assert.equal(acl.permits(addr), want));
  }
  it("empty lists allow everyone; bad entries throw parse errors", () => {
    assert.equal(AccessList.from().permits("203.0.113.9"), true);
    assert.throws(() => AccessList.from({ allow: ["10.0.0.0/33"] }), { code: "ERR_PREFIX_LENGTH" });
  });
});
