/** `netkit bench client`: flags → runBenchClient → iperf3-style lines or iperf3-shaped JSON. */
import { writeFile } from "node:fs/promises";
import { runBenchClient } from "../../bench/client.js";
import { plotBench } from "../../bench/plot_svg.js";
import { intervalHeader, intervalLines, summaryLines, toIperfJson } from "../../bench/report.js";
import { parseRate, parseSize } from "../../bench/units.js";
import { UsageError } from "../../errors.js";
import { resolveHost } from "../../sockets/resolve_host.js";
import { flagLabel, intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { intervalFlag, secondsFlag } from "./bench_flags.js";

export async function runClient(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    port: { type: "string", short: "p" },
    udp: { type: "boolean", short: "u" },
    bitrate: { type: "string", short: "b" },
    length: { type: "string", short: "l" },
    time: { type: "string", short: "t" },
    bytes: { type: "string", short: "n" },
    parallel: { type: "string", short: "P" },
    reverse: { type: "boolean", short: "R" },
    bidir: { type: "boolean" },
    interval: { type: "string", short: "i" },
    omit: { type: "string", short: "O" },
    json: { type: "boolean" },
    plot: { type: "string" },
    "udp-counters-64bit": { type: "boolean" },
  });
  if (positionals.length !== 1)
    throw new UsageError("bench client takes one HOST (netkit bench client 127.0.0.1)");
  const host = positionals[0]!;
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
  const parallel = intFlag("parallel", values.parallel, 1, 128) ?? 1;
  if (values.reverse === true && values.bidir === true)
    throw new UsageError("cannot use -R and --bidir together");
  const interval = intervalFlag(values.interval);
  const omit = secondsFlag("omit", values.omit, 0, 600);
  const json = values.json === true;
  const out = (s: string) => io.stdout.write(`${s}\n`);
  // netkit's one host parser: 127.1 or 1.2.3 are refused, a name is resolved here (ERR_HOST_NOT_FOUND).
  const { address } = await resolveHost(host);
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
      parallel,
      reverse: values.reverse === true,
      bidirectional: values.bidir === true,
      interval,
      omit,
      udpCounters64bit: values["udp-counters-64bit"] === true,
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
    out("netkit bench done.");
  }
  if (typeof values.plot === "string") await writeFile(values.plot, plotBench(r));
  return 0;
}
