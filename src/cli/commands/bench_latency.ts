/** `netkit bench latency HOST PORT [-u]`: ping-pong percentiles against any echo server. */
import { writeFile } from "node:fs/promises";
import { pingPong } from "../../bench/latency.js";
import { histogram } from "../../bench/latency_stats.js";
import { plotHistogram } from "../../bench/plot_svg.js";
import { parseSize } from "../../bench/units.js";
import { UsageError } from "../../errors.js";
import { resolveHost } from "../../sockets/resolve_host.js";
import { flagLabel, intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { portArg } from "../socket_args.js";
import { plotFlag, secondsFlag } from "./bench_flags.js";
import { progressLine } from "./bench_progress.js";

export async function runLatency(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    udp: { type: "boolean", short: "u" },
    count: { type: "string", short: "c" },
    time: { type: "string", short: "t" },
    length: { type: "string", short: "l" },
    json: { type: "boolean", short: "J" },
    plot: { type: "string" },
  });
  if (positionals.length !== 2)
    throw new UsageError("bench latency takes HOST PORT (netkit bench latency 127.0.0.1 7)");
  const host = positionals[0]!;
  const port = portArg("PORT", positionals[1]);
  if (port === 0) throw new UsageError("PORT must not be 0");
  const count = intFlag("count", values.count, 1, 100_000_000) ?? 10_000;
  const time = secondsFlag("time", values.time, 10);
  const len = values.length === undefined ? 64 : parseSize(String(values.length), flagLabel("length"));
  if (len < 1 || len > 65507) throw new UsageError("-l must be 1–65507 bytes");
  const udp = values.udp === true;
  const plot = plotFlag(values.plot);
  // netkit's one host parser: 127.1 or 1.2.3 are refused, a name is resolved here (ERR_HOST_NOT_FOUND).
  const { address } = await resolveHost(host);
  const prog = progressLine(io);
  const r = await pingPong({
    host: address,
    port,
    udp,
    count,
    time,
    len,
    onProgress: (n) => prog.update(`ping-pong ${udp ? "UDP" : "TCP"} ${host}:${port}  ${n}/${count}`),
  });
  prog.clear();
  if (plot !== undefined)
    await writeFile(
      plot,
      plotHistogram(
        `RTT ${r.protocol.toUpperCase()} ${host}:${port}, ${len} bytes`,
        histogram(r.samples),
        "µs",
      ),
    );
  const s = r.summary;
  if (values.json === true) {
    const { samples: _omit, ...rest } = r;
    io.stdout.write(`${JSON.stringify({ ...rest, lost: r.sent - r.received }, null, 2)}\n`);
  } else {
    const us = (v: number) => (Number.isNaN(v) ? "-" : v.toFixed(1));
    io.stdout.write(
      [
        `ping-pong ${r.protocol.toUpperCase()} ${host} port ${port}: ${len}-byte messages, one in flight`,
        `${r.sent} sent, ${r.received} answered, ${r.sent - r.received} lost, ${r.seconds.toFixed(2)} s`,
        `RTT µs: min ${us(s.min)}  mean ${us(s.mean)}  p50 ${us(s.p50)}  p90 ${us(s.p90)}  p99 ${us(s.p99)}  p99.9 ${us(s.p999)}  max ${us(s.max)}`,
        "",
      ].join("\n"),
    );
  }
  return r.received > 0 ? 0 : 1;
}
