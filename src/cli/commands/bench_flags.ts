/** Flag helpers shared by the bench subcommands (validate before any I/O). */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { flagLabel } from "../args.js";

/** A number of seconds ≥ 0 (fractions allowed), or UsageError. */
export function secondsFlag(name: string, v: unknown, dflt: number, max = 86400): number {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !/^(\d+(\.\d*)?|\.\d+)$/.test(v))
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

/**
 * `--plot FILE.svg`: the folder must exist, checked before the test runs (not after it, when the
 * measurement would be lost). Returns the path, or undefined when the flag is absent.
 */
export function plotFlag(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "")
    throw new UsageError(`${flagLabel("plot")} takes a file name (--plot out.svg)`);
  const dir = dirname(resolve(v));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UsageError(`${flagLabel("plot")} ${v}: the folder ${dir} does not exist`);
  return v;
}
