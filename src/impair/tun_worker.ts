/**
 * Worker thread of the TUN link: moves IP packets between two TUN devices through two
 * {@link UdpPipeline}s (A→B and B→A) with the same impairments as the UDP relay. Counts go to the
 * main thread through shared memory; the loop stops when the shared state says so.
 */
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { tunPoll, tunRead, tunWrite } from "../native/tun.js";
import { createRng } from "./rng.js";
import { type UdpImpairCounts, type UdpImpairment, UdpPipeline } from "./udp_pipeline.js";

export interface TunWorkerData {
  fdA: number;
  fdB: number;
  impair: UdpImpairment;
  seed: number;
  /** Int32Array [0]: 0 run, 1 stop */
  ctrl: SharedArrayBuffer;
  /** Float64Array: counts A→B then B→A, 7 numbers each (COUNT_KEYS order) */
  nums: SharedArrayBuffer;
}

export const COUNT_KEYS: (keyof UdpImpairCounts)[] = [
  "received",
  "forwarded",
  "dropped",
  "droppedRate",
  "duplicated",
  "reordered",
  "passed",
];

const d = workerData as TunWorkerData;
const ctrl = new Int32Array(d.ctrl);
const nums = new Float64Array(d.nums);
const rng = createRng(d.seed);
const ab = new UdpPipeline(d.impair, rng);
const ba = new UdpPipeline(d.impair, rng);
const buf = Buffer.alloc(65536);

function publish(): void {
  COUNT_KEYS.forEach((k, i) => {
    nums[i] = ab.counts[k];
    nums[7 + i] = ba.counts[k];
  });
}

parentPort?.postMessage("ready");
while (Atomics.load(ctrl, 0) === 0) {
  const now = performance.now();
  const next = [ab.nextDue(), ba.nextDue()].filter((x): x is number => x !== null);
  const wait = next.length > 0 ? Math.min(50, Math.max(0, Math.min(...next) - now)) : 50;
  const ready = tunPoll([d.fdA, d.fdB], wait);
  const t = performance.now();
  for (const fd of ready) {
    const pipe = fd === d.fdA ? ab : ba;
    for (let i = 0; i < 256; i++) {
      const n = tunRead(fd, buf);
      if (n <= 0) break;
      pipe.push(Buffer.from(buf.subarray(0, n)), t);
    }
  }
  for (const p of ab.release(t)) tunWrite(d.fdB, p);
  for (const p of ba.release(t)) tunWrite(d.fdA, p);
  publish();
}
publish();
