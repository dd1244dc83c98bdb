/**
 * `npm run bench:echo`: netkit's echo servers against the notes' Python UDP server and a Python
 * asyncio TCP echo server, driven by the same neutral C load generators (bench/loadgen/*.c, built
 * here with the machine's `cc` into bench/out/), rounds alternating, medians.
 *
 *   UDP, 64-byte requests, 32 in flight: replies/s              (target netkit ≥ 1.5× Python)
 *   UDP, 64-byte requests, 1 in flight: p50 round trip          (target netkit ≤ 0.9× Python)
 *   TCP, 1,000 connections, 64-byte request/echo: requests/s    (target netkit ≥ 2× asyncio)
 *   10,000 TCP connections held by `netkit tcp serve`: RSS growth (target ≤ 100 MB)
 *
 * Loopback only; servers bind port 0 and print the port they got; every load run is bounded (-t)
 * and killed after a timeout. Environment: BENCH_SECS (default 4), BENCH_ROUNDS (default 3),
 * BENCH_HOLD (connections held, default 10000).
 *
 * BUSY=0,1,4 instead measures only the UDP 32-in-flight figure, once per entry, with that many
 * other processes keeping the cores busy (`python3 -c 'while True: pass'`, started and stopped
 * here, each bounded by `timeout`): the three figures of issue 12 (targets ≥ 1.5×, ≥ 1.2×, ≥ 1.0×)
 * from one command, e.g. `BUSY=0,1,4 npm run bench:echo`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { median } from "./stats.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** NETKIT_BIN: another build of netkit to measure (e.g. the main branch, for a before/after). */
const BIN = process.env.NETKIT_BIN ?? fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));
const OUT = `${ROOT}bench/out`;
const SECS = Number(process.env.BENCH_SECS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HOLD = Number(process.env.BENCH_HOLD ?? 10_000);

function build(name: string): string {
  mkdirSync(OUT, { recursive: true });
  const exe = `${OUT}/${name}`;
  const r = spawnSync("cc", ["-O2", "-Wall", "-o", exe, `${ROOT}bench/loadgen/${name}.c`], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`cc failed for ${name}.c: ${r.stderr}`);
  return exe;
}

interface Server {
  child: ChildProcess;
  port: number;
}

/** Start a server that reports its port (on stdout as a number, or in netkit's listening line). */
async function startServer(cmd: string, args: string[]): Promise<Server> {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => {
    text += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    text += d.toString();
  });
  const end = Date.now() + 10_000;
  for (;;) {
    const m = /^(\d+)$/m.exec(text) ?? /listening on 127\.0\.0\.1:(\d+)/.exec(text);
    if (m) return { child, port: Number(m[1]) };
    if (child.exitCode !== null || Date.now() > end) {
      child.kill("SIGKILL");
      throw new Error(`${cmd} ${args.join(" ")} did not start: ${text}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGINT");
  const t = setTimeout(() => s.child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(t);
}

function load(exe: string, args: string[]): Record<string, number> {
  const r = spawnSync(exe, args, { encoding: "utf8", timeout: (SECS + 30) * 1000 });
  if (r.status !== 0) throw new Error(`${exe} ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]);
}

const servers = {
  pyUdp: () => startServer("python3", [`${ROOT}bench/python/udp_echo_server.py`, "0"]),
  nkUdp: () =>
    startServer(process.execPath, [
      BIN,
      "udp",
      "serve",
      "--host",
      "127.0.0.1",
      "-p",
      "0",
      "--handler",
      "echo",
    ]),
  pyTcp: () => startServer("python3", [`${ROOT}bench/python/tcp_asyncio_echo.py`, "0"]),
  nkTcp: () => startServer(process.execPath, [BIN, "tcp", "serve", "--host", "127.0.0.1", "-p", "0", "-k"]),
};

async function holdConnections(loadExe: string): Promise<{ baseMb: number; heldMb: number; held: number }> {
  const s = await servers.nkTcp();
  try {
    await new Promise((r) => setTimeout(r, 500));
    const base = rssKb(s.child.pid!);
    const procs = 4;
    const per = Math.ceil(HOLD / procs);
    const holdSecs = 3;
    let held = 0;
    const clients = Array.from({ length: procs }, () => {
      const c = spawn(
        loadExe,
        ["127.0.0.1", String(s.port), "-c", String(per), "-H", "-t", String(holdSecs)],
        {
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      c.stderr!.on("data", (d: Buffer) => {
        const m = /held (\d+)/.exec(d.toString());
        if (m) held += Number(m[1]);
      });
      return new Promise<void>((resolve) => c.once("exit", () => resolve()));
    });
    const end = Date.now() + 60_000;
    let arrived = 0;
    const counting = new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        arrived = held;
        if (held >= per * procs || Date.now() > end) {
          clearInterval(tick);
          resolve();
        }
      }, 50);
    });
    await counting;
    await new Promise((r) => setTimeout(r, 500)); // every connection answered once; let GC settle
    const after = rssKb(s.child.pid!);
    await Promise.all(clients);
    return { baseMb: base / 1024, heldMb: after / 1024, held: arrived };
  } finally {
    await stop(s);
  }
}

/** Start `n` CPU-bound processes (each ends by itself after 10 minutes at the latest). */
function busy(n: number): ChildProcess[] {
  return Array.from({ length: n }, () =>
    spawn("timeout", ["600", "python3", "-c", "while True: pass"], { stdio: "ignore" }),
  );
}

