/**
 * `netkit impair link` (I/O shell, root): a packet-level impaired link. Two network namespaces
 * (two test hosts) each get a TUN device; every IP packet between them passes through netkit
 * with the same impairments as the UDP relay, so TCP itself sees the losses and retransmits.
 * Everything created here is removed by `close()` (and the TUN devices vanish with their fds).
 *
 * @example
 * const link = await createLossyLink({ impair: { drop: 0.05 }, seed: 1 });
 * // ip netns exec link.nsB … listens on link.addrB; ip netns exec link.nsA … connects to it
 * await link.close();
 */
import { execFileSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { NetkitError } from "../errors.js";
import { closeTun, openTun } from "../native/tun.js";
import type { UdpImpairCounts, UdpImpairment } from "./udp_pipeline.js";

export interface LossyLinkOptions {
  impair: UdpImpairment;
  seed: number;
  /** Third octet of 10.77.X.1/2 (default: from the process id), to run several links at once. */
  subnet?: number;
}

export interface LossyLink {
  nsA: string;
  nsB: string;
  addrA: string;
  addrB: string;
  /** A→B and B→A counts so far. */
  counts(): { ab: UdpImpairCounts; ba: UdpImpairCounts };
  close(): Promise<void>;
}

const KEYS: (keyof UdpImpairCounts)[] = [
  "received",
  "forwarded",
  "dropped",
  "droppedRate",
  "duplicated",
  "reordered",
  "passed",
];

function ip(args: string[]): void {
  try {
    execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
  } catch (e) {
    const err = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e);
    throw new NetkitError("ERR_IO", `ip ${args.join(" ")}: ${err}`, { cause: e });
  }
}

/** Create the two namespaces and the link; root only. */
export async function createLossyLink(o: LossyLinkOptions): Promise<LossyLink> {
  const tag = `${process.pid % 100000}`;
  const subnet = o.subnet ?? (process.pid % 200) + 20;
  const nsA = `nk${tag}a`;
  const nsB = `nk${tag}b`;
  const devA = `nkt${tag}a`;
  const devB = `nkt${tag}b`;
  const addrA = `10.77.${subnet}.1`;
  const addrB = `10.77.${subnet}.2`;
  const cleanup: (() => void)[] = [];
  const undo = () => {
    for (const f of cleanup.reverse()) {
      try {
        f();
      } catch {
        // best effort while unwinding: report the original error, not a cleanup one
      }
    }
  };
  try {
    ip(["netns", "add", nsA]);
    cleanup.push(() => ip(["netns", "del", nsA]));
    ip(["netns", "add", nsB]);
    cleanup.push(() => ip(["netns", "del", nsB]));
    const fdA = openTun(devA);
    cleanup.push(() => closeTun(fdA));
    const fdB = openTun(devB);
    cleanup.push(() => closeTun(fdB));
    for (const [ns, dev, me, peer] of [
      [nsA, devA, addrA, addrB],
      [nsB, devB, addrB, addrA],
    ] as const) {
      ip(["link", "set", dev, "netns", ns]);
      ip(["-n", ns, "link", "set", "lo", "up"]);
      ip(["-n", ns, "addr", "add", me, "peer", peer, "dev", dev]);
      // A long queue, so that bursts wait for the relay thread instead of being dropped by the kernel.
      ip(["-n", ns, "link", "set", dev, "txqueuelen", "10000", "up"]);
    }
    const ctrl = new Int32Array(new SharedArrayBuffer(4));
    const nums = new Float64Array(new SharedArrayBuffer(8 * 14));
    const worker = new Worker(new URL("./tun_worker.js", import.meta.url), {
      workerData: { fdA, fdB, impair: o.impair, seed: o.seed, ctrl: ctrl.buffer, nums: nums.buffer },
    });
    const exited = new Promise<void>((r) => {
      worker.once("exit", () => r());
      worker.once("error", () => r());
    });
    await new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
    });
    const read = (off: number): UdpImpairCounts => {
      const c = {} as UdpImpairCounts;
      KEYS.forEach((k, i) => {
        c[k] = nums[off + i]!;
      });
      return c;
    };
    return {
      nsA,
      nsB,
      addrA,
      addrB,
      counts: () => ({ ab: read(0), ba: read(7) }),
      close: async () => {
        Atomics.store(ctrl, 0, 1);
        await exited;
        undo();
      },
    };
  } catch (e) {
    undo();
    throw e;
  }
}

/** TCP retransmitted segments so far in a namespace (RetransSegs of /proc/net/snmp). */
export function tcpRetransSegs(ns: string | null): number {
  const text = ns
    ? execFileSync("ip", ["netns", "exec", ns, "cat", "/proc/net/snmp"], {
        encoding: "utf8",
        timeout: 10_000,
      })
    : execFileSync("cat", ["/proc/net/snmp"], { encoding: "utf8" });
  const lines = text.split("\n").filter((l) => l.startsWith("Tcp:"));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf("RetransSegs")]);
}
