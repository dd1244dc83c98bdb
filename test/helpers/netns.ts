/**
 * Real test hosts in network namespaces: a small network that exists only for the length of a test.
 *
 * Topology (every address lives INSIDE the namespaces; nothing is added to the machine's own stack):
 *
 * ```
 *   host a  10.201.1.2/24 fd01:1::2/64 ─┐
 *                                       ├─ bridge br0 in r: 10.201.1.1/24 fd01:1::1/64  (segment 1)
 *   host c  10.201.1.3/24 fd01:1::3/64 ─┘
 *   router r (ip_forward on)
 *   host b  10.201.2.2/24 fd01:2::2/64 ─── r: 10.201.2.1/24 fd01:2::1/64              (segment 2)
 * ```
 *
 * a and b have default routes through r; c has only its on-link routes (so c has "no route" to
 * segment 2). Namespace names are `nk<pid>x<n><host>` so parallel test files never collide; every
 * namespace is removed by {@link TestNet.destroy}, by {@link withTestNet}'s `finally`, and by a
 * process `exit`/signal hook if the test process dies first.
 *
 * @example
 * await withTestNet(t, async (net) => {
 *   const r = await net.exec("a", ["ping", "-c", "1", "10.201.2.2"]);
 * });
 */
import { execFile, execFileSync } from "node:child_process";
import type { TestContext } from "node:test";

export type HostName = "a" | "b" | "c" | "r";

/** Addresses of the test hosts, by host. */
export const ADDR = {
  a: { v4: "10.201.1.2", v6: "fd01:1::2" },
  c: { v4: "10.201.1.3", v6: "fd01:1::3" },
  r1: { v4: "10.201.1.1", v6: "fd01:1::1" },
  r2: { v4: "10.201.2.1", v6: "fd01:2::1" },
  b: { v4: "10.201.2.2", v6: "fd01:2::2" },
  /** On segment 1 but nobody has it: a host that is down. */
  down: { v4: "10.201.1.99", v6: "fd01:1::99" },
} as const;

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestNet {
  /** Namespace name of each host. */
  ns: Record<HostName, string>;
  /** Run a program inside a host (`ip netns exec NS …`), bounded by `timeoutMs` (default 20 s). */
  exec(host: HostName, argv: string[], timeoutMs?: number): Promise<ExecResult>;
  /** Like exec, but rejects when the exit code is not 0. */
  run(host: HostName, argv: string[], timeoutMs?: number): Promise<string>;
  /** Remove every namespace (and so every veth and bridge in them). Idempotent. */
  destroy(): Promise<void>;
}

const live = new Set<string>();
let hooked = false;
let counter = 0;

function removeAllSync(): void {
  for (const ns of live) {
    try {
      execFileSync("ip", ["netns", "del", ns], { stdio: "ignore", timeout: 5000 });
    } catch {
      // Already gone: nothing to remove. (The exit hook must not throw.)
    }
    live.delete(ns);
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", removeAllSync);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      removeAllSync();
      process.kill(process.pid, sig);
    });
  }
}

