/**
 * Streaming line reader: yields lines of a byte stream without holding more than one chunk and
 * one partial line (constant memory for any input size). A trailing "\r" is removed (CRLF input).
 * A line longer than the limit is never passed on, not even cut: it comes out as an
 * {@link OverlongLine} (its first characters and its length), so a caller reports it instead of
 * parsing a prefix that might be valid on its own.
 */
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** Lines longer than this (in characters, without the line end) are reported, not parsed. */
export const MAX_LINE = 4096;
/** How many leading characters of an over-long line are kept to name it in a report. */
export const OVERLONG_HEAD = 32;

/** A line longer than the limit: its first {@link OVERLONG_HEAD} characters and its length. */
export interface OverlongLine {
  readonly overlong: true;
  readonly head: string;
  readonly length: number;
}

/** One input line, or the stand-in of an over-long one. */
export type Line = string | OverlongLine;

/** The text that stands for an over-long line in a report: its head and "…". */
export function overlongLabel(line: OverlongLine): string {
  return `${line.head}…`;
}

function overlong(head: string, length: number): OverlongLine {
  return { overlong: true, head: head.slice(0, OVERLONG_HEAD), length };
}

export async function* readLines(input: Readable, maxLine = MAX_LINE): AsyncGenerator<Line[]> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let long: { head: string; length: number } | null = null; // inside an over-long line
  for await (const chunk of input) {
    const text = rest + (typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer));
    rest = "";
    const lines: Line[] = [];
    let from = 0;
    if (long !== null) {
      const nl = text.indexOf("\n");
      if (nl < 0) {
        long.length += text.length;
        continue;
      }
      long.length += nl - (nl > 0 && text.charCodeAt(nl - 1) === 13 ? 1 : 0);
      lines.push(overlong(long.head, long.length));
      long = null;
      from = nl + 1;
    }
    for (;;) {
      const nl = text.indexOf("\n", from);
      if (nl < 0) break;
      const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      lines.push(
        end - from > maxLine
          ? overlong(text.slice(from, from + OVERLONG_HEAD), end - from)
          : text.slice(from, end),
      );
      from = nl + 1;
    }
    if (text.length - from > maxLine)
      long = { head: text.slice(from, from + OVERLONG_HEAD), length: text.length - from };
    else rest = text.slice(from);
    if (lines.length > 0) yield lines;
  }
  const tail = decoder.end();
  if (long !== null) {
    long.length += tail.length - (tail.endsWith("\r") ? 1 : 0);
    yield [overlong(long.head, long.length)];
    return;
  }
  rest += tail;
  if (rest.endsWith("\r")) rest = rest.slice(0, -1);
  if (rest.length > maxLine) yield [overlong(rest, rest.length)];
  else if (rest !== "") yield [rest];
}

/**
 * Collects output and writes it in large byte chunks. `add` is synchronous (no promise per line);
 * callers `await drain()` between input chunks, which waits when the stream pushed back, so
 * memory stays bounded by one input chunk's output.
 */
export class OutputBuffer {
  private buf: Buffer;
  private off = 0;
  private blocked = false;
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly size = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Add text. `ascii` promises the text is 7-bit ASCII (copied without UTF-8 encoding). */
  add(text: string, ascii = false): void {
    const n = ascii ? text.length : Buffer.byteLength(text);
    if (this.off + n > this.buf.length) this.spill();
    if (n > this.buf.length) {
      this.send(Buffer.from(text, "utf8"));
      return;
    }
    this.off += this.buf.write(text, this.off, ascii ? "latin1" : "utf8");
  }

  /** Add bytes (handed over: the caller must not change them afterwards). */
  addBytes(chunk: Uint8Array): void {
    if (chunk.byteLength > this.buf.length - this.off) {
      this.spill();
      this.send(chunk);
      return;
    }
    this.buf.set(chunk, this.off);
    this.off += chunk.byteLength;
  }

  private send(chunk: Uint8Array): void {
    if (!this.stream.write(chunk)) this.blocked = true;
  }

  private spill(): void {
    if (this.off === 0) return;
    this.send(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(this.size);
    this.off = 0;
  }

  /** Wait until the stream accepts more, if it pushed back. */
  async drain(): Promise<void> {
    if (!this.blocked) return;
    this.blocked = false;
    await new Promise((resolve) => this.stream.once("drain", resolve));
  }

  /** Write everything buffered and wait for the stream if needed. */
  async flush(): Promise<void> {
    this.spill();
    await this.drain();
  }
}
