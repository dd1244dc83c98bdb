/**
 * Worker thread of the UDP server's fast path: a recvmmsg/sendmmsg loop (64 slots,
 * MSG_WAITFORONE) on the server's socket, answering each datagram to its sender with a built-in
 * handler (datagram_transform.ts), checking allow/deny with src/ip, counting into shared memory.
 * Rare events (truncated, denied, errors) go to the main thread as messages, at most
 * {@link EVENTS_PER_SECOND} a second each; the counters are always exact. See udp_fast_echo.ts.
 */
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { Addr } from "../ip/addr.js";
import {
  EAGAIN,
  EINTR,
  lastErrno,
  MmsgPeerBatch,
  MSG_DONTWAIT,
  MSG_TRUNC,
  MSG_WAITFORONE,
} from "../native/mmsg.js";
import { AccessList } from "./access_list.js";
import { transformDatagram } from "./datagram_transform.js";
import {
  EVENTS_PER_SECOND,
  FAST_COUNTERS,
  type FastEchoMessage,
  type FastEchoWorkerData,
} from "./udp_fast_echo_protocol.js";

const SLOTS = 64;
/**
 * After answering a batch, keep asking (non-blocking) for this long before sleeping in recvmmsg:
 * a request that follows its predecessor within this time is taken without a thread wake-up, the
 * largest part of one-in-flight latency (what sockperf and busy-polling NICs do). Idle servers
 * sleep after it.
 */
const SPIN_MS = 0.05;
/** Largest UDP payload plus room for a text reply that grew. */
const SLOT_SIZE = 65536;

const AF_INET = 2;

function peerAddr(name: Buffer): Addr {
  if (name.readUInt16LE(0) === AF_INET) return Addr.v4(name.readUInt32BE(4));
  return Addr.v6(name.readUInt32BE(8), name.readUInt32BE(12), name.readUInt32BE(16), name.readUInt32BE(20));
}

/** A number (IPv4: address·65536 + port) or string key for a peer, without making an Addr. */
function peerKey(name: Buffer): number | string {
  const port = name.readUInt16BE(2);
  if (name.readUInt16LE(0) === AF_INET) return name.readUInt32BE(4) * 65536 + port;
  return `${name.toString("latin1", 8, 24)}:${port}`;
}

function run(d: FastEchoWorkerData): void {
  const ctrl = new Int32Array(d.ctrl);
  const nums = new Float64Array(d.nums);
  const acl = AccessList.from({ allow: d.allow, deny: d.deny });
  const checkAcl = !acl.open;
  const batch = new MmsgPeerBatch(SLOTS, SLOT_SIZE);
  const lastSeen = new Map<number | string, number>();
  const c = new Float64Array(FAST_COUNTERS.length);
  const [DATAGRAMS, BYTES_IN, BYTES_OUT, REPLIES, EMPTY, TRUNCATED, DENIED, , ERRORS, PEERS] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ];
  const reply = new Uint8Array(SLOTS); // 1: slot i gets an answer
  const outLen = new Int32Array(SLOTS);
  let now = Date.now();
  let lastSweep = now;
  let eventWindow = now;
  let events = 0;
  let spinEnd = -1; // ≥ 0 while spinning
  let prevKey: number | string = -1;
  const post = (m: FastEchoMessage) => {
    if (now - eventWindow >= 1000) {
      eventWindow = now;
      events = 0;
    }
    if (events++ < EVENTS_PER_SECOND) parentPort?.postMessage(m);
  };
  const publishCounters = () => {
    Atomics.add(ctrl, 1, 1);
    nums.set(c);
    Atomics.add(ctrl, 1, 1);
  };
  try {
    parentPort?.postMessage({ kind: "ready" } satisfies FastEchoMessage);
    while (Atomics.load(ctrl, 0) !== 2) {
      const spinning = spinEnd >= 0;
      const n = batch.recv(d.fd, d.limit, MSG_WAITFORONE | MSG_TRUNC | (spinning ? MSG_DONTWAIT : 0));
      if (n < 0) {
        const e = lastErrno();
        if (spinning && e === EAGAIN) {
          if (performance.now() > spinEnd) spinEnd = -1;
          continue;
        }
        now = Date.now();
        if (e !== EAGAIN && e !== EINTR) {
          c[ERRORS]!++;
          post({ kind: "error", syscall: "recvmmsg", errno: e });
          publishCounters();
          Atomics.wait(ctrl, 0, 0, 10); // do not spin on a persistent error
        }
        continue;
      }
      now = Date.now();
      prevKey = -1;
      for (let i = 0; i < n; i++) {
        const size = batch.len(i);
        const name = batch.name(i);
        if (checkAcl && !acl.permitsAddr(peerAddr(name))) {
          c[DENIED]!++;
          reply[i] = 0;
          post({
            kind: "denied",
            remoteAddress: peerAddr(name).toString(),
            remotePort: name.readUInt16BE(2),
            size,
          });
          continue;
        }
        const key = peerKey(name);
        if (key !== prevKey) {
          // One lookup per run of datagrams from the same peer in this batch.
          prevKey = key;
          const seen = lastSeen.get(key);
          if (seen === undefined || now - seen > d.peerIdleTimeout) c[PEERS]!++;
          lastSeen.set(key, now);
        }
        c[DATAGRAMS]!++;
        const kept = Math.min(size, d.limit);
        c[BYTES_IN]! += kept;
        if (size === 0) c[EMPTY]!++;
        if (size > d.limit) {
          c[TRUNCATED]!++;
          post({
            kind: "truncated",
            remoteAddress: peerAddr(name).toString(),
            remotePort: name.readUInt16BE(2),
            size,
          });
        }
        const out = transformDatagram(d.handler, batch.view(i), kept);
        if (out < 0) {
          c[ERRORS]!++;
          reply[i] = 0;
          continue;
        }
        batch.setLen(i, out);
        outLen[i] = out;
        reply[i] = 1;
      }
      // Answer each run of consecutive replied slots with one sendmmsg.
      let i = 0;
      while (i < n) {
        if (reply[i] === 0) {
          i++;
          continue;
        }
        let j = i;
        while (j < n && reply[j] === 1) j++;
        while (i < j) {
          const sent = batch.send(d.fd, i, j - i);
          if (sent < 0) {
            const e = lastErrno();
            if (e === EINTR) continue;
            c[ERRORS]!++;
            post({ kind: "error", syscall: "sendmmsg", errno: e });
            i++; // this datagram's reply failed (e.g. EMSGSIZE); go on with the next
            continue;
          }
          for (let k = i; k < i + sent; k++) c[BYTES_OUT]! += outLen[k]!;
          c[REPLIES]! += sent;
          i += sent;
        }
      }
      publishCounters();
      spinEnd = performance.now() + SPIN_MS;
      if (now - lastSweep > 1000) {
        lastSweep = now;
        for (const [k, t] of lastSeen) if (now - t > d.peerIdleTimeout) lastSeen.delete(k);
      }
    }
  } finally {
    publishCounters();
    batch.free();
  }
}

run(workerData as FastEchoWorkerData);