function sh(argv: string[], timeoutMs = 20_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : err.killed ? 124 : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

async function must(argv: string[]): Promise<string> {
  const r = await sh(argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

let cachedReason: string | null | undefined;

/**
 * Why test hosts cannot be built here (null when they can): not root, or `ip netns add` fails.
 * Probes once per process by adding and removing a namespace.
 */
export async function netnsUnavailable(): Promise<string | null> {
  if (cachedReason !== undefined) return cachedReason;
  if (process.getuid?.() !== 0) {
    cachedReason = "test hosts need root (ip netns add); running as a normal user";
    return cachedReason;
  }
  const probe = `nk${process.pid}probe`;
  const r = await sh(["ip", "netns", "add", probe]);
  if (r.code !== 0) {
    cachedReason = `ip netns add failed: ${r.stderr.trim() || `exit ${r.code}`}`;
    return cachedReason;
  }
  await sh(["ip", "netns", "del", probe]);
  cachedReason = null;
  return null;
}

/** Build the topology above. Call {@link TestNet.destroy} (or use {@link withTestNet}). */
export async function createTestNet(): Promise<TestNet> {
  hookExit();
  const id = `nk${process.pid}x${counter++}`;
  const ns: Record<HostName, string> = { a: `${id}a`, b: `${id}b`, c: `${id}c`, r: `${id}r` };
  const net: TestNet = {
    ns,
    exec: (host, argv, timeoutMs) => sh(["ip", "netns", "exec", ns[host], ...argv], timeoutMs),
    run: async (host, argv, timeoutMs) => {
      const r = await sh(["ip", "netns", "exec", ns[host], ...argv], timeoutMs);
      if (r.code !== 0) throw new Error(`[${host}] ${argv.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    destroy: async () => {
      for (const n of Object.values(ns)) {
        if (!live.has(n)) continue;
        await sh(["ip", "netns", "del", n]);
        live.delete(n);
      }
    },
  };
  try {
    for (const n of Object.values(ns)) {
      await must(["ip", "netns", "add", n]);
      live.add(n);
      await must(["ip", "-n", n, "link", "set", "lo", "up"]);
      // Addresses are usable at once: no duplicate-address detection delay in throwaway hosts.
      await must(["ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"]);
      await must(["ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"]);
    }
    const ip = (n: string, ...args: string[]) => must(["ip", "-n", n, ...args]);
    // Segment 1: a bridge in r with a and c attached.
    // No multicast snooping: the bridge floods multicast (IPv6 neighbour discovery included) at once
    // instead of waiting for the hosts' delayed MLD/IGMP reports.
    await ip(ns.r, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
    for (const h of ["a", "c"] as const) {
      await must([
        "ip",
        "link",
        "add",
        "eth0",
        "netns",
        ns[h],
        "type",
        "veth",
        "peer",
        "name",
        `to${h}`,
        "netns",
        ns.r,
      ]);
      await ip(ns.r, "link", "set", `to${h}`, "master", "br0");
      await ip(ns.r, "link", "set", `to${h}`, "up");
      await ip(ns[h], "addr", "add", `${ADDR[h].v4}/24`, "brd", "+", "dev", "eth0");
      await ip(ns[h], "addr", "add", `${ADDR[h].v6}/64`, "dev", "eth0", "nodad");
      await ip(ns[h], "link", "set", "eth0", "up");
    }
    await ip(ns.r, "addr", "add", `${ADDR.r1.v4}/24`, "brd", "+", "dev", "br0");
    await ip(ns.r, "addr", "add", `${ADDR.r1.v6}/64`, "dev", "br0", "nodad");
    await ip(ns.r, "link", "set", "br0", "up");
    // Segment 2: a point-to-point veth between r and b.
    await must([
      "ip",
      "link",
      "add",
      "eth0",
      "netns",
      ns.b,
      "type",
      "veth",
      "peer",
      "name",
      "tob",
      "netns",
      ns.r,
    ]);
    await ip(ns.b, "addr", "add", `${ADDR.b.v4}/24`, "brd", "+", "dev", "eth0");
    await ip(ns.b, "addr", "add", `${ADDR.b.v6}/64`, "dev", "eth0", "nodad");
    await ip(ns.b, "link", "set", "eth0", "up");
    await ip(ns.r, "addr", "add", `${ADDR.r2.v4}/24`, "brd", "+", "dev", "tob");
    await ip(ns.r, "addr", "add", `${ADDR.r2.v6}/64`, "dev", "tob", "nodad");
    await ip(ns.r, "link", "set", "tob", "up");
    await must(["ip", "netns", "exec", ns.r, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    await must(["ip", "netns", "exec", ns.r, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"]);
    // Routes: a and b through the router; c keeps only its on-link routes.
    await ip(ns.a, "route", "add", "default", "via", ADDR.r1.v4);
    await ip(ns.a, "-6", "route", "add", "default", "via", ADDR.r1.v6);
    await ip(ns.b, "route", "add", "default", "via", ADDR.r2.v4);
    await ip(ns.b, "-6", "route", "add", "default", "via", ADDR.r2.v6);
  } catch (e) {
    await net.destroy();
    throw e;
  }
  return net;
}

/**
 * Run `fn` with a fresh test network, removing it afterwards even when `fn` throws. Skips the test
 * (with the reason printed) when namespaces are not available.
 */
export async function withTestNet(t: TestContext, fn: (net: TestNet) => Promise<void>): Promise<void> {
  const reason = await netnsUnavailable();
  if (reason !== null) {
    t.skip(reason);
    return;
  }
  const net = await createTestNet();
  try {
    await fn(net);
  } finally {
    await net.destroy();
  }
}

/** Namespaces this process created and has not removed yet (for leak checks). */
export function liveNamespaces(): string[] {
  return [...live];
}
