/**
 * The `exec` and `sh-exec` handlers: one child process per TCP connection or per UDP peer. The
 * peer's bytes go to the child's stdin, the child's stdout goes back to the peer, with
 * backpressure both ways (a slow peer pauses the child's stdout; a slow child pauses the socket).
 * The child learns who it talks to from its environment: NETKIT_PROTO, NETKIT_REMOTE_ADDR,
 * NETKIT_REMOTE_PORT, NETKIT_LOCAL_ADDR, NETKIT_LOCAL_PORT.
 *
 * @example
 * import { execHandler, startTcpServer } from "netkit";
 * // argv, no shell: arguments are never re-parsed
 * const server = await startTcpServer({ host: "127.0.0.1", port: 0, handler: execHandler({ argv: ["cat"] }) });
 * await server.close();
 */
import { spawn } from "node:child_process";
import { NetkitError } from "../errors.js";
import { findProgram } from "./exec_program.js";
import type { Handler, HandlerContext, HandlerSession } from "./handlers.js";

export interface ExecOptions {
  /** Program and arguments, run without a shell. */
  argv?: readonly string[];
  /** A command line for `/bin/sh -c` (sh-exec). */
  shell?: string;
  /** Where the child's stderr goes: this process's stderr (default) or nowhere. */
  stderr?: "inherit" | "ignore";
  /** Extra environment for the child (added to this process's environment). */
  env?: Record<string, string>;
}

/** Largest UDP payload over IPv4; a child's output is cut into datagrams of at most this size. */
const MAX_DATAGRAM = 65507;

/**
 * A handler running a child process per peer.
 * @throws ERR_HANDLER when neither or both of `argv` and `shell` are given, or when the program
 * cannot be run (not found in PATH, not executable): checked now, not at the first peer.
 */
export function execHandler(opts: ExecOptions): Handler {
  const hasArgv = opts.argv !== undefined && opts.argv.length > 0;
  if (hasArgv === (opts.shell !== undefined))
    throw new NetkitError("ERR_HANDLER", "exec handler needs exactly one of argv and shell");
  const [file, ...args] = hasArgv ? opts.argv! : ["/bin/sh", "-c", opts.shell!];
  findProgram(file!); // a missing program fails here, before anything listens
  const name = hasArgv ? `exec ${opts.argv!.join(" ")}` : `sh-exec ${opts.shell}`;
  return {
    name,
    open(ctx: HandlerContext): HandlerSession {
      const child = spawn(file!, args, {
        stdio: ["pipe", "pipe", opts.stderr ?? "inherit"],
        env: {
          ...process.env,
          ...opts.env,
          NETKIT_PROTO: ctx.proto,
          NETKIT_REMOTE_ADDR: ctx.remoteAddress,
          NETKIT_REMOTE_PORT: String(ctx.remotePort),
          NETKIT_LOCAL_ADDR: ctx.localAddress,
          NETKIT_LOCAL_PORT: String(ctx.localPort),
        },
      });
      let failure: Error | undefined;
      let stdinOpen = true;
      let finished = false;
      let lastSend: Promise<void> = Promise.resolve();
      const session: HandlerSession = {
        async write(chunk) {
          if (!stdinOpen || failure) return;
          if (!child.stdin.write(chunk)) {
            await new Promise<void>((resolve) => {
              const done = () => {
                child.stdin.off("drain", done);
                child.stdin.off("close", done);
                resolve();
              };
              child.stdin.on("drain", done);
              child.stdin.on("close", done);
            });
          }
        },
        async end() {
          if (stdinOpen) {
            stdinOpen = false;
            child.stdin.end();
          }
          await exited;
          if (failure) throw failure;
        },
        destroy() {
          stdinOpen = false;
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        },
      };
      // A child that exits early makes stdin writes fail with EPIPE: that is the end, not an error.
      child.stdin.on("error", () => {
        stdinOpen = false;
      });
      child.stdout.on("data", (chunk: Buffer) => {
        child.stdout.pause();
        const sends: Promise<void>[] = [];
        if (ctx.framing === "datagram") {
          for (let i = 0; i < chunk.length; i += MAX_DATAGRAM)
            sends.push(ctx.send(chunk.subarray(i, i + MAX_DATAGRAM)));
        } else sends.push(ctx.send(chunk));
        lastSend = Promise.all(sends).then(
          () => {
            child.stdout.resume();
          },
          () => session.destroy(),
        );
      });
      const exited = new Promise<void>((resolve) => {
        child.on("error", (e) => {
          failure = new NetkitError("ERR_HANDLER", `cannot run ${file}: ${e.message}`, { cause: e });
          stdinOpen = false;
          resolve();
        });
        child.on("close", () => resolve());
      }).then(() => lastSend);
      exited.then(() => {
        if (!finished) {
          finished = true;
          session.onDone?.();
        }
      });
      return session;
    },
  };
}
