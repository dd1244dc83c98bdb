/**
 * Diagnostics speed (issue 5): `netkit route get` vs `ip route get` as whole commands (median wall
 * time of N runs each, interleaved, with `node -e 0` as the floor of any Node program) and the
 * in-process library call, and ping RTT on loopback: netkit vs iputils, 100 probes each at
 * -i 0.01, median of the per-reply times. Traffic: loopback only. Run: npm run bench:diag (root).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function wall(argv: string[]): number {
  const t = process.hrtime.bigint();
  execFileSync(argv[0]!, argv.slice(1), { stdio: "ignore" });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const N = Number(process.env.RUNS ?? 50);
const runs: Record<string, string[]> = {
  "ip route get": ["ip", "route", "get", "127.0.0.1"],
  "node -e 0": [process.execPath, "-e", "0"],
  "netkit route get": [process.execPath, BIN, "route", "get", "127.0.0.1"],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
for (let i = 0; i < N; i++) {
  // Interleaved, so drift in machine load affects every command alike.
  for (const [k, argv] of Object.entries(runs)) times[k]!.push(wall(argv));
}
const mi = median(times["ip route get"]!);
for (const [k, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`${k.padEnd(18)} median of ${N}: ${m.toFixed(2)} ms (${(m / mi).toFixed(1)}x ip route get)`);
}

// The same lookup inside a running process: the library call, warm (koffi loaded, socket code JITed).
const { routeGet } = await import("../src/diag/routes.js");
const { parseAddr } = await import("../src/ip/addr.js");
const dst = parseAddr("127.0.0.1");
for (let i = 0; i < 20; i++) await routeGet(dst);
const lib: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = process.hrtime.bigint();
  await routeGet(dst);
  lib.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(`routeGet() in process, median of 200 (warm): ${(median(lib) * 1000).toFixed(0)} us`);

function rtts(out: string): number[] {
  return [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}
const args = ["-c", "100", "-i", "0.01", "127.0.0.1"];
const a = median(rtts(execFileSync(process.execPath, [BIN, "ping", ...args], { encoding: "utf8" })));
const b = median(rtts(execFileSync("ping", args, { encoding: "utf8" })));
console.log(
  `ping 127.0.0.1 x100 -i 0.01, median RTT: netkit ${(a * 1000).toFixed(0)} us, iputils ${(b * 1000).toFixed(0)} us, difference ${((a - b) * 1000).toFixed(0)} us`,
);
