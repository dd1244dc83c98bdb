/**
 * Diagnostics speed (issue 5): `netkit route get` vs `ip route get` as whole commands (median wall
 * time of N runs each, interleaved), and ping RTT on loopback: netkit vs iputils, 100 probes each at
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

const N = Number(process.env.RUNS ?? 30);
const ours: number[] = [];
const theirs: number[] = [];
for (let i = 0; i < N; i++) {
  ours.push(wall([process.execPath, BIN, "route", "get", "127.0.0.1"]));
  theirs.push(wall(["ip", "route", "get", "127.0.0.1"]));
}
const mo = median(ours);
const mi = median(theirs);
console.log(
  `route get 127.0.0.1, median of ${N}: netkit ${mo.toFixed(1)} ms, ip ${mi.toFixed(2)} ms, ratio ${(mo / mi).toFixed(1)}x`,
);

function rtts(out: string): number[] {
  return [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}
const args = ["-c", "100", "-i", "0.01", "127.0.0.1"];
const a = median(rtts(execFileSync(process.execPath, [BIN, "ping", ...args], { encoding: "utf8" })));
const b = median(rtts(execFileSync("ping", args, { encoding: "utf8" })));
console.log(
  `ping 127.0.0.1 x100 -i 0.01, median RTT: netkit ${(a * 1000).toFixed(0)} us, iputils ${(b * 1000).toFixed(0)} us, difference ${((a - b) * 1000).toFixed(0)} us`,
);
