/** `netkit bench server`: flags → startBenchServer → iperf3-style lines or NDJSON. */

import { intervalHeader, intervalLines, summaryLines, toIperfJson } from "../../bench/report.js";
import { startBenchServer } from "../../bench/server.js";
import { NetkitError, UsageError } from "../../errors.js";
import { literalFamily, resolveHost } from "../../sockets/resolve_host.js";
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
    json: { type: "boolean", short: "J" },
    server: { type: "boolean", short: "s" }, // iperf3's spelling: `netkit bench -s`
    ipv4: { type: "boolean", short: "4" },
    ipv6: { type: "boolean", short: "6" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.ipv4 === true && values.ipv6 === true) throw new UsageError("cannot use -4 and -6 together");
  const port = intFlag("port", values.port, 0, 65535) ?? 5201;
  const interval = intervalFlag(values.interval);
  const json = values.json === true;
  const family = values.ipv4 === true ? 4 : values.ipv6 === true ? 6 : undefined;
  const bindText = typeof values.bind === "string" ? values.bind : undefined;
  const bindFamily = bindText === undefined ? undefined : literalFamily(bindText);
  if (bindFamily !== undefined && family !== undefined && bindFamily !== family)
    throw new UsageError(`-B ${bindText} is not an IPv${family} address (-${family})`);
  // -B goes through netkit's one host parser (127.1 refused, a name resolved: ERR_HOST_NOT_FOUND).
  const bind = bindText === undefined ? undefined : (await resolveHost(bindText, family)).address;
  const out = (s: string) => io.stdout.write(`${s}\n`);
  let failures = 0;
  let udp = false;
  const srv = await startBenchServer(
    {
      port,
      ...(bind !== undefined ? { host: bind } : {}),
      ...(family !== undefined ? { family } : {}),
      interval,
      once: values["one-off"] === true,
    },
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
        else for (const l of summaryLines(r)) out(l);
        if (r.ended === "peer-terminated") {
          // As iperf3 -s: the partial summary, then why it ended; the server keeps serving.
          failures++;
          reportError(new NetkitError("ERR_BENCH_PROTOCOL", "the client has terminated"), io, false);
        }
        if (!json) out("-----------------------------------------------------------");
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
  // Ctrl-C: a running test's partial summary first (iperf3 -s does the same), then stop.
  const stop = () => void srv.interrupt().then(() => srv.close());
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
