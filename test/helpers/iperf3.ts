/**
 * Real iperf3 peers for interop tests: a free loopback port, `iperf3 -s` started and stopped by the
 * test, `iperf3 -c` runs with a timeout. Never touches a port the test did not prove free.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";

/** True when the iperf3 binary is installed (else tests skip with a reason). */
export function haveIperf3(): boolean {
  return spawnSync("iperf3", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * The `skip` value for tests that need iperf3: false when it is installed, a reason when it is
 * not — except under CI=true, where a missing peer must fail the test, not skip it (false).
 */
export function iperf3Required(): string | false {
  if (haveIperf3()) return false;
  return process.env.CI === "true" ? false : "iperf3 not installed";
}

export function haveProgram(name: string, arg = "-V"): boolean {
  return spawnSync(name, [arg], { stdio: "ignore" }).error === undefined;
}

/** A TCP and UDP port on `host` (default 127.0.0.1) that was free a moment ago (bound, then released). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once("error", reject);
      s.listen(0, host, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      import("node:dgram").then(({ default: dgram }) => {
        const u = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
        u.once("error", () => resolve(false));
        u.bind(port, host, () => u.close(() => resolve(true)));
      });
    });
    if (udpFree) return port;
  }
  throw new Error("no free port pair found");
}

/** Start `iperf3 -s -1` on a free port; resolves when it listens. */
export async function startIperf3Server(): Promise<{ port: number; output: Promise<string>; stop(): void }> {
  const port = await freePort();
  const child = spawn("iperf3", ["-s", "-1", "-B", "127.0.0.1", "-p", String(port), "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const output = new Promise<string>((resolve) => child.on("close", () => resolve(out)));
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  child.on("close", () => clearTimeout(killer));
  // Wait until it accepts connections.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      // A probe connection would count as a test for `-1`: check the socket table instead.
      import("node:fs").then(({ readFileSync }) => {
        const hex = port.toString(16).toUpperCase().padStart(4, "0");
        const t = readFileSync("/proc/net/tcp", "utf8");
        resolve(t.split("\n").some((l) => l.includes(`0100007F:${hex} 00000000:0000 0A`)));
      });
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, output, stop: () => child.kill() };
}

/** Run `iperf3 -c` with a timeout; resolves with its parsed --json output. */
export function runIperf3Client(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile("iperf3", [...args, "--json"], { timeout: 20_000 }, (err, stdout, stderr) => {
      try {
        const j = JSON.parse(stdout) as Record<string, unknown>;
        if (j.error) return reject(new Error(`iperf3: ${String(j.error)}`));
        resolve(j);
      } catch {
        reject(new Error(`iperf3 failed: ${err?.message ?? ""} ${stderr} ${stdout.slice(0, 500)}`));
      }
    });
  });
}

/** True when something listens on host:port (TCP), from /proc/net/tcp or tcp6. */
function listening(host: string, port: number): boolean {
  const v6 = host.includes(":");
  const want = v6
    ? host === "::"
      ? "00000000000000000000000000000000"
      : "00000000000000000000000001000000" // ::1 as /proc writes it (host-order words)
    : host === "0.0.0.0"
      ? "00000000"
      : "0100007F";
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const t = readFileSync(v6 ? "/proc/net/tcp6" : "/proc/net/tcp", "utf8");
  return t.split("\n").some((l) => l.includes(`${want}:${hex} 0000`) && / 0A /.test(l));
}

/**
 * A long-running `iperf3 -s` (not -1) bound to `host` (127.0.0.1 or ::1) on a port proven free,
 * for many tests in a row; resolves when it listens. `stop()` ends it.
 */
export async function startIperf3Lane(host: string): Promise<{ port: number; stop(): void }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(host);
    const child = spawn("iperf3", ["-s", "-B", host, "-p", String(port)], { stdio: "ignore" });
    const killer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    let gone = false;
    child.on("close", () => {
      gone = true;
      clearTimeout(killer);
    });
    child.on("error", () => {
      gone = true;
    });
    for (let i = 0; i < 500 && !gone && !listening(host, port); i++)
      await new Promise((r) => setTimeout(r, 10));
    if (!gone && listening(host, port)) return { port, stop: () => child.kill() };
    child.kill();
  }
  throw new Error(`iperf3 -s -B ${host} did not start`);
}
