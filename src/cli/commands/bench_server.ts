/** `netkit bench server`: flags → startBenchServer → iperf3-style lines or NDJSON. */
import { intervalHeader, intervalLines, summaryLines, toIperfJson } from "../../bench/report.js";
import { startBenchServer } from "../../bench/server.js";
import { resolveHost } from "../../sockets/resolve_host.js";
import { intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { reportError } from "../main.js";
import { intervalFlag } from "./bench_flags.js";

export async function runServer(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    port: { type: "string", short: "p" },
    "one-off": { type: "boolean", short: "1" },
    bind: { type: "string", short: "B" },
    interval: { type: "string", short: "i" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0)
    throw new (await import("../../errors.js")).UsageError(`unexpected argument "${positionals[0]}"`);
  const port = intFlag("port", values.port, 0, 65535) ?? 5201;
  const interval = intervalFlag(values.interval);
  const json = values.json === true;
  // -B goes through netkit's one host parser (127.1 refused, a name resolved: ERR_HOST_NOT_FOUND).
  const host = typeof values.bind === "string" ? (await resolveHost(values.bind)).address : "127.0.0.1";
  const out = (s: string) => io.stdout.write(`${s}\n`);
  let failures = 0;
  let udp = false;
  const srv = await startBenchServer(
    { port, host, interval: json ? 0 : interval, once: values["one-off"] === true },
    {
      onTestStart: ({ peer, params, streams }) => {
        udp = params.protocol === "udp";
        if (json) return;
        out(`Accepted connection from ${peer.host}, port ${peer.port}`);
        for (const s of streams)
          out(
            `[${String(s.id).padStart(3)}] local ${s.local.host} port ${s.local.port} connected to ${s.remote.host} port ${s.remote.port}`,
          );
        out(
          // TCP: a Retr column as soon as this side sends on some stream (also with --bidir).
          intervalHeader(udp, udp ? streams.every((s) => s.sender) : streams.some((s) => s.sender)),
        );
      },
      onInterval: (iv) => {
        if (!json) for (const l of intervalLines(iv, udp)) out(l);
      },
      onResult: (r) => {
        if (json) out(JSON.stringify(toIperfJson(r)));
        else {
          for (const l of summaryLines(r)) out(l);
          out("-----------------------------------------------------------");
        }
      },
      onTestError: (e) => {
        failures++;
        reportError(e, io, false);
      },
    },
  );
  if (json) out(JSON.stringify({ listening: { host: srv.host, port: srv.port } }));
  else {
    out("-----------------------------------------------------------");
    out(`Server listening on ${srv.port} (${srv.host})`);
    out("-----------------------------------------------------------");
  }
  const stop = () => void srv.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await srv.done;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  return failures > 0 && values["one-off"] === true ? 1 : 0;
}
