/**
 * Real peer processes for socket tests (Python fixtures, nc, socat), always cleaned up.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Path of a file under test/fixtures (the source tree, not dist). */
export function fixture(rel: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/${rel}`, import.meta.url));
}

/** True when `cmd` runs (`cmd --version`-like probe with given args). */
export function have(cmd: string, args: string[] = ["-h"]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore", timeout: 5000 });
  return r.error === undefined;
}

export interface Peer {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or -1 for a signal). */
  exited: Promise<number>;
  kill(): Promise<number>;
}

/** Start a process, collecting its output; `kill()` ends it (SIGKILL after 2 s). */
export function startPeer(cmd: string, args: string[], env: Record<string, string> = {}): Peer {
  const child = spawn(cmd, args, { env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString("latin1");
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 2000);
        const code = await exited;
        clearTimeout(t);
        return code;
      }
      return exited;
    },
  };
}

/** Wait until `cond()` is true, polling; throws after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A promise that rejects after `ms` (for racing). */
export function deadline(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms).unref(),
  );
}

/** Start the built `netkit` as a child process. */
export function startNetkit(args: string[], env: Record<string, string> = {}): Peer {
  const bin = fileURLToPath(new URL("../../src/cli/bin.js", import.meta.url));
  return startPeer(process.execPath, [bin, ...args], env);
}

/** Wait for a listening line on stderr (nc -v or serve) and return the port in it. */
export async function listeningPort(p: Peer, ms = 5000): Promise<number> {
  const re = /(?:Listening on|Bound on) \S+ (\d+)|listening on \S+?:(\d+)/;
  await waitFor(() => re.test(p.stderr()) || p.child.exitCode !== null, ms, "listening line");
  const m = re.exec(p.stderr());
  if (!m) throw new Error(`no listening line; stderr: ${p.stderr()}`);
  return Number(m[1] ?? m[2]);
}

/** A TCP/UDP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close). */
export async function freePort(type: "tcp" | "udp" = "tcp"): Promise<number> {
  if (type === "udp") {
    const dgram = await import("node:dgram");
    const s = dgram.createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const net = await import("node:net");
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Write `data` to a peer's stdin and close it. */
export function feed(p: Peer, data: string | Buffer): void {
  p.child.stdin.end(data);
}

/** Wait for 'drain' or `ms`, whichever comes first, without leaving a listener behind. */
export function drainOrTimeout(s: NodeJS.EventEmitter, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      s.off("drain", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    s.on("drain", done);
  });
}