async function stopBusy(ps: ChildProcess[]): Promise<void> {
  await Promise.all(
    ps.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once("exit", () => resolve());
          p.kill("SIGTERM");
        }),
    ),
  );
}

/** BUSY=…: UDP echo, 32 in flight, netkit against Python with 0, 1, 4 … busy processes. */
async function busyRows(list: number[]): Promise<void> {
  const udpExe = build("udp_pingpong");
  const rows: string[] = [];
  const targets: Record<number, string> = { 0: "≥ 1.5×", 1: "≥ 1.2×" };
  for (const n of list) {
    const hogs = busy(n);
    const py: number[] = [];
    const nk: number[] = [];
    try {
      await new Promise((r) => setTimeout(r, 300));
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (["py", "nk"] as const) : (["nk", "py"] as const);
        for (const who of order) {
          const s = await (who === "py" ? servers.pyUdp() : servers.nkUdp());
          try {
            const th = load(udpExe, ["127.0.0.1", String(s.port), "-n", "32", "-t", String(SECS)]);
            (who === "py" ? py : nk).push(th.rps!);
          } finally {
            await stop(s);
          }
          process.stderr.write(".");
        }
      }
    } finally {
      await stopBusy(hogs);
    }
    const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
    rows.push(
      `| ${n} | ${n0(median(py))} | ${n0(median(nk))} | **${(median(nk) / median(py)).toFixed(2)}×** | ${targets[n] ?? "≥ 1.0×"} | py ${py.map(n0).join("/")}, netkit ${nk.map(n0).join("/")} |`,
    );
  }
  process.stderr.write("\n");
  console.log(
    [
      `UDP echo, 64-byte requests, 32 in flight, loopback, ${SECS} s per run, median of ${ROUNDS} rounds (order alternating).`,
      "",
      "| busy processes | Python replies/s | netkit replies/s | netkit / Python | target | raw |",
      "|---:|---:|---:|---:|---|---|",
      ...rows,
    ].join("\n"),
  );
}

async function main(): Promise<void> {
  if (process.env.BUSY !== undefined) {
    const list = process.env.BUSY.split(",").map((x) => Number(x.trim()));
    if (list.some((x) => !Number.isInteger(x) || x < 0 || x > 16))
      throw new Error("BUSY takes counts 0–16: 0,1,4");
    return busyRows(list);
  }
  const udpExe = build("udp_pingpong");
  const tcpExe = build("tcp_echo_load");
  const r = { pyRps: [] as number[], nkRps: [] as number[], pyP50: [] as number[], nkP50: [] as number[] };
  const t = { py: [] as number[], nk: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["py", "nk"] as const) : (["nk", "py"] as const);
    for (const who of order) {
      const s = await (who === "py" ? servers.pyUdp() : servers.nkUdp());
      try {
        const th = load(udpExe, ["127.0.0.1", String(s.port), "-n", "32", "-t", String(SECS)]);
        const lat = load(udpExe, ["127.0.0.1", String(s.port), "-l", "-t", String(SECS)]);
        (who === "py" ? r.pyRps : r.nkRps).push(th.rps!);
        (who === "py" ? r.pyP50 : r.nkP50).push(lat.p50_us!);
      } finally {
        await stop(s);
      }
      const ts = await (who === "py" ? servers.pyTcp() : servers.nkTcp());
      try {
        const tc = load(tcpExe, ["127.0.0.1", String(ts.port), "-c", "1000", "-t", String(SECS)]);
        if (tc.errors! > 0 || tc.connected !== 1000) throw new Error(`TCP load: ${JSON.stringify(tc)}`);
        (who === "py" ? t.py : t.nk).push(tc.rps!);
      } finally {
        await stop(ts);
      }
      process.stderr.write(".");
    }
  }
  const hold = await holdConnections(tcpExe);
  process.stderr.write("\n");
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const pyRps = median(r.pyRps);
  const nkRps = median(r.nkRps);
  const pyP50 = median(r.pyP50);
  const nkP50 = median(r.nkP50);
  const pyT = median(t.py);
  const nkT = median(t.nk);
  const growth = hold.heldMb - hold.baseMb;
  console.log(
    [
      `Loopback, ${SECS} s per run, median of ${ROUNDS} rounds with the order alternating (raw: UDP rps py ${r.pyRps.map(n).join("/")} netkit ${r.nkRps.map(n).join("/")}; p50 µs py ${r.pyP50.join("/")} netkit ${r.nkP50.join("/")}; TCP rps py ${t.py.map(n).join("/")} netkit ${t.nk.map(n).join("/")}).`,
      "",
      "| test | Python | netkit | netkit / Python | target |",
      "|---|---:|---:|---:|---|",
      `| UDP echo, 64 B, 32 in flight: replies/s | ${n(pyRps)} | ${n(nkRps)} | **${(nkRps / pyRps).toFixed(2)}×** | ≥ 1.5× |`,
      `| UDP echo, 64 B, 1 in flight: p50 round trip | ${pyP50.toFixed(1)} µs | ${nkP50.toFixed(1)} µs | **${(nkP50 / pyP50).toFixed(2)}×** | ≤ 0.9× |`,
      `| TCP echo, 1,000 connections, 64 B: requests/s | ${n(pyT)} | ${n(nkT)} | **${(nkT / pyT).toFixed(2)}×** | ≥ 2× |`,
      `| ${n(hold.held)} TCP connections held by netkit tcp serve: RSS | | ${hold.baseMb.toFixed(0)} → ${hold.heldMb.toFixed(0)} MB | **+${growth.toFixed(0)} MB** | ≤ +100 MB |`,
    ].join("\n"),
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
