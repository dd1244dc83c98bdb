/**
 * Start-up cost: wall time of `netkit ip 10.0.0.1/8` against `node -e 0`, interleaved runs,
 * medians. Target: ≤ 1.6× (commands lazy-load only what they use).
 * Run: npm run bench:ip:startup
 */
import { fileURLToPath } from "node:url";
import { median, timeCommand } from "./stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const bin = fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));
const node: number[] = [];
const netkit: number[] = [];
for (let i = 0; i < 3; i++) {
  timeCommand(process.execPath, ["-e", "0"]);
  timeCommand(process.execPath, [bin, "ip", "10.0.0.1/8"]);
}
for (let i = 0; i < RUNS; i++) {
  node.push(timeCommand(process.execPath, ["-e", "0"]));
  netkit.push(timeCommand(process.execPath, [bin, "ip", "10.0.0.1/8"]));
}
const a = median(node);
const b = median(netkit);
console.log(`ip start-up: median of ${RUNS} interleaved runs (node ${process.version})`);
console.log(`  node -e 0                 ${a.toFixed(1)} ms`);
console.log(`  netkit ip 10.0.0.1/8      ${b.toFixed(1)} ms`);
console.log(`  ratio: ${(b / a).toFixed(2)}× (target ≤ 1.6×)`);
