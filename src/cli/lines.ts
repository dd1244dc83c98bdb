/**
 * Streaming line reader: yields lines of a byte stream without holding more than one chunk and
 * one partial line (constant memory for any input size). A trailing "\r" is removed (CRLF input).
 */
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** Lines longer than this are cut and reported, so memory stays bounded. */
export const MAX_LINE = 4096;

export async function* readLines(input: Readable, maxLine = MAX_LINE): AsyncGenerator<string[]> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let skipping = false; // inside an over-long line, already reported
  for await (const chunk of input) {
    let text = rest + (typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer));
    if (skipping) {
      const nl = text.indexOf("\n");
      if (nl < 0) {
        rest = "";
        continue;
      }
      text = text.slice(nl + 1);
      skipping = false;
    }
    const parts = text.split("\n");
    rest = parts.pop()!;
    if (rest.length > maxLine) {
      // An over-long line is passed on cut (it will not parse) and the rest of it is skipped.
      parts.push(rest.slice(0, maxLine));
      rest = "";
      skipping = true;
    }
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.endsWith("\r")) parts[i] = p.slice(0, -1);
    }
    if (parts.length > 0) yield parts;
  }
  rest += decoder.end();
  if (rest.endsWith("\r")) rest = rest.slice(0, -1);
  if (rest !== "") yield [rest];
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
