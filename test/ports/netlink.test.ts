import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer } from "node:net";
import { describe, it } from "node:test";
import { isNetkitError } from "../../src/errors.js";
import { AF_INET, dumpInet, IPPROTO_TCP, portBytecode } from "../../src/native/netlink.js";
import { portInUseHint } from "../../src/ports/in_use_hint.js";
import { listSockets } from "../../src/ports/list_sockets.js";

describe("netlink sock_diag through koffi", { timeout: 20_000 }, () => {
  it("lays out OR-ed port conditions as ss does (cond JMP cond)", () => {
    assert.deepEqual([...portBytecode({ local: [0x1234] })], [11, 8, 12, 0, 0, 0, 0x34, 0x12]);
    const two = portBytecode({ local: [1], peer: [2] });
    assert.equal(two.byteLength, 20);
    assert.deepEqual([...two.subarray(8, 12)], [1, 4, 12, 0]); // JMP: yes 4, no → the end
    assert.deepEqual([...two.subarray(12, 16)], [12, 8, 12, 0]); // D_EQ, last: no → past the end
  });

  it("the kernel-side port filter returns exactly the rows a JS filter keeps", async () => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const c = connect(port, "127.0.0.1");
    await once(c, "connect");
    try {
      const all = dumpInet({ family: AF_INET, protocol: IPPROTO_TCP, states: 0x1ffe });
      const key = (r: { inode: number; localPort: number; peerPort: number }) =>
        `${r.inode}/${r.localPort}/${r.peerPort}`;
      const js = all
        .filter((r) => r.localPort === port || r.peerPort === port)
        .map(key)
        .sort();
      const kernel = dumpInet({
        family: AF_INET,
        protocol: IPPROTO_TCP,
        states: 0x1ffe,
        ports: { local: [port], peer: [port] },
      })
        .map(key)
        .sort();
      assert.deepEqual(kernel, js);
      assert.equal(kernel.length, 3); // listener, accepted, client
      const listen = dumpInet({
        family: AF_INET,
        protocol: IPPROTO_TCP,
        states: 1 << 10,
        ports: { local: [port] },
      });
      assert.equal(listen.length, 1);
      assert.match(
        portInUseHint(port, "tcp"),
        new RegExp(`in use by node \\(pid ${process.pid}\\); free it with: netkit port release tcp:${port}`),
      );
    } finally {
      c.destroy();
      server.close();
    }
  });

  it("forcing netlink where the kernel has no handler is ERR_NETLINK; auto falls back", () => {
    const auto = listSockets({ protocols: ["raw"], owners: false });
    if (auto.sources.raw === "proc") {
      assert.ok(auto.fallbacks.some((f) => f.startsWith("raw: netlink")));
      assert.throws(
        () => listSockets({ protocols: ["raw"], source: "netlink", owners: false }),
        (e) => isNetkitError(e, "ERR_NETLINK"),
      );
    } else {
      assert.equal(auto.fallbacks.length, 0);
      assert.doesNotThrow(() => listSockets({ protocols: ["raw"], source: "netlink", owners: false }));
    }
  });
});
