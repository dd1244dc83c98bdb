/**
 * The world a command sees: streams, environment, and helpers to write output. Injected so that
 * tests can run commands in-process (`runMain({ argv, stdout, … })`).
 */
import type { Readable, Writable } from "node:stream";

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Colour on stdout: a TTY and no NO_COLOR. */
  color: boolean;
}

/** Write and wait for the stream to accept more when it asks to (backpressure). */
export function write(stream: Writable, text: string): Promise<void> | undefined {
  if (stream.write(text)) return undefined;
  return new Promise((resolve) => stream.once("drain", resolve));
}

/** ANSI styling that disappears when colour is off. */
export function paint(on: boolean) {
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return {
    bold: wrap("1"),
    dim: wrap("2"),
    green: wrap("32"),
    yellow: wrap("33"),
    cyan: wrap("36"),
    red: wrap("31"),
  };
}
export type Paint = ReturnType<typeof paint>;
