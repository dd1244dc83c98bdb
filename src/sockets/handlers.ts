/**
 * Processing handlers: the notes' `process_data`, as a per-peer session that turns input bytes into
 * output bytes. Built-ins: `echo` (bytes unchanged), `upper`, `lower`, `reverse` (text: UTF-8 is
 * decoded with a streaming decoder, so a character split across two TCP reads stays whole, and
 * invalid bytes become U+FFFD instead of crashing the server). A plain function works too.
 *
 * Framing: on a stream (TCP, Unix stream) `upper`/`lower` transform as data arrives and `reverse`
 * reverses each line; on datagrams every datagram is one message and gets one reply.
 *
 * @example
 * import { startUdpServer } from "netkit";
 * const server = await startUdpServer({ host: "127.0.0.1", port: 0, handler: "upper" });
 * // or: handler: (data) => data.toString("utf8").toUpperCase()   (the notes' process_data)
 * await server.close();
 */
import { pathToFileURL } from "node:url";
import { NetkitError } from "../errors.js";

/** How input arrives: a byte stream, or whole datagrams (one reply each). */
export type Framing = "stream" | "datagram";

/** Who is talking to whom. */
export interface PeerInfo {
  proto: "tcp" | "udp" | "unix";
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

/** What a handler session gets from the server. */
export interface HandlerContext extends PeerInfo {
  framing: Framing;
  /** Deliver output to the peer; resolves when the peer can take more (backpressure). */
  send(data: Uint8Array): Promise<void>;
}

/** One peer's processing: input in with `write`, output out through `ctx.send`. */
export interface HandlerSession {
  /** Feed input; resolves when the session can take more. */
  write(chunk: Uint8Array): Promise<void>;
  /** No more input; resolves when all output has been sent. */
  end(): Promise<void>;
  /** Stop at once and release resources (child processes). */
  destroy(): void;
  /** Called once when the session ends by itself (a child process exited). */
  onDone?: (() => void) | undefined;
}

/** A handler opens one session per TCP connection or per UDP peer. */
export interface Handler {
  readonly name: string;
  open(ctx: HandlerContext): HandlerSession;
}

/** A user function in the style of the notes' `process_data`: bytes in, reply out (null: none). */
export type ProcessData = (
  data: Buffer,
  peer: PeerInfo,
) => string | Uint8Array | null | undefined | Promise<string | Uint8Array | null | undefined>;

export type BuiltinHandlerName = "echo" | "upper" | "lower" | "reverse";

/** What servers accept as `handler`. */
export type HandlerSpec = BuiltinHandlerName | Handler | ProcessData;

export const BUILTIN_HANDLERS: readonly BuiltinHandlerName[] = ["echo", "upper", "lower", "reverse"];

/** Longest line `reverse` holds while waiting for its newline; longer lines are reversed in pieces. */
export const MAX_REVERSE_LINE = 64 * 1024;

const encoder = new TextEncoder();

/** Reverse a string by code points (the `reverse` handler's map). */
export function reverseText(s: string): string {
  return Array.from(s).reverse().join("");
}

function textHandler(name: BuiltinHandlerName, map: (s: string) => string, lines: boolean): Handler {
  return {
    name,
    open(ctx) {
      const decoder = new TextDecoder("utf-8", { fatal: false });
      let pending = "";
      const emit = async (text: string) => {
        if (text !== "") await ctx.send(encoder.encode(text));
      };
      return {
        async write(chunk) {
          if (ctx.framing === "datagram") {
            // One datagram, one reply — also for a zero-length datagram.
            await ctx.send(encoder.encode(map(decoder.decode(chunk))));
            return;
          }
          const text = decoder.decode(chunk, { stream: true });
          if (!lines) return emit(map(text));
          pending += text;
          const nl = pending.lastIndexOf("\n");
          let out = "";
          if (nl >= 0) {
            out = pending
              .slice(0, nl + 1)
              .split("\n")
              .map((l) => (l.endsWith("\r") ? `${map(l.slice(0, -1))}\r` : map(l)))
              .join("\n");
            pending = pending.slice(nl + 1);
          }
          if (pending.length > MAX_REVERSE_LINE) {
            out += map(pending);
            pending = "";
          }
          await emit(out);
        },
        async end() {
          if (ctx.framing === "datagram") return;
          const rest = pending + decoder.decode();
          pending = "";
          await emit(map(rest));
        },
        destroy() {},
      };
    },
  };
}

const BUILTINS: Record<BuiltinHandlerName, Handler> = {
  echo: {
    name: "echo",
    open(ctx) {
      return {
        write: (chunk) => ctx.send(chunk),
        end: async () => {},
        destroy() {},
      };
    },
  },
  upper: textHandler("upper", (s) => s.toUpperCase(), false),
  lower: textHandler("lower", (s) => s.toLowerCase(), false),
  reverse: textHandler("reverse", reverseText, true),
};

/**
 * The built-in name behind a handler, or undefined for a function, module or exec handler: servers
 * use it to pick a fast path that needs no JavaScript per datagram.
 */
export function builtinName(h: Handler): BuiltinHandlerName | undefined {
  return BUILTIN_HANDLERS.find((n) => BUILTINS[n] === h);
}

/** Wrap a `process_data`-style function as a handler (called once per datagram or per read). */
export function functionHandler(fn: ProcessData, name = fn.name || "function"): Handler {
  return {
    name,
    open(ctx) {
      const peer: PeerInfo = {
        proto: ctx.proto,
        remoteAddress: ctx.remoteAddress,
        remotePort: ctx.remotePort,
        localAddress: ctx.localAddress,
        localPort: ctx.localPort,
      };
      return {
        async write(chunk) {
          let out: Awaited<ReturnType<ProcessData>>;
          try {
            out = await fn(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), peer);
          } catch (e) {
            throw new NetkitError("ERR_HANDLER", `handler ${name} failed: ${(e as Error)?.message ?? e}`, {
              cause: e,
            });
          }
          if (out === null || out === undefined) return;
          await ctx.send(typeof out === "string" ? encoder.encode(out) : out);
        },
        end: async () => {},
        destroy() {},
      };
    },
  };
}

/**
 * The handler for a spec: a built-in name, a Handler, or a function.
 * @throws ERR_HANDLER for an unknown name.
 */
export function resolveHandler(spec: HandlerSpec = "echo"): Handler {
  if (typeof spec === "string") {
    if (!Object.hasOwn(BUILTINS, spec))
      throw new NetkitError(
        "ERR_HANDLER",
        `unknown handler "${spec}" (built-ins: ${BUILTIN_HANDLERS.join(", ")})`,
      );
    return BUILTINS[spec];
  }
  if (typeof spec === "function") return functionHandler(spec);
  return spec;
}

/**
 * Load a handler from a module file (the CLI's `--handler ./file.mjs`): its default export or its
 * `process_data` export, either a {@link ProcessData} function or a {@link Handler} object.
 * @throws ERR_HANDLER when the file cannot be imported or exports neither.
 */
export async function loadHandlerModule(file: string): Promise<Handler> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new NetkitError(
      "ERR_HANDLER",
      `cannot load handler module ${file}: ${(e as Error)?.message ?? e}`,
      {
        cause: e,
      },
    );
  }
  const x = mod.default ?? mod.process_data;
  if (typeof x === "function") return functionHandler(x as ProcessData, file);
  if (x !== null && typeof x === "object" && typeof (x as Handler).open === "function") return x as Handler;
  throw new NetkitError(
    "ERR_HANDLER",
    `handler module ${file} must export a default function (data, peer) => reply, or process_data`,
  );
}
