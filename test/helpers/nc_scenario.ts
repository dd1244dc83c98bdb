/**
 * Netcat scenarios as users run them: a listener and a connector, each a shell command with its
 * stdin and stdout redirected to files (`CMD < in > out`), the connector started once the
 * listener shows in the kernel's socket table (never probed with a connection: nc -l would take
 * it as its one client). Results are what arrived on each side (size, SHA-256) and both exit codes.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BIN } from "./cli.js";
import { freePort } from "./peers.js";

/** `node dist/src/cli/bin.js`, quoted for sh. */
export const NETKIT = `'${process.execPath}' '${BIN}'`;

/** What a side reads: nothing (`/dev/null`), a closed fd 0, a file, or a file in slow pieces. */
export type Stdin = "eof" | "closed" | { file: string } | { trickle: string };

export type Kind = "tcp" | "udp" | "unix" | "abstract" | "unix-dgram";

/** The address a scenario uses: `{H}`/`{P}` for IP, `{PATH}` for a socket path or abstract name. */
export interface Endpoint {
  host: string;
  port: number;
  /** A file path (unix) or a bare abstract name without @ (abstract). */
  path: string;
}

export interface SideSpec {
  /** A shell command with {H} {P} {PATH} {NAME} {NETKIT} placeholders. */
  cmd: string;
  stdin: Stdin;
}

export interface SideResult {
  code: number;
  size: number;
  sha: string;
  stderr: string;
  /** The received bytes (for prefix checks). */
  data: Buffer;
}

export interface Outcome {
  listener: SideResult;
  connector: SideResult;
  /** True when the guard timeout had to kill a side (a hang). */
  hung: boolean;
}

let workDir: string | undefined;
let counter = 0;

/** A private temporary folder for payloads, outputs and socket files (removed by cleanup()). */
export function scratch(): string {
  workDir ??= mkdtempSync(path.join(tmpdir(), "nk-matrix-"));
  return workDir;
}

export function cleanup(): void {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

/** Write `size` pseudo-random bytes (seeded, so a failure can be reproduced) to a file. */
export function payload(name: string, size: number, seed: number): { file: string; data: Buffer } {
  const words = Buffer.alloc(Math.ceil(size / 4) * 4);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words.writeUInt32LE(x >>> 0, i);
  }
  const data = words.subarray(0, size);
  const file = path.join(scratch(), name);
  writeFileSync(file, data);
  return { file, data };
}

/** A text file in the scratch folder. */
export function textFile(name: string, text: string): { file: string; data: Buffer } {
  const file = path.join(scratch(), name);
  const data = Buffer.from(text);
  writeFileSync(file, data);
  return { file, data };
}

export const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Under CI a missing peer fails the run; locally the caller skips with this reason. */
export function missingPeers(): string | undefined {
  const missing: string[] = [];
  const nc = spawnSync("nc", ["-h"], { encoding: "utf8", timeout: 5000 });
  if (nc.error !== undefined || !`${nc.stdout}${nc.stderr}`.includes("OpenBSD"))
    missing.push("nc (netcat-openbsd)");
  for (const [cmd, arg] of [
    ["ncat", "--version"],
    ["socat", "-V"],
    ["python3", "-V"],
  ] as const)
    if (spawnSync(cmd, [arg], { stdio: "ignore", timeout: 5000 }).error !== undefined) missing.push(cmd);
  if (missing.length === 0) return undefined;
  const why = `peers not installed: ${missing.join(", ")}`;
  if (process.env.CI === "true") throw new Error(`${why} (CI installs them: .ci/run APT_PACKAGES)`);
  return why;
}

/** A fresh endpoint of this kind: a port that was free a moment ago, or a new path/name. */
export async function endpoint(kind: Kind): Promise<Endpoint> {
  const n = ++counter;
  const port = kind === "tcp" ? await freePort("tcp") : kind === "udp" ? await freePort("udp") : 0;
  const p = kind === "abstract" ? `nk-matrix-${process.pid}-${n}` : path.join(scratch(), `s${n}.sock`);
  return { host: "127.0.0.1", port, path: p };
}

function fill(cmd: string, ep: Endpoint): string {
  return cmd
    .replaceAll("{NETKIT}", NETKIT)
    .replaceAll("{H}", ep.host)
    .replaceAll("{P}", String(ep.port))
    .replaceAll("{PATH}", ep.path)
    .replaceAll("{NAME}", ep.path);
}

