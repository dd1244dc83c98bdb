/** Small helpers shared by the benchmarks: medians and repeated timing of whole commands. */
import { spawnSync } from "node:child_process";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time of one run of a command, in milliseconds. Throws if it fails. */
export function timeCommand(cmd: string, args: string[], input?: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}
