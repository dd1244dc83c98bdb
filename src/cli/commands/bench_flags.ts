/** Flag helpers shared by the bench subcommands (validate before any I/O). */
import { UsageError } from "../../errors.js";
import { flagLabel } from "../args.js";

/** A number of seconds ≥ 0 (fractions allowed), or UsageError. */
export function secondsFlag(name: string, v: unknown, dflt: number, max = 86400): number {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !/^\d+(\.\d+)?$/.test(v))
    throw new UsageError(`${flagLabel(name)} takes seconds, got "${v}"`);
  const n = Number(v);
  if (n > max) throw new UsageError(`${flagLabel(name)} must be at most ${max}, got ${v}`);
  return n;
}

/** `-i`: 0 (none) or 0.1–60 seconds, like iperf3. */
export function intervalFlag(v: unknown): number {
  const n = secondsFlag("interval", v, 1, 60);
  if (n !== 0 && n < 0.1)
    throw new UsageError(`${flagLabel("interval")} must be 0 or between 0.1 and 60, got ${String(v)}`);
  return n;
}