/** The sh line for one side: stdin pattern, command, stdout to a file. */
function script(side: SideSpec, ep: Endpoint, out: string): string {
  const cmd = fill(side.cmd, ep);
  const s = side.stdin;
  if (s === "eof") return `exec ${cmd} < /dev/null > '${out}'`;
  if (s === "closed") return `exec ${cmd} <&- > '${out}'`;
  if ("file" in s) return `exec ${cmd} < '${s.file}' > '${out}'`;
  // A slow writer: 8 pieces of 4 KiB with pauses, as a person or a slow producer would send.
  return `(for i in 0 1 2 3 4 5 6 7; do dd if='${s.trickle}' bs=4096 skip=$i count=1 status=none; sleep 0.05; done) | ${cmd} > '${out}'`;
}

interface Running {
  exited: Promise<number>;
  stderr: () => string;
  kill: () => void;
  done: () => boolean;
}

function start(line: string): Running {
  // Own process group, so a guard timeout can end the whole pipeline we started (and only it).
  const child = spawn("/bin/sh", ["-c", line], { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let err = "";
  let finished = false;
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number>((resolve) =>
    child.on("close", (code, sig) => {
      finished = true;
      resolve(code ?? (sig ? 128 : -1));
    }),
  );
  return {
    exited,
    stderr: () => err,
    done: () => finished,
    kill: () => {
      if (!finished && child.pid !== undefined)
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
    },
  };
}

/** True when the kernel shows the listener (LISTEN for streams, bound for datagrams). */
function listening(kind: Kind, ep: Endpoint): boolean {
  const read = (f: string) => {
    try {
      return readFileSync(f, "utf8");
    } catch {
      return "";
    }
  };
  if (kind === "tcp" || kind === "udp") {
    const hex = `:${ep.port.toString(16).toUpperCase().padStart(4, "0")} `;
    const state = kind === "tcp" ? " 0A " : " 07 ";
    return [`/proc/net/${kind}`, `/proc/net/${kind}6`].some((f) =>
      read(f)
        .split("\n")
        .some((l) => {
          const local = l.trim().split(/\s+/)[1] ?? "";
          return `${local} `.endsWith(hex) && l.includes(state);
        }),
    );
  }
  const name = kind === "abstract" ? `@${ep.path}` : ep.path;
  return read("/proc/net/unix")
    .split("\n")
    .some((l) => l.endsWith(` ${name}`));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run one scenario. `guardMs` only guards against hangs (then both sides are killed and `hung`
 * is set); nothing is asserted about time.
 */
export async function runScenario(o: {
  kind: Kind;
  listener: SideSpec;
  connector: SideSpec;
  guardMs?: number;
  /** A relay or other helper between the sides: given the listener's endpoint, returns the one to connect to. */
  via?: (ep: Endpoint) => Promise<{ ep: Endpoint; stop: () => Promise<void> }>;
}): Promise<Outcome> {
  const ep = await endpoint(o.kind);
  const n = ++counter;
  const lout = path.join(scratch(), `l${n}.out`);
  const cout = path.join(scratch(), `c${n}.out`);
  const l = start(script(o.listener, ep, lout));
  const guard = o.guardMs ?? 30_000;
  const until = Date.now() + guard;
  while (!listening(o.kind, ep)) {
    if (l.done() || Date.now() > until) {
      l.kill();
      throw new Error(`listener did not start: ${fill(o.listener.cmd, ep)}; stderr: ${l.stderr()}`);
    }
    await sleep(10);
  }
  const relay = o.via ? await o.via(ep) : undefined;
  const c = start(script(o.connector, relay?.ep ?? ep, cout));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    l.kill();
    c.kill();
  }, guard);
  const [lc, cc] = await Promise.all([l.exited, c.exited]);
  clearTimeout(timer);
  await relay?.stop();
  const side = (code: number, file: string, r: Running): SideResult => {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      data = Buffer.alloc(0);
    }
    rmSync(file, { force: true });
    return { code, size: data.length, sha: sha256(data), stderr: r.stderr(), data };
  };
  return { listener: side(lc, lout, l), connector: side(cc, cout, c), hung };
}

/** Run async jobs with at most `limit` at once, keeping their order in the results. */
export async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}
