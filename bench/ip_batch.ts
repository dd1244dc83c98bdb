/**
 * Batch speed: `netkit ip --json -` against bench/ip_batch.py (CPython 3.13 ipaddress computing
 * the same fields), same input, same run. Target: netkit ≥ 10× faster.
 * Run: npm run bench:ip:batch   (BENCH_LINES=1000000 by default; Python takes ~80 s for that)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeCorpus } from "./corpus.js";

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "netkit-bench-"));
const input = join(dir, "input.txt");
const bin = fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));
const script = fileURLToPath(new URL("../../bench/ip_batch.py", import.meta.url));
const finder = fileURLToPath(new URL("../../test/helpers/find_python313.sh", import.meta.url));

function timeFile(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("sh", ["-c", `"$0" "$@" < '${input}' > /dev/null`, cmd, ...args], { stdio: "inherit" });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} failed with ${r.status}`);
  return s;
}

try {
  const python = execFileSync("bash", [finder], { encoding: "utf8" }).trim();
  writeFileSync(input, `${makeCorpus(LINES).join("\n")}\n`);
  const netkit = timeFile(process.execPath, [bin, "ip", "--json", "-"]);
  const py = timeFile(python, [script]);
  console.log(
    `ip batch: ${LINES.toLocaleString("en-US")} mixed lines → NDJSON (node ${process.version}, ${python})`,
  );
  console.log(
    `  netkit ip --json -     ${netkit.toFixed(2)} s  (${((netkit / LINES) * 1e6).toFixed(1)} µs/line)`,
  );
  console.log(`  python ip_batch.py     ${py.toFixed(2)} s  (${((py / LINES) * 1e6).toFixed(1)} µs/line)`);
  console.log(`  ratio: netkit is ${(py / netkit).toFixed(1)}× faster (target ≥ 10×)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
