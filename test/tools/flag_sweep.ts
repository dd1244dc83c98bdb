/**
 * A fuzz-ish sweep (not part of `npm test`): every command and subcommand with odd values for every
 * flag its --help lists, and odd hosts. Each run must end with exit 0, 1 or 2 and, when it fails,
 * one line `netkit: ERR_…: …` on stderr — never "internal error" nor a stack trace. Runs that are
 * still going after a few seconds (a value was accepted and the command works) count as fine.
 *
 * Run: npm run build && node dist/test/tools/flag_sweep.js [COMMAND…]
 * Safety: every peer is our own on loopback (TCP/UDP echo, a Unix socket); `port release` and
 * `impair link` are left out (they signal processes / create namespaces); no host other than
 * loopback forms and `.invalid` names is used.
 */
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, runCli } from "../helpers/cli.js";
import { COMMAND_SUBS, helpFlags } from "./help_flags.js";

const VALUES = ["", "-1", "1e99", "abc", "0x10", "65536", "0", "-0.5"];
const HOSTS = [
  "",
  "127.1",
  "0x7f.1",
  "0177.0.0.1",
  "2130706433",
  "[::1]",
  "::1%lo",
  " 127.0.0.1",
  "no-such-host.invalid",
  "a b",
];
const TIMEOUT_MS = 4000;
const WORK_DIR = mkdtempSync(join(tmpdir(), "nk-sweep-"));

interface Outcome {
  args: string[];
  code: number | null;
  stderr: string;
  killed: boolean;
}

function run(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      detached: true,
      stdio: ["pipe", "ignore", "pipe"],
      cwd: WORK_DIR, // --plot FILE, --hex-dump FILE … land here, not in the checkout
    });
    let err = "";
    let killed = false;
    child.stderr.on("data", (d: Buffer) => {
      if (err.length < 4000) err += d.toString();
    });
    const t = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(t);
      resolve({ args, code, stderr: err, killed });
    });
    child.stdin.end("x\n");
  });
}

