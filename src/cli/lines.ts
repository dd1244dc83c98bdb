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

/** Collects output text and writes it in large pieces, waiting when the stream pushes back. */
export class OutputBuffer {
  private buf = "";
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly limit = 1 << 16,
  ) {}
  async add(text: string): Promise<void> {
    this.buf += text;
    if (this.buf.length >= this.limit) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buf === "") return;
    const ok = this.stream.write(this.buf);
    this.buf = "";
    if (!ok) await new Promise((resolve) => this.stream.once("drain", resolve));
  }
}
