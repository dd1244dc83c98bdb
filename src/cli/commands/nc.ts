/**
 * `netkit nc`: netcat with the flags people type, binary-safe, half-close done right.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { NetkitError } from "../../errors.js";
import { parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import type { Command } from "../main.js";
import { ncConnect, ncScan } from "../nc_connect.js";
import { NC_OPTIONS, type NcConfig, ncConfig } from "../nc_flags.js";
import { ncListen } from "../nc_listen.js";
import { ncUnixDgramConnect, ncUnixDgramListen } from "../nc_unix_dgram.js";
import { runServe } from "../serve_run.js";

const HELP = `netkit nc — netcat: connect, listen, scan (TCP, UDP, Unix stream and datagram)

Usage:
  netkit nc [options] HOST PORT            connect
  netkit nc -l [options] [HOST] PORT       listen (also: -l -p PORT [-s HOST])
  netkit nc -z [options] HOST PORTS        scan: 22, 20-25, 80,443,8000-8010
  netkit nc -U [-l] [-u] PATH              Unix stream (with -u: datagram) socket

Data goes only to stdout, diagnostics only to stderr; bytes pass unchanged and unbuffered.
The directions are independent: stdin EOF sends our FIN (half-close) and reading goes on; the
peer's FIN ends only reading, and stdin is still sent until it ends. The command ends when both
are done. A listener without -k serves one connection, then ends (closing stdout).
-U @name is a Linux abstract socket name (exact bytes, no file).

Options:
  -l                 listen                      -k   keep listening after a connection (many at once)
  -u                 UDP (with -U: Unix datagram) -U  Unix socket (PATH)
  -z                 scan, send no data          -v   verbose (connection lines on stderr)
  -n                 numeric addresses only      -4 / -6   IPv4 / IPv6 only
  -p PORT            source port (with -l: the port to listen on)
  -s ADDR            source address (with -l: the address to listen on)
  -w SECS            connect timeout, and quit after SECS without traffic (exit 1)
  -i SECS            wait between lines sent (and between ports scanned)
  -q SECS            after stdin EOF (all sent), quit after SECS even if the peer stays open
                     (UDP default 1; -q 0: quit once stdin is sent)
  -N                 shut down the write side on stdin EOF: the default, made explicit; with -d
                     (stdin never read) the FIN goes at once, like OpenBSD nc -d -N
  -d                 do not read stdin            -C   send LF as CRLF (never doubles a CR)
  -e CMD             run CMD (argv, no shell) connected to the socket; -c CMD through /bin/sh
                     (a CMD not found or not executable: exit 1 before any socket, ERR_HANDLER)
  -x                 hex dump both directions to stderr (hexdump -C style, repeats folded as *)
  --hex-dump FILE    the same dump to FILE (ncat's --hex-dump; truncated first)
  --append-output    with --hex-dump: append to FILE instead
  --send-only        only send; received data is discarded, quit after stdin EOF
  --recv-only        only receive; stdin is not read
  --no-shutdown      never half-close: after stdin EOF keep the write side open and read until
                     the peer closes (or -q) — OpenBSD nc's default without -N
  --broker           (-l) relay every client's data to all other clients
  --chat             (-l) like --broker, with <userN> names on each line
  --allow CIDR / --deny CIDR   (-l) who may connect (repeatable; deny wins)
  --max-conns N      (-l) most connections at once
  --json             (-z) one JSON line per port: state open, closed, filtered or open|filtered
                     (refused without -z: data is passed raw)

-zu cannot prove a UDP port open: a reply is "open", ICMP port unreachable "closed", silence
for -w (default 0.5 s) "open|filtered" (counted as a hit, like nc -zu's "succeeded").
With -u -l the listener talks to its first peer only; with -u -l -k replies go to the latest
peer. With -e/-c and no listen address, only loopback (127.0.0.1) is used, and said on stderr.

Exit codes: 0 success; 1 network failure (refused, reset, timeout, -z found nothing open);
2 usage error (flags that contradict each other are refused before any I/O).

Examples:
  netkit nc -l 127.0.0.1 4444 > received.bin         (one connection, then exit)
  netkit nc 127.0.0.1 4444 < file.bin                 (half-closes at EOF, prints the reply)
  netkit nc -l -k 127.0.0.1 4444 -e cat               (an echo server, one cat per connection)
  netkit nc -z -v 127.0.0.1 20-25
  printf 'GET / HTTP/1.0\\n\\n' | netkit nc -C 127.0.0.1 8080
  netkit nc -u -l 127.0.0.1 2000                      (UDP, locked to the first peer)
  netkit nc -U -u /tmp/notes.sock                     (Unix datagram client)
  netkit nc -U -l @demo > got.bin                     (abstract name: socat ABSTRACT-CONNECT:demo)
  netkit nc -x 127.0.0.1 4444 < req.bin 2> dump.txt
  netkit nc --hex-dump dump.txt 127.0.0.1 4444 < req.bin
  netkit nc -zu -w 0.3 --json 127.0.0.1 2000-2010`;

export const ncCommand: Command = {
  summary: "netcat",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const cfg = ncConfig(parseFlags(args, NC_OPTIONS));
    if (!cfg.hex) return runNc(cfg, io);
    if (cfg.hexFile === undefined) return runNc({ ...cfg, hexSink: (t) => io.stderr.write(t) }, io);
    // --hex-dump FILE (ncat's option): opened before any socket, written synchronously, so the
    // file is complete when the command ends.
    let fd: number;
    try {
      fd = openSync(cfg.hexFile, cfg.appendOutput ? "a" : "w");
    } catch (e) {
      throw new NetkitError("ERR_IO", `cannot open --hex-dump file ${cfg.hexFile}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    try {
      return await runNc({ ...cfg, hexSink: (t) => writeSync(fd, t) }, io);
    } finally {
      closeSync(fd);
    }
  },
};

async function runNc(cfg: NcConfig, io: CliIo): Promise<number> {
  if (cfg.unix && cfg.proto === "udp") {
    if (cfg.mode === "listen" && cfg.handler)
      return runServe(
        {
          proto: "unix",
          dgram: true,
          path: cfg.path,
          handler: cfg.handler,
          maxConns: cfg.maxConns,
          allow: [],
          deny: [],
          idleTimeout: cfg.waitMs,
          keepOpen: cfg.keepOpen,
          json: false,
          verbose: cfg.verbose,
          lockToFirstPeer: !cfg.keepOpen,
        },
        io,
      );
    const o = {
      path: cfg.path!,
      quitAfterEofMs: cfg.quitAfterEofMs,
      waitMs: cfg.waitMs,
      keepOpen: cfg.keepOpen,
      verbose: cfg.verbose,
      hex: cfg.hexSink,
      crlf: cfg.crlf,
      sendOnly: cfg.sendOnly,
      recvOnly: cfg.recvOnly,
      intervalMs: cfg.intervalMs,
    };
    return cfg.mode === "listen" ? ncUnixDgramListen(o, io) : ncUnixDgramConnect(o, io);
  }
  if (cfg.mode === "scan") return ncScan(cfg, io);
  if (cfg.mode === "listen") return ncListen(cfg, io);
  return ncConnect(cfg, io);
}
