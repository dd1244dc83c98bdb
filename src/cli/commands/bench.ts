/**
 * `netkit bench`: how fast and how lossy — a self-contained loopback comparison of UDP and TCP,
 * an iperf3-compatible server and client, and request/response latency against any echo server.
 */
import { UsageError } from "../../errors.js";
import { parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import type { Command } from "../main.js";

const HELP = `netkit bench — measure throughput, loss and latency (iperf3-compatible)

Usage:
  netkit bench [--quick] [--json] [--plot FILE.svg]       loopback run: UDP vs TCP, one table
  netkit bench --lossy-link 5% [--seed N] [--json]        the same across an impaired link (root)
  netkit bench server [-p PORT] [-1] [-B ADDR | -4 | -6] [-i SECS] [-J]   (or: netkit bench -s …)
  netkit bench client HOST [-p PORT] [-u] [-b RATE] [-l LEN] [-t SECS | -n BYTES | -k BLOCKS] [-P N]
                           [-R] [--bidir] [-i SECS] [-O SECS] [-4 | -6] [-J] [--plot FILE.svg]
                                                                     (or: netkit bench -c HOST …)
  netkit bench latency HOST PORT [-u] [-c COUNT] [-t SECS] [-l LEN] [--json] [--plot FILE.svg]

Server and client speak iperf3 3.x's protocol: mix them freely with iperf3 -s / iperf3 -c.
Units as iperf3: transfer in binary bytes (KBytes = 1024), rate in decimal bits (Mbits/sec).
RATE and sizes take K/M/G suffixes: -b 10M (bits/s, decimal), -n 4M and -l 64K (bytes, binary).
UDP default rate 1 Mbit/s (as iperf3); -b 0 = unlimited. TCP blocks 128 KBytes, UDP datagrams 1460.

UDP loss is shown two ways: iperf3's figures (lost = sequence gaps minus late arrivals, so a
duplicate hides a loss; out-of-order) and netkit's exact counts (lost = never arrived, reordered,
duplicated). See docs/bench.md.

Options (client):
  -p, --port PORT      server port (default 5201)
  -u, --udp            UDP instead of TCP
  -b, --bitrate RATE   target rate in bits/s (UDP default 1M, 0 = unlimited)
  -l, --length LEN     block (TCP) or datagram (UDP) size in bytes
  -t, --time SECS      seconds to send (default 10; 0 = until Ctrl-C)
  -n, --bytes BYTES    bytes to send instead of a time
  -k, --blockcount N   blocks (TCP writes of -l bytes, UDP datagrams) to send instead of a time
  -P, --parallel N     parallel streams (default 1)
  -R, --reverse        the server sends, the client receives
      --bidir          both directions at once
  -i, --interval SECS  seconds between interval lines (default 1, 0 = none)
  -O, --omit SECS      leave the first SECS out of the totals
  -4, -6               use IPv4 / IPv6 only (a HOST name resolves in that family)
  -J, --json           iperf3-shaped JSON (start, intervals, end) with netkit_exact for UDP
      --plot FILE.svg  draw throughput (and UDP loss) over time (the folder must exist)
      --udp-counters-64bit  UDP: 64-bit sequence numbers in the datagram header
Options (server):
  -1, --one-off        serve one test, then exit
  -B, --bind ADDR      address to listen on (default: every address, IPv6 and IPv4, like iperf3)
  -4, -6               listen on IPv4 only (0.0.0.0) / IPv6 only (::)

Ctrl-C (SIGINT) during a test prints the summary of what was measured so far, on both sides, as
iperf3 does; the client then exits 0 (iperf3 exits 1), the server with its test stops serving.
-n BYTES ends when this many bytes were sent (or, with -R, received): with UDP loss the sending
server keeps sending until the client has received them, exactly as iperf3 -s does.

Examples:
  netkit bench                          (about 20 s, loopback only, starts its own server)
  netkit bench --quick
  sudo netkit bench --lossy-link 5%     (two network namespaces joined through TUN devices)
  netkit bench server -p 5201
  netkit bench client 127.0.0.1 -u -b 100M -t 5
  netkit bench -s -6                    (iperf3 spelling; IPv6 only)
  netkit bench -c ::1 -J -t 0           (until Ctrl-C, then the JSON of what was measured)
  iperf3 -c 127.0.0.1 -p 5201 -R        (iperf3 against netkit bench server)
  netkit bench latency 127.0.0.1 7 -u -c 10000

Exit codes: 0 success, 1 failure (no server, protocol error), 2 usage error.`;

export const benchCommand: Command = {
  summary: "throughput, loss and latency; iperf3-compatible server and client",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const sub = args[0];
    if (sub === "server") return (await import("./bench_server.js")).runServer(args.slice(1), io);
    if (sub === "client") return (await import("./bench_client.js")).runClient(args.slice(1), io);
    if (sub === "latency") return (await import("./bench_latency.js")).runLatency(args.slice(1), io);
    if (sub === "_peer") return (await import("./bench_self.js")).runPeer(args.slice(1), io);
    if (sub === "_lossy-client") return (await import("./bench_self.js")).runLossyClient(args.slice(1), io);
    // iperf3's spellings: `netkit bench -s [...]`, `netkit bench -c HOST [...]` (flags in any order).
    if (sub === undefined || sub.startsWith("-")) {
      if (args.some((a) => a === "-s" || a === "--server"))
        return (await import("./bench_server.js")).runServer(args, io);
      if (args.some((a) => a === "-c" || a === "--client" || /^-c./.test(a) || a.startsWith("--client=")))
        return (await import("./bench_client.js")).runClient(args, io);
    }
    if (sub !== undefined && !sub.startsWith("-"))
      throw new UsageError(
        `unknown bench mode "${sub}" (server, client, latency, or none for the loopback run)`,
      );
    return (await import("./bench_self.js")).runSelf(args, io);
  },
};

export { parseFlags };
