/**
 * nc -u semantics: no EOF on the wire, one stdin read is one datagram, one datagram one write.
 * The receiving side is a plain Python socket (counts datagrams) or netkit's own hex dump (one
 * marker per datagram).
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { describe, it } from "node:test";
import { missingPeers } from "../helpers/nc_scenario.js";
import { startNetkit, waitFor } from "../helpers/peers.js";

const skip = missingPeers();

describe("UDP datagram boundaries (nc -u)", { skip, timeout: 60_000 }, () => {
  it("each piece a slow writer gives netkit nc -u leaves as one datagram", async () => {
    const rx = dgram.createSocket("udp4");
    await new Promise<void>((r) => rx.bind(0, "127.0.0.1", () => r()));
    const sizes: number[] = [];
    rx.on("message", (m) => sizes.push(m.length));
    const port = rx.address().port;
    const c = startNetkit(["nc", "-u", "-q", "0.5", "127.0.0.1", String(port)]);
    let c2: ReturnType<typeof startNetkit> | undefined;
    try {
      // The next piece only after the last one arrived: one read per piece, whatever the load.
      const pieces = [4096, 1, 16384, 1000, 4096, 7, 512, 4096];
      for (let i = 0; i < pieces.length; i++) {
        c.child.stdin.write(Buffer.alloc(pieces[i]!, i));
        await waitFor(() => sizes.length === i + 1, 10_000, `datagram ${i + 1}`);
      }
      c.child.stdin.end();
      assert.equal(await c.exited, 0); // no EOF on UDP: -q 0.5 after stdin EOF ends it
      assert.deepEqual(sizes, pieces);
      // A longer read is cut into datagrams of 16 KiB, OpenBSD nc's size (its peers read no more).
      c2 = startNetkit(["nc", "-u", "-q", "0.5", "127.0.0.1", String(port)]);
      c2.child.stdin.end(Buffer.alloc(40_000, 9));
      assert.equal(await c2.exited, 0);
      const more = () => sizes.slice(pieces.length);
      await waitFor(() => more().reduce((a, b) => a + b, 0) === 40_000, 10_000, "40,000 more bytes");
      assert.ok(more().length >= 3 && more().every((n) => n <= 16384), `datagrams ${more()}`);
    } finally {
      rx.close();
      await c.kill();
      await c2?.kill();
    }
  });

  it("netkit nc -u -l writes each datagram as it came (one hex-dump marker each), ends by -w", async () => {
    const l = startNetkit(["nc", "-u", "-l", "-w", "1", "-v", "-x", "127.0.0.1", "0"]);
    l.child.stdin.end();
    await waitFor(() => /Bound on \S+ \d+/.test(l.stderr()), 10_000, "bound");
    const port = Number(/Bound on \S+ (\d+)/.exec(l.stderr())![1]);
    const tx = dgram.createSocket("udp4");
    try {
      for (const d of ["a", "bb", "ccc"])
        await new Promise<void>((r) => tx.send(Buffer.from(d), port, "127.0.0.1", () => r()));
      assert.equal(await l.exited, 0); // -w 1: quiet for 1 s ends a UDP listener, as nc -u -l -w
      assert.equal(l.stdout(), "abbccc");
      const markers = l.stderr().match(/# < received \d+ bytes/g);
      assert.deepEqual(markers, ["# < received 1 bytes", "# < received 2 bytes", "# < received 3 bytes"]);
    } finally {
      tx.close();
      await l.kill();
    }
  });
});
