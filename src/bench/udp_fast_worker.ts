/**
 * Worker thread of the UDP fast path: a sendmmsg or recvmmsg loop on a non-blocking socket (poll
 * waits), 64 datagrams per system call, iperf3's header, and the receiver statistics computed here.
 * Numbers go to the main thread through shared memory (see udp_fast.ts), so nothing blocks it.
 */
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { rxTimestamp, TIMESTAMP_CMSG_SPACE } from "../native/cmsg_timestamp.js";
import {
  EAGAIN,
  ECONNREFUSED,
  EINTR,
  ENOBUFS,
  lastErrno,
  MmsgBatch,
  MSG_DONTWAIT,
  POLLIN,
  POLLOUT,
  udpPoll,
  udpRecv,
  udpRxTimestamps,
  udpSend,
} from "../native/mmsg.js";
import {
  decodeUdpHeader,
  encodeUdpHeader,
  UDP_CONNECT_MSG,
  UDP_CONNECT_REPLY,
  udpHeaderSize,
} from "./iperf_protocol.js";
import { UdpReceiverStats } from "./stats.js";

export interface FastWorkerData {
  fd: number;
  mode: "send" | "recv";
  len: number;
  /** bit/s, 0 = unlimited */
  rate: number;
  counters64: boolean;
  /** Int32Array: [0] state 0 wait / 1 run / 2 stop / 3 held (socket untouched), [1] seqlock version */
  ctrl: SharedArrayBuffer;
  /** Float64Array of numbers (layout in udp_fast.ts) */
  nums: SharedArrayBuffer;
}

const d = workerData as FastWorkerData;
const ctrl = new Int32Array(d.ctrl);
const nums = new Float64Array(d.nums);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const BATCH = 64;

function nap(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function wall(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

function sendLoop(): void {
  const batch = new MmsgBatch(BATCH, d.len);
  const hdr = udpHeaderSize(d.counters64);
  for (let i = 0; i < BATCH; i++) {
    batch.view(i).fill(0x61, hdr);
    batch.setLen(i, d.len);
  }
  let packets = 0;
  let t0 = -1;
  const small = Buffer.alloc(64);
  let nextLook = 0;
  try {
    while (Atomics.load(ctrl, 0) !== 2) {
      if (Atomics.load(ctrl, 0) === 0) {
        // Before the test runs, wait on the socket: a repeated connect datagram gets its answer.
        if (udpPoll(d.fd, POLLIN, 2) > 0) answerConnects(small);
        continue;
      }
      const now = performance.now();
      // While sending (reverse mode), look for repeated connect datagrams every 10 ms: one
      // non-blocking recv, far cheaper than the sendmmsg calls in between.
      if (now >= nextLook) {
        answerConnects(small);
        nextLook = now + 10;
      }
      // Pace from the moment the main thread said "run" (shared as absolute ms in nums[15]).
      if (t0 < 0) t0 = nums[15]! > 0 ? nums[15]! - performance.timeOrigin : now;
      let due = BATCH;
      if (d.rate > 0) {
        const elapsed = (now - t0) / 1000;
        due = Math.min(BATCH, Math.floor((d.rate * elapsed) / 8 / d.len) + 1 - packets);
        if (due <= 0) {
          nap(Math.max(0.05, Math.min(10, ((packets * d.len * 8) / d.rate - elapsed) * 1000)));
          continue;
        }
      }
      const w = wall();
      const sec = Math.floor(w);
      const usec = Math.floor((w - sec) * 1e6);
      for (let i = 0; i < due; i++)
        encodeUdpHeader(batch.view(i), { sec, usec, seq: packets + i + 1 }, d.counters64);
      const n = batch.send(d.fd, due, MSG_DONTWAIT);
      if (n < 0) {
        const e = lastErrno();
        if (e === EAGAIN || e === ENOBUFS) udpPoll(d.fd, POLLOUT, 5);
        else if (e === ECONNREFUSED) nums[2]! += 1;
        else if (e !== EINTR) break;
        continue;
      }
      packets += n;
      nums[0] = packets * d.len;
      nums[1] = packets;
    }
  } finally {
    batch.free();
  }
}

/**
 * Answer every connect datagram (iperf3's 123456789) waiting on the socket with 987654321, and
 * drop anything else: on a lossy path the client repeats its connect datagram until our reply gets
 * through, and the kernel gives this connected socket (not the server's listening one) its resends.
 */
function answerConnects(buf: Buffer): void {
  for (;;) {
    const n = udpRecv(d.fd, buf, MSG_DONTWAIT);
    if (n < 0) return;
    if (n === 4 && buf.subarray(0, 4).equals(UDP_CONNECT_MSG)) udpSend(d.fd, UDP_CONNECT_REPLY);
  }
}

function recvLoop(): void {
  // Each datagram's own kernel receive time (SO_TIMESTAMPNS), not one time per recvmmsg batch:
  // otherwise a batch of 64 has one arrival time and jitter comes out near 0 at high rates.
  let stamped = true;
  try {
    udpRxTimestamps(d.fd);
  } catch {
    stamped = false; // no SO_TIMESTAMPNS: fall back to the batch's arrival time
  }
  const batch = new MmsgBatch(BATCH, Math.max(d.len, 65536 / 4), stamped ? TIMESTAMP_CMSG_SPACE : 0);
  const stats = new UdpReceiverStats({ counterBits: d.counters64 ? 64 : 32 });
  try {
    while (Atomics.load(ctrl, 0) !== 2) {
      const ev = udpPoll(d.fd, POLLIN, 20);
      if (ev <= 0) continue;
      const n = batch.recv(d.fd, MSG_DONTWAIT);
      if (n <= 0) continue;
      const running = Atomics.load(ctrl, 0) === 1;
      const arrival = wall();
      for (let i = 0; i < n; i++) {
        const size = batch.len(i);
        if (size === 4 && batch.view(i).subarray(0, 4).equals(UDP_CONNECT_MSG)) {
          udpSend(d.fd, UDP_CONNECT_REPLY); // the client missed our reply (lossy path): answer again
          continue;
        }
        if (!running) continue;
        const h = decodeUdpHeader(batch.view(i).subarray(0, size), d.counters64);
        if (h === null) continue;
        const at = stamped ? (rxTimestamp(batch.control(i)) ?? arrival) : arrival;
        stats.add(h.seq, at - (h.sec + h.usec / 1e6), size);
      }
      if (!running) continue;
      const s = stats.snapshot();
      Atomics.add(ctrl, 1, 1); // seqlock: odd while writing
      nums[0] = s.bytes;
      nums[1] = s.iperf.packets;
      nums[2] = s.iperf.lostPackets;
      nums[3] = s.iperf.outOfOrder;
      nums[4] = s.iperf.jitterMs;
      nums[5] = s.exact.received;
      nums[6] = s.exact.unique;
      nums[7] = s.exact.expected;
      nums[8] = s.exact.lost;
      nums[9] = s.exact.reordered;
      nums[10] = s.exact.duplicated;
      nums[11] = s.exact.stale;
      Atomics.add(ctrl, 1, 1);
    }
  } finally {
    batch.free();
  }
}

parentPort?.postMessage("ready");
// Held: the main thread is still doing the handshake on this socket; wait without touching it.
while (Atomics.load(ctrl, 0) === 3) Atomics.wait(ctrl, 0, 3, 1000);
if (d.mode === "send") sendLoop();
else recvLoop();
