/**
 * Worker of the UDP ping-pong: a blocking send → poll → recv loop on a native connected socket
 * (src/native/mmsg.ts), so each round trip costs two system calls and no event-loop turns. Sends
 * the round-trip times (µs) back when done; progress goes through shared memory.
 */
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { ECONNREFUSED, lastErrno, POLLIN, udpPoll, udpRecv, udpSend } from "../native/mmsg.js";

export interface PingPongWorkerData {
  fd: number;
  len: number;
  count: number;
  /** ms since the worker's performance origin by which to stop */
  seconds: number;
  timeoutMs: number;
  /** Int32Array [0]: round trips so far, [1]: stop request */
  ctrl: SharedArrayBuffer;
}

const d = workerData as PingPongWorkerData;
const ctrl = new Int32Array(d.ctrl);
const payload = Buffer.alloc(d.len, 0x78);
const buf = Buffer.alloc(65536);
const samples = new Float64Array(d.count);
let received = 0;
let sent = 0;
let error = 0;
const end = performance.now() + d.seconds * 1000;
while (sent < d.count && performance.now() < end && Atomics.load(ctrl, 1) === 0) {
  // Drop late answers to earlier (timed-out) requests before the next one.
  while (udpRecv(d.fd, buf, 0x40) > 0);
  // An ICMP port unreachable for an earlier request is reported once, on this connected socket.
  if (lastErrno() === ECONNREFUSED) {
    error = ECONNREFUSED;
    break;
  }
  const t0 = performance.now();
  if (udpSend(d.fd, payload) < 0) {
    error = lastErrno();
    break;
  }
  sent++;
  for (;;) {
    const left = d.timeoutMs - (performance.now() - t0);
    if (left <= 0) break;
    if (udpPoll(d.fd, POLLIN, Math.ceil(left)) <= 0) continue;
    const n = udpRecv(d.fd, buf, 0x40);
    if (n >= 0) {
      samples[received++] = (performance.now() - t0) * 1000;
      break;
    }
    if (lastErrno() === ECONNREFUSED) {
      // ICMP port unreachable: nothing listens there (the kernel reports it on a connected socket).
      error = ECONNREFUSED;
      break;
    }
  }
  Atomics.store(ctrl, 0, sent);
  if (error !== 0) break;
}
parentPort?.postMessage({ sent, received, error, samples: samples.slice(0, received) });
