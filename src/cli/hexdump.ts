/**
 * `hexdump -C`-style lines (pure): offset, 16 bytes in two groups of 8, printable ASCII, and
 * like hexdump -C a run of full 16-byte lines equal to the line before is folded into one `*`.
 * Streaming: a {@link HexDumper} keeps one running offset per direction and prints each chunk as
 * it passes, preceded by a `# > sent N bytes` / `# < received N bytes` marker line (which also
 * tells where a folded run ends, as hexdump's final offset line does). Folding never spans
 * chunks: each chunk's lines are exactly what `hexdump -C` prints for those bytes, without the
 * final offset line.
 *
 * @example
 * hexLines(Buffer.from("Hello, server!\n"), 0);
 * // → ["00000000  48 65 6c 6c 6f 2c 20 73  65 72 76 65 72 21 0a     |Hello, server!.|"]
 */

/** True when the 16 bytes at `a` and `b` in `data` are equal. */
function sameRow(data: Uint8Array, a: number, b: number): boolean {
  for (let j = 0; j < 16; j++) if (data[a + j] !== data[b + j]) return false;
  return true;
}

/** Format `data` as hexdump -C lines starting at `offset`, folding repeated full lines into `*`. */
export function hexLines(data: Uint8Array, offset: number): string[] {
  const out: string[] = [];
  let starred = false;
  for (let i = 0; i < data.length; i += 16) {
    if (i > 0 && i + 16 <= data.length && sameRow(data, i - 16, i)) {
      if (!starred) out.push("*");
      starred = true;
      continue;
    }
    starred = false;
    const row = data.subarray(i, i + 16);
    let hex = "";
    let ascii = "";
    for (let j = 0; j < 16; j++) {
      if (j === 8) hex += " ";
      if (j < row.length) {
        const b = row[j]!;
        hex += `${b.toString(16).padStart(2, "0")} `;
        ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : ".";
      } else hex += "   ";
    }
    out.push(`${(offset + i).toString(16).padStart(8, "0")}  ${hex} |${ascii}|`);
  }
  return out;
}

/** Dumps both directions of a conversation with separate running offsets. */
export class HexDumper {
  private sentOffset = 0;
  private receivedOffset = 0;
  constructor(private readonly write: (text: string) => void) {}
  sent(data: Uint8Array): void {
    this.write(`# > sent ${data.length} bytes\n${hexLines(data, this.sentOffset).join("\n")}\n`);
    this.sentOffset += data.length;
  }
  received(data: Uint8Array): void {
    this.write(`# < received ${data.length} bytes\n${hexLines(data, this.receivedOffset).join("\n")}\n`);
    this.receivedOffset += data.length;
  }
}

/**
 * netcat's -C: LF becomes CRLF on send, an LF already preceded by CR is left alone (no doubling),
 * also when the CR ended the previous chunk. One instance per direction.
 */
export class CrlfConverter {
  private lastWasCr = false;
  convert(data: Uint8Array): Uint8Array {
    let extra = 0;
    let prevCr = this.lastWasCr;
    for (const b of data) {
      if (b === 0x0a && !prevCr) extra++;
      prevCr = b === 0x0d;
    }
    if (extra === 0) {
      if (data.length > 0) this.lastWasCr = data[data.length - 1] === 0x0d;
      return data;
    }
    const out = new Uint8Array(data.length + extra);
    let k = 0;
    prevCr = this.lastWasCr;
    for (const b of data) {
      if (b === 0x0a && !prevCr) out[k++] = 0x0d;
      out[k++] = b;
      prevCr = b === 0x0d;
    }
    this.lastWasCr = prevCr;
    return out;
  }
}
