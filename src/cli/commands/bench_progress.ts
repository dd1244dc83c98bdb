/** A one-line progress indicator, only on a TTY (stderr), erased when done. */
import type { CliIo } from "../io.js";

export function progressLine(io: CliIo): { update(text: string): void; clear(): void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let shown = false;
  return {
    update(text: string) {
      if (!tty) return;
      io.stderr.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    clear() {
      if (tty && shown) io.stderr.write("\r\u001b[2K");
      shown = false;
    },
  };
}
