/**
 * Latency statistics (pure): nearest-rank percentiles like sockperf's p50/p90/p99/p99.9, and a
 * histogram for plotting.
 *
 * @example
 * summarize([10, 20, 30, 40]).p50; // 20 (nearest rank: ceil(0.5 × 4) = 2nd smallest)
 */

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentile of sorted values: the ceil(p/100 × n)-th smallest. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p * n) / 100 - 1e-9))); // ε: 99.9 × 1000 / 100 must be 999
  return sorted[rank - 1]!;
}

/** Summary of samples (any unit); NaN fields for no samples. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const s = Float64Array.from(samples as ArrayLike<number>).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    count: s.length,
    min: s.length ? s[0]! : Number.NaN,
    mean: s.length ? sum / s.length : Number.NaN,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    p999: percentile(s, 99.9),
    max: s.length ? s[s.length - 1]! : Number.NaN,
  };
}

/** Equal-width bins from min to the 99.9th percentile (the tail beyond goes in the last bin). */
export function histogram(
  samples: ArrayLike<number>,
  bins = 40,
): { from: number; to: number; count: number }[] {
  const s = Float64Array.from(samples as ArrayLike<number>).sort();
  if (s.length === 0) return [];
  const lo = s[0]!;
  const hi = Math.max(percentile(s, 99.9), lo + 1e-9);
  const w = (hi - lo) / bins;
  const out = Array.from({ length: bins }, (_, i) => ({ from: lo + i * w, to: lo + (i + 1) * w, count: 0 }));
  for (const v of s) out[Math.min(bins - 1, Math.floor((v - lo) / w))]!.count++;
  return out;
}
