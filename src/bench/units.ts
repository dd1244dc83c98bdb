/**
 * iperf3's units (pure): transfer sizes in binary bytes (KBytes = 1024), rates in decimal bits
 * (Mbits/sec = 10^6 bit/s), and the flag parsers for `-b 10M`, `-n 4M`, `-l 64`.
 *
 * @example
 * formatBytes(131072);          // "128 KBytes"
 * formatBitsPerSecond(1.05e6);  // "1.05 Mbits/sec"
 * parseRate("10M");             // 10_000_000
 * parseSize("4M");              // 4_194_304
 */
import { UsageError } from "../errors.js";

/** iperf3's number style: 3 significant digits, "%4.2f" below 9.995, "%4.1f" below 99.95, else "%4.0f". */
function digits(n: number): string {
  if (n < 9.995) return n.toFixed(2);
  if (n < 99.95) return n.toFixed(1);
  return n.toFixed(0);
}

const BYTE_UNITS = ["Bytes", "KBytes", "MBytes", "GBytes", "TBytes"];
const BIT_UNITS = ["bits", "Kbits", "Mbits", "Gbits", "Tbits"];

/** A byte count as iperf3 prints a transfer: binary prefixes, e.g. `1.25 MBytes`. */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${digits(v)} ${BYTE_UNITS[i]}`;
}

/** A rate in bit/s as iperf3 prints it: decimal prefixes, e.g. `941 Mbits/sec`. */
export function formatBitsPerSecond(bps: number): string {
  let v = bps;
  let i = 0;
  while (v >= 1000 && i < BIT_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${digits(v)} ${BIT_UNITS[i]}/sec`;
}

/** A packet rate, decimal prefixes: `1.23 Mpps`. */
export function formatPacketsPerSecond(pps: number): string {
  const units = ["pps", "Kpps", "Mpps", "Gpps"];
  let v = pps;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${digits(v)} ${units[i]}`;
}

const NUMBER = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/;

function parseWith(flag: string, text: string, base: number): number {
  const m = NUMBER.exec(text);
  if (m === null)
    throw new UsageError(`${flag} takes a number with an optional K/M/G/T suffix, got "${text}"`);
  const exp = { "": 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"];
  return Number(m[1]) * base ** exp;
}

/**
 * A rate flag (`-b`): decimal suffixes, bits per second: `10M` = 10,000,000 bit/s, `0` = unlimited.
 * @throws UsageError (ERR_USAGE) for anything else.
 */
export function parseRate(text: string, flag = "-b"): number {
  return Math.round(parseWith(flag, text, 1000));
}

/**
 * A size flag (`-n`, `-l`): binary suffixes, bytes: `4M` = 4,194,304, `64` = 64.
 * @throws UsageError (ERR_USAGE) for anything else, including fractions of a byte.
 */
export function parseSize(text: string, flag = "-n"): number {
  const v = parseWith(flag, text, 1024);
  if (!Number.isInteger(v)) throw new UsageError(`${flag} must be a whole number of bytes, got "${text}"`);
  return v;
}
