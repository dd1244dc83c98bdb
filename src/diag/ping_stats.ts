/**
 * Ping statistics as iputils computes them (pure): round-trip times in whole microseconds,
 * min/avg/max and mdev (the population standard deviation, over replies and duplicates, in
 * iputils' integer arithmetic, so the same digits come out), loss as a
 * percentage of transmitted probes, and the "pipe" (most probes in flight when one was answered).
 *
 * @example
 * const s = new PingStats();
 * s.sent(); s.reply(1, 48, false); s.summary().rtt; // { min: 0.048, avg: 0.048, max: 0.048, mdev: 0 }
 */

/** RTT statistics in milliseconds (microsecond resolution, like iputils). */
export interface RttStats {
  min: number;
  avg: number;
  max: number;
  mdev: number;
}

/** Counters and RTT statistics of one ping run. */
export interface PingSummary {
  transmitted: number;
  received: number;
  duplicates: number;
  /** Replies whose checksum did not verify. */
  corrupted: number;
  /** ICMP errors (unreachable, time exceeded, …) received for our probes. */
  errors: number;
  /** Percentage of transmitted probes that got no reply (0–100). */
  loss: number;
  rtt: RttStats | null;
  /** The most probes outstanding when one was answered (1 when they never overlapped). */
  pipe: number;
}

/**
 * An interim snapshot, as iputils prints it on SIGQUIT (`status()` in ping_common.c): counts,
 * loss as a whole percentage (truncated), and min/avg/ewma/max in whole microseconds (null before
 * any timed reply). `ewma` is iputils' moving average: rtt8 = 8·first, then rtt8 += t − rtt8/8.
 */
export interface PingStatus {
  received: number;
  transmitted: number;
  loss: number;
  rttUs: { min: number; avg: number; ewma: number; max: number } | null;
}

const ms3 = (us: number): string => `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, "0")}`;

/**
 * iputils' SIGQUIT line (on stderr, starting with "\r"), e.g.
 * `\r4/4 packets, 0% loss, min/avg/ewma/max = 0.012/0.025/0.018/0.036 ms\n`.
 */
export function formatPingStatus(s: PingStatus): string {
  let line = `\r${s.received}/${s.transmitted} packets, ${s.loss}% loss`;
  if (s.rttUs !== null) {
    const r = s.rttUs;
    line += `, min/avg/ewma/max = ${ms3(r.min)}/${ms3(r.avg)}/${ms3(r.ewma)}/${ms3(r.max)} ms`;
  }
  return `${line}\n`;
}

/**
 * iputils' llsqrt(): Newton's method on integers, returning the iterate that stopped decreasing —
 * ⌊√a⌋, except ⌈√a⌉ when a + 1 is a perfect square (llsqrt(8) = 3). 0 for a ≤ 0.
 */
function llsqrt(a: bigint): bigint {
  if (a <= 0n) return 0n;
  let prev = a + 1n;
  let x = a;
  while (x < prev) {
    prev = x;
    x = (x + a / x) / 2n;
  }
  return x;
}

/** Accumulates a run; `summary()` may be called at any time. */
export class PingStats {
  private transmitted = 0;
  private received = 0;
  private duplicates = 0;
  private corrupted = 0;
  private errors = 0;
  private tmin = Number.POSITIVE_INFINITY;
  private tmax = 0;
  private tsum = 0;
  /** Sum of squares as a BigInt: 100 probes of 10 s RTT already pass 2^53 µs². */
  private tsum2 = 0n;
  private timed = 0;
  private pipe = 1;
  /** 8 × the moving average of the RTT in µs, as iputils keeps `rtt` (0 before any reply). */
  private rtt8 = 0;

  /** Count one transmitted probe. */
  sent(): void {
    this.transmitted++;
  }

  /** Count a reply to probe `seq` (1-based send order) with round-trip `rttUs` microseconds. */
  reply(seq: number, rttUs: number, duplicate: boolean): void {
    if (duplicate) this.duplicates++;
    else {
      this.received++;
      this.ack(seq);
    }
    const t = Math.max(0, Math.floor(rttUs));
    this.timed++;
    this.tsum += t;
    this.tsum2 += BigInt(t) * BigInt(t);
    if (t < this.tmin) this.tmin = t;
    if (t > this.tmax) this.tmax = t;
    // iputils: rtt = triptime*8 at first, then rtt += triptime − rtt/8 (C integer division).
    this.rtt8 = this.rtt8 === 0 ? t * 8 : this.rtt8 + t - Math.trunc(this.rtt8 / 8);
  }

  /** The interim snapshot iputils prints on SIGQUIT (see {@link formatPingStatus}). */
  status(): PingStatus {
    const loss =
      this.transmitted === 0 ? 0 : Math.trunc(((this.transmitted - this.received) * 100) / this.transmitted);
    return {
      received: this.received,
      transmitted: this.transmitted,
      loss,
      rttUs:
        this.received > 0 && this.timed > 0
          ? {
              min: this.tmin,
              avg: Math.floor(this.tsum / this.timed),
              ewma: Math.trunc(this.rtt8 / 8),
              max: this.tmax,
            }
          : null,
    };
  }

  /** Count a reply whose checksum failed. */
  corrupt(): void {
    this.corrupted++;
  }

  /** Count an ICMP error about probe `seq`. */
  error(seq: number): void {
    this.errors++;
    this.ack(seq);
  }

  /** iputils' acknowledge(): sequence numbers are 16-bit, so the distance is taken modulo 2^16. */
  private ack(seq: number): void {
    const diff = (this.transmitted - seq) & 0xffff;
    if (diff <= 0x7fff && diff + 1 > this.pipe) this.pipe = diff + 1;
  }

  /** The largest RTT seen, in microseconds (0 before any reply). */
  get maxRttUs(): number {
    return this.tmax;
  }

  get receivedCount(): number {
    return this.received;
  }

  get errorCount(): number {
    return this.errors;
  }

  summary(): PingSummary {
    let rtt: RttStats | null = null;
    if (this.timed > 0) {
      // iputils' integer arithmetic, in its order (ping_common.c): for small sums
      // (tsum2 − tsum²/n) / n, else tsum2/n − avg², each division truncating; mdev = ⌊√var⌋.
      const n = BigInt(this.timed);
      const tsum = BigInt(this.tsum);
      const avgBig = tsum / n;
      const tmvar =
        this.tsum < 0x7fffffff ? (this.tsum2 - (tsum * tsum) / n) / n : this.tsum2 / n - avgBig * avgBig;
      const avg = Number(avgBig);
      const mdev = Number(llsqrt(tmvar));
      rtt = { min: this.tmin / 1000, avg: avg / 1000, max: this.tmax / 1000, mdev: mdev / 1000 };
    }
    return {
      transmitted: this.transmitted,
      received: this.received,
      duplicates: this.duplicates,
      corrupted: this.corrupted,
      errors: this.errors,
      loss: this.transmitted === 0 ? 0 : ((this.transmitted - this.received) * 100) / this.transmitted,
      rtt,
      pipe: this.pipe,
    };
  }
}
