/** `netkit bench client`: flags → runBenchClient → iperf3-style lines or iperf3-shaped JSON. */
import { writeFile } from "node:fs/promises";
import { runBenchClient } from "../../bench/client.js";
import { plotBench } from "../../bench/plot_svg.js";
import { intervalHeader, intervalLines, summaryLines, toIperfJson } from "../../bench/report.js";
import { parseRate, parseSize } from "../../bench/units.js";
import { UsageError } from "../../errors.js";
import { literalFamily, resolveHost } from "../../sockets/resolve_host.js";
import { flagLabel, intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { intervalFlag, plotFlag, secondsFlag } from "./bench_flags.js";

export async function runClient(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    port: { type: "string", short: "p" },
    udp: { type: "boolean", short: "u" },
    bitrate: { type: "string", short: "b" },
    length: { type: "string", short: "l" },
    time: { type: "string", short: "t" },
    bytes: { type: "string", short: "n" },
    blockcount: { type: "string", short: "k" },
    parallel: { type: "string", short: "P" },
    reverse: { type: "boolean", short: "R" },
    bidir: { type: "boolean" },
    interval: { type: "string", short: "i" },
    omit: { type: "string", short: "O" },
    json: { type: "boolean", short: "J" },
    plot: { type: "string" },
    "udp-counters-64bit": { type: "boolean" },
    client: { type: "string", short: "c" }, // iperf3's spelling: `netkit bench -c HOST`
    ipv4: { type: "boolean", short: "4" },
    ipv6: { type: "boolean", short: "6" },
  });
  const hosts = [...(typeof values.client === "string" ? [values.client] : []), ...positionals];
  if (hosts.length !== 1)
    throw new UsageError("bench client takes one HOST (netkit bench client 127.0.0.1, or -c 127.0.0.1)");
  const host = hosts[0]!;
  if (values.ipv4 === true && values.ipv6 === true) throw new UsageError("cannot use -4 and -6 together");
  const family = values.ipv4 === true ? 4 : values.ipv6 === true ? 6 : undefined;
  const hostFamily = literalFamily(host);
  if (family !== undefined && hostFamily !== undefined && hostFamily !== family)
    throw new UsageError(`${host} is not an IPv${family} address (-${family})`);
  const udp = values.udp === true;
  const port = intFlag("port", values.port, 1, 65535) ?? 5201;
  const bandwidth =
    values.bitrate === undefined ? undefined : parseRate(String(values.bitrate), flagLabel("bitrate"));
  const len = values.length === undefined ? undefined : parseSize(String(values.length), flagLabel("length"));
  if (len !== undefined && udp && (len < 16 || len > 65507))
    throw new UsageError("-l for UDP must be 16–65507 bytes");
  if (len !== undefined && !udp && (len < 1 || len > 16 * 1024 * 1024))
    throw new UsageError("-l for TCP must be 1 byte–16 MBytes");
  const time = secondsFlag("time", values.time, 10);
  const bytes = values.bytes === undefined ? undefined : parseSize(String(values.bytes), flagLabel("bytes"));
  if (bytes === 0) throw new UsageError("-n must be more than 0");
  const blocks =
    values.blockcount === undefined
      ? undefined
      : parseSize(String(values.blockcount), flagLabel("blockcount"));
  if (blocks === 0) throw new UsageError("-k must be more than 0");
  if (blocks !== undefined && bytes !== undefined) throw new UsageError("cannot use -n and -k together");
  if (blocks !== undefined && values.time !== undefined)
    throw new UsageError("cannot use -t and -k together");
  const parallel = intFlag("parallel", values.parallel, 1, 128) ?? 1;
  if (values.reverse === true && values.bidir === true)
    throw new UsageError("cannot use -R and --bidir together");
  const interval = intervalFlag(values.interval);
  const omit = secondsFlag("omit", values.omit, 0, 600);
  const json = values.json === true;
  const plot = plotFlag(values.plot);
  if (values.time !== undefined && bytes !== undefined) throw new UsageError("cannot use -t and -n together");
  const out = (s: string) => io.stdout.write(`${s}\n`);
  // Ctrl-C ends the test like iperf3's: the summary of what was measured so far (-t 0: the usual end).
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // netkit's one host parser: 127.1 or 1.2.3 are refused, a name is resolved here (ERR_HOST_NOT_FOUND).
  const { address } = await resolveHost(host, family);
  try {
    return await run();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  async function run(): Promise<number> {
    if (!json) out(`Connecting to host ${host}, port ${port}`);
    let header = false;
    const r = await runBenchClient(
      {
        host: address,
        port,
        protocol: udp ? "udp" : "tcp",
        ...(bandwidth !== undefined ? { bandwidth } : {}),
        ...(len !== undefined ? { len } : {}),
        time,
        ...(bytes !== undefined ? { bytes } : {}),
        ...(blocks !== undefined ? { blocks } : {}),
        parallel,
        reverse: values.reverse === true,
        bidirectional: values.bidir === true,
        interval,
        omit,
        udpCounters64bit: values["udp-counters-64bit"] === true,
        ...(family !== undefined ? { family } : {}),
        signal: stop.signal,
      },
      {
        onConnected: ({ streams }) => {
          if (json) return;
          for (const s of streams)
            out(
              `[${String(s.id).padStart(3)}] local ${s.local.host} port ${s.local.port} connected to ${s.remote.host} port ${s.remote.port}`,
            );
          if (values.reverse === true) out(`Reverse mode, remote host ${host} is sending`);
          out(
            // TCP: a Retr column as soon as this side sends on some stream (also with --bidir).
            intervalHeader(udp, udp ? streams.every((s) => s.sender) : streams.some((s) => s.sender)),
          );
          header = true;
        },
        onInterval: (iv) => {
          if (!json && header) for (const l of intervalLines(iv, udp)) out(l);
        },
      },
    );
    if (json) out(JSON.stringify(toIperfJson(r), null, 2));
    else {
      for (const l of summaryLines(r)) out(l);
      out("");
      if (r.ended === undefined) out("netkit bench done.");
    }
    if (plot !== undefined) await writeFile(plot, plotBench(r));
    if (r.ended === "peer-terminated") {
      // As iperf3: the partial summary above, then why it ended.
      io.stderr.write("netkit: ERR_BENCH_PEER: the server has terminated\n");
      return 1;
    }
    return 0;
  }
}
