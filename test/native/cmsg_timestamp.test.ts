import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  rxTimestamp,
  SCM_TIMESTAMPNS,
  SOL_SOCKET,
  TIMESTAMP_CMSG_SPACE,
} from "../../src/native/cmsg_timestamp.js";
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
  udpRxTimestamps,
  udpSend,
  udpSocket,
} from "../../src/native/mmsg.js";

/** One struct cmsghdr (64-bit Linux layout) with `data`, padded to 8 bytes. */
function cmsg(level: number, type: number, data: Buffer): Buffer {
  const len = 16 + data.length;
  const b = Buffer.alloc((len + 7) & ~7);
  b.writeBigUInt64LE(BigInt(len), 0);
  b.writeInt32LE(level, 8);
  b.writeInt32LE(type, 12);
  data.copy(b, 16);
  return b;
}

function timespec(sec: number, nsec: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigInt64LE(BigInt(sec), 0);
  b.writeBigInt64LE(BigInt(nsec), 8);
  return b;
}

describe("rxTimestamp (SCM_TIMESTAMPNS in msg_control)", () => {
  it("reads the timespec of a lone SCM_TIMESTAMPNS header", () => {
    const buf = cmsg(SOL_SOCKET, SCM_TIMESTAMPNS, timespec(1_764_088_200, 123_456_789));
    assert.equal(buf.length, TIMESTAMP_CMSG_SPACE);
    const t = rxTimestamp(buf);
    assert.ok(t !== null);
    assert.ok(Math.abs(t - 1_764_088_200.123457) < 1e-6, String(t));
  });

  it("skips other headers (with padding) before it", () => {
    // IP_TOS-like header at level 0 with one byte of data: cmsg_len 17, padded to 24.
    const other = cmsg(0, 1, Buffer.from([0x10]));
    assert.equal(other.length, 24);
    const buf = Buffer.concat([other, cmsg(SOL_SOCKET, SCM_TIMESTAMPNS, timespec(10, 500_000_000))]);
    assert.equal(rxTimestamp(buf), 10.5);
  });

  it("null without a timestamp, on an empty buffer, and on malformed chains", () => {
    assert.equal(rxTimestamp(Buffer.alloc(0)), null);
    assert.equal(rxTimestamp(cmsg(0, 1, Buffer.alloc(4))), null);
    const good = cmsg(SOL_SOCKET, SCM_TIMESTAMPNS, timespec(5, 0));
    assert.equal(rxTimestamp(good.subarray(0, 24)), null); // truncated (MSG_CTRUNC)
    const bad = Buffer.from(good);
    bad.writeBigUInt64LE(8n, 0); // cmsg_len shorter than its own header
    assert.equal(rxTimestamp(bad), null);
    const badNs = cmsg(SOL_SOCKET, SCM_TIMESTAMPNS, timespec(5, 1_000_000_000));
    assert.equal(rxTimestamp(badNs), null);
  });

  it("a real recvmmsg batch gives each datagram its own kernel arrival time", {
    skip: !mmsgAvailable() && "koffi/libc not available",
  }, async () => {
    const rx = udpSocket(4, { nonBlocking: true });
    const tx = udpSocket(4, { nonBlocking: true });
    const b = new MmsgBatch(16, 64, TIMESTAMP_CMSG_SPACE);
    try {
      udpRxTimestamps(rx);
      udpBind(rx, "127.0.0.1", 0);
      udpConnect(tx, "127.0.0.1", udpLocalAddress(rx).port);
      // The kernel turns receive stamping on for the whole system in deferred work: a datagram
      // that arrives before that is stamped when it is read (seen here: 8–11 ms late). Wait first.
      await new Promise((r) => setTimeout(r, 50));
      const before = Date.now() / 1000;
      // 8 datagrams about 1 ms apart, all read by one recvmmsg afterwards.
      for (let i = 0; i < 8; i++) {
        assert.equal(udpSend(tx, Buffer.from([i])), 1);
        const until = performance.now() + 1;
        while (performance.now() < until) {
          // busy wait: spaced sends
        }
      }
      const after = Date.now() / 1000;
      assert.ok(udpPoll(rx, POLLIN, 1000) & POLLIN);
      assert.equal(b.recv(rx, MSG_DONTWAIT), 8);
      const ts: number[] = [];
      for (let i = 0; i < 8; i++) {
        assert.equal(b.view(i)[0], i);
        const t = rxTimestamp(b.control(i));
        assert.ok(t !== null, `slot ${i} has no timestamp`);
        assert.ok(t >= before - 0.01 && t <= after + 0.01, `${t} outside [${before}, ${after}]`);
        ts.push(t);
      }
      for (let i = 1; i < 8; i++) assert.ok(ts[i]! - ts[i - 1]! > 0.0005, `gap ${i}: ${ts[i]! - ts[i - 1]!}`);
    } finally {
      b.free();
      closeFd(rx);
      closeFd(tx);
    }
  });
});
