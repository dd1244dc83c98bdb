/**
 * Socket-table speed with many sockets: `netkit sockets -ta` (the `ss -tanp` equivalent: TCP,
 * all states, numeric, with processes) against `ss -tanp` and `netstat -tanp`, and
 * `netkit port who P` against `ss -tlnp sport = :P`, on the same sockets in the same run.
 * Every tool runs as a child process (startup included), output discarded; median of RUNS runs.
 *
 * Run: npm run bench:ports   (env: SOCKETS=40000 HOLDERS=4 RUNS=5)
 * Only loopback; the holders are this script's own children and end with it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SOCKETS = Number(process.env.SOCKETS ?? 40000);
const HOLDERS = Number(process.env.HOLDERS ?? 4);
const RUNS = Number(process.env.RUNS ?? 5);
const HOLDER = fileURLToPath(new URL("../../bench/socket_holder.py", import.meta.url));
const BIN = fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));

function startHolder(n: number): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [HOLDER, String(n)], { stdio: ["pipe", "pipe", "inherit"] });
    const timer = setTimeout(() => reject(new Error("holder did not start in 120 s")), 120_000);
    child.on("error", reject);
    child.stdout!.once("data", (d: Buffer) => {
      clearTimeout(timer);
      resolve({ child, port: Number(d.toString().trim()) });
    });
  });
}

function time(cmd: string, args: string[]): { ms: number; lines: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, lines: r.stdout.split("\n").length - 1 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function bench(label: string, cmd: string, args: string[]): { label: string; ms: number; lines: number } {
  time(cmd, args); // warm-up (page cache, dentries)
  const runs = Array.from({ length: RUNS }, () => time(cmd, args));
  return { label, ms: median(runs.map((r) => r.ms)), lines: runs[0]!.lines };
}

async function main(): Promise<void> {
  const holders: { child: ChildProcess; port: number }[] = [];
  try {
    const per = Math.ceil(SOCKETS / HOLDERS);
    const t0 = Date.now();
    for (let i = 0; i < HOLDERS; i++) holders.push(await startHolder(per));
    console.error(`# ${HOLDERS} holders × ${per} sockets ready in ${Date.now() - t0} ms`);
    const port = holders[0]!.port;
    const node = process.execPath;
    const table = [
      bench("netkit sockets -ta", node, [BIN, "sockets", "-ta"]),
      bench("ss -tanp", "ss", ["-tanp"]),
      bench("netstat -tanp", "netstat", ["-tanp"]),
      bench("netkit sockets -ta --json", node, [BIN, "sockets", "-ta", "--json"]),
      bench("netkit sockets -ta --workers 2", node, [BIN, "sockets", "-ta", "--workers", "2"]),
      bench("ss -tan (no processes)", "ss", ["-tan"]),
      bench(`netkit port who tcp:${port}`, node, [BIN, "port", "who", `tcp:${port}`]),
      bench(`ss -tlnp sport = :${port}`, "ss", ["-tlnp", "sport", "=", `:${port}`]),
      bench("node -e 0 (startup alone)", node, ["-e", "0"]),
    ];
    const base = (l: string) => table.find((r) => r.label.startsWith(l))!.ms;
    console.log(
      `Sockets: ${SOCKETS} TCP on loopback in ${HOLDERS} processes; median of ${RUNS} runs; wall time incl. startup.\n`,
    );
    console.log("| command | median ms | output lines | vs ss -tanp | vs netstat -tanp |");
    console.log("|---|---:|---:|---:|---:|");
    for (const r of table) {
      console.log(
        `| \`${r.label}\` | ${r.ms.toFixed(0)} | ${r.lines} | ${(r.ms / base("ss -tanp")).toFixed(2)}× | ${(r.ms / base("netstat")).toFixed(2)}× |`,
      );
    }
    const who = table.find((r) => r.label.startsWith("netkit port who"))!.ms;
    const ssWho = table.find((r) => r.label.startsWith("ss -tlnp"))!.ms;
    console.log(`\nnetkit port who / ss -tlnp sport: ${(who / ssWho).toFixed(2)}×`);
  } finally {
    for (const h of holders) h.child.stdin!.end();
    await Promise.all(holders.map((h) => new Promise((r) => h.child.once("exit", r))));
  }
}

await main();