function bad(o: Outcome): string | undefined {
  if (o.killed) return undefined;
  if (/internal error/.test(o.stderr)) return "internal error";
  if (/\n\s+at /.test(o.stderr)) return "stack trace";
  if (o.code !== 0 && o.code !== 1 && o.code !== 2) return `exit ${o.code}`;
  if (o.code !== 0) {
    const lines = o.stderr.trimEnd().split("\n");
    const last = lines[lines.length - 1] ?? "";
    // nc -v / ping / trace may print progress lines first; the error is the last line.
    if (!/^netkit: ERR_[A-Z_]+: \S/.test(last) && !/^nc: |packets transmitted|^\s*$/.test(last))
      return `no error line: ${JSON.stringify(last)}`;
  }
  return undefined;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const tcp = net.createServer((s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
  const TP = String((tcp.address() as net.AddressInfo).port);
  const udp = dgram.createSocket("udp4");
  udp.on("message", (m, r) => udp.send(m, r.port, r.address));
  await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
  const UP = String(udp.address().port);
  const sock = join(tmpdir(), `nk-sweep-${process.pid}.sock`);
  const unix = net.createServer((s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => unix.listen(sock, r));
  const base: Record<string, string[]> = {
    "ip ": ["10.0.0.0/24"],
    "ip split": ["10.0.0.0/24", "--count", "2"],
    "ip supernet": ["10.0.0.0/24"],
    "ip summarize": ["10.0.0.1", "10.0.0.9"],
    "ip collapse": ["10.0.0.0/25", "10.0.0.128/25"],
    "ip exclude": ["10.0.0.0/24", "10.0.0.0/26"],
    "ip contains": ["10.0.0.0/8", "10.1.2.3"],
    "ip overlaps": ["10.0.0.0/8", "10.1.2.0/24"],
    "ip list": ["10.0.0.0/29"],
    "demo ": [],
    "udp serve": ["--host", "127.0.0.1", "-p", "0"],
    "udp send": ["127.0.0.1", UP, "x"],
    "tcp serve": ["--host", "127.0.0.1", "-p", "0"],
    "tcp send": ["127.0.0.1", TP, "x"],
    "tcp connect": ["127.0.0.1", TP],
    "unix serve": [`${sock}.2`],
    "unix send": [sock, "x"],
    "unix connect": [sock],
    "nc ": ["127.0.0.1", TP],
    "sockets ": [],
    "port ": ["80"],
    "port who": ["80"],
    "port pick": [],
    "if ": [],
    "route ": [],
    "route get": ["127.0.0.1"],
    "gateway ": [],
    "ping ": ["-c", "1", "127.0.0.1"],
    "trace ": ["-m", "2", "127.0.0.1"],
    "bench server": ["-p", "0"],
    "bench client": ["127.0.0.1", "-p", TP, "-t", "1"],
    "bench latency": ["127.0.0.1", TP, "-c", "3"],
    "impair udp": ["127.0.0.1:0", `127.0.0.1:${UP}`, "-t", "1"],
    "impair tcp": ["127.0.0.1:0", `127.0.0.1:${TP}`, "-t", "1"],
  };
  /** Where the host is in each base (index), for the odd-host runs. */
  const hostAt: Record<string, number> = {
    "udp send": 0,
    "tcp send": 0,
    "tcp connect": 0,
    "nc ": 0,
    "ping ": 2,
    "trace ": 2,
    "bench client": 0,
    "bench latency": 0,
    "route get": 0,
  };
  const jobs: string[][] = [];
  for (const [cmd, subs] of Object.entries(COMMAND_SUBS)) {
    if (only.length && !only.includes(cmd)) continue;
    const help = (await runCli([cmd, "--help"])).stdout;
    const { all } = helpFlags(cmd, help);
    for (const sub of subs) {
      const key = `${cmd} ${sub}`;
      const b = base[key];
      if (b === undefined) continue;
      const head = sub === "" ? [cmd] : [cmd, sub];
      for (const flag of all) {
        // Only flags that take a value: a string flag followed by an option says "needs a value".
        const probe = await runCli([...head, flag, "--zz-probe"]);
        if (!/needs a value/.test(probe.stderr)) continue;
        for (const v of VALUES) jobs.push([...head, ...b, flag, v]);
      }
      const at = hostAt[key];
      if (at !== undefined)
        for (const h of HOSTS) {
          const args = [...b];
          args[at] = h;
          jobs.push([...head, ...args]);
        }
    }
  }
  process.stderr.write(`${jobs.length} runs\n`);
  const found: string[] = [];
  const accepted: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const args = jobs[next++]!;
      const o = await run(args);
      const why = bad(o);
      const v = args[args.length - 1]!;
      if (!why && (o.code === 0 || o.killed) && ["", "-1", "1e99", "abc", "0x10", "-0.5"].includes(v))
        accepted.push(
          `${o.killed ? "ran" : "exit 0"}: netkit ${args.map((a) => JSON.stringify(a)).join(" ")}`,
        );
      if (why)
        found.push(
          `${why}  (exit ${o.code}) netkit ${args.map((a) => JSON.stringify(a)).join(" ")}\n    ${o.stderr.trim().split("\n").slice(-2).join("\n    ")}`,
        );
    }
  };
  await Promise.all([worker(), worker()]);
  tcp.close();
  udp.close();
  unix.close();
  try {
    unlinkSync(sock);
  } catch {
    // gone
  }
  rmSync(WORK_DIR, { recursive: true, force: true });
  process.stdout.write(`${found.length} findings of ${jobs.length} runs\n${found.join("\n")}\n`);
  process.stdout.write(`\nodd values accepted (review):\n${accepted.join("\n")}\n`);
  process.exit(0);
}

await main();
