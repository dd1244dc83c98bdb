import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  closeFd,
  MmsgBatch,
  MSG_DONTWAIT,
  mmsgAvailable,
  POLLIN,
  udpBind,
  udpConnect,
  udpLocalAddress,
  udpPoll,
  udpSocket,
} from "../../src/native/mmsg.js";

describe("sendmmsg / recvmmsg through koffi", () => {
  it("moves 64 datagrams of different sizes in one call each way, in order", {
    skip: !mmsgAvailable() && "koffi/libc not available",
  }, () => {
    const rx = udpSocket(4, { nonBlocking: true });
    const tx = udpSocket(4, { nonBlocking: true });
    const out = new MmsgBatch(64, 200);
    const inn = new MmsgBatch(64, 300);
    try {
      udpBind(rx, "127.0.0.1", 0);
      const { host, port } = udpLocalAddress(rx);
      assert.equal(host, "127.0.0.1");
      assert.ok(port > 0);
      udpConnect(tx, "127.0.0.1", port);
      for (let i = 0; i < 64; i++) {
        out.view(i).writeUInt32BE(1000 + i, 0);
        out.setLen(i, 4 + i * 3);
      }
      assert.equal(out.send(tx, 64, MSG_DONTWAIT), 64);
      assert.ok(udpPoll(rx, POLLIN, 1000) & POLLIN);
      let got = 0;
      for (let round = 0; round < 10 && got < 64; round++) {
        const n = inn.recv(rx, MSG_DONTWAIT);
        for (let i = 0; i < Math.max(0, n); i++) {
          assert.equal(inn.len(i), 4 + (got + i) * 3);
          assert.equal(inn.view(i).readUInt32BE(0), 1000 + got + i);
        }
        if (n > 0) got += n;
        else udpPoll(rx, POLLIN, 100);
      }
      assert.equal(got, 64);
      assert.equal(inn.recv(rx, MSG_DONTWAIT), -1); // nothing left: EAGAIN
    } finally {
      out.free();
      inn.free();
      closeFd(rx);
      closeFd(tx);
    }
  });

  it("IPv6 loopback works too", { skip: !mmsgAvailable() && "koffi/libc not available" }, () => {
    const rx = udpSocket(6, { nonBlocking: true });
    const tx = udpSocket(6, { nonBlocking: true });
    const b = new MmsgBatch(2, 64);
    try {
      udpBind(rx, "::1", 0);
      const a = udpLocalAddress(rx);
      assert.equal(a.host, "::1");
      udpConnect(tx, "::1", a.port);
      b.setLen(0, 10);
      b.setLen(1, 20);
      assert.equal(b.send(tx, 2), 2);
      udpPoll(rx, POLLIN, 1000);
      const n = b.recv(rx, MSG_DONTWAIT);
      assert.ok(n >= 1);
      assert.equal(b.len(0), 10);
    } finally {
      b.free();
      closeFd(rx);
      closeFd(tx);
    }
  });
});
