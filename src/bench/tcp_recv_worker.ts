/**
 * Worker of the fast TCP receiver: poll + recv into one 1 MiB buffer on a connected socket's file
 * descriptor (Node's reading is paused on it), counting bytes into shared memory. Few system calls
 * and no allocation per chunk, so the receiving side keeps up with 128 KByte writers.
 */
import { workerData } from "node:worker_threads";
import { EAGAIN, EINTR, lastErrno, MSG_DONTWAIT, POLLIN, udpPoll, udpRecv } from "../native/mmsg.js";

const d = workerData as { fd: number; ctrl: SharedArrayBuffer; nums: SharedArrayBuffer };
const ctrl = new Int32Array(d.ctrl); // [0]: 0 wait, 1 count, 2 stop
const nums = new Float64Array(d.nums); // [0]: bytes counted, [1]: 1 at end of stream
const buf = Buffer.alloc(1024 * 1024);
let bytes = 0;
outer: while (Atomics.load(ctrl, 0) !== 2) {
  if (Atomics.load(ctrl, 0) === 0) {
    Atomics.wait(ctrl, 0, 0, 20); // not started: leave the data in the socket
    continue;
  }
  if (udpPoll(d.fd, POLLIN, 20) <= 0) continue;
  for (let i = 0; i < 64; i++) {
    const n = udpRecv(d.fd, buf, MSG_DONTWAIT);
    if (n === 0) {
      nums[1] = 1;
      break outer;
    }
    if (n < 0) {
      const e = lastErrno();
      if (e === EAGAIN || e === EINTR) break;
      nums[1] = 1;
      break outer;
    }
    bytes += n;
    nums[0] = bytes;
  }
}
