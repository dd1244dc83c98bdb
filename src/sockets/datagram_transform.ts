/**
 * The built-in handlers' datagram processing as one pure function over a buffer, for the UDP fast
 * path's worker: `echo` leaves the bytes, `upper`/`lower`/`reverse` give exactly what the handlers
 * in handlers.ts give (UTF-8 decoded with U+FFFD for invalid bytes, mapped, encoded), with an
 * in-place shortcut for ASCII.
 *
 * @example
 * const slot = Buffer.alloc(64); slot.write("abc");
 * transformDatagram("upper", slot, 3);  // → 3, slot starts with "ABC"
 */
import { type BuiltinHandlerName, reverseText } from "./handlers.js";

const decoder = new TextDecoder("utf-8", { fatal: false });
const encoder = new TextEncoder();

const MAPS: Record<Exclude<BuiltinHandlerName, "echo">, (s: string) => string> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  reverse: reverseText,
};

/**
 * Transform the first `len` bytes of `slot` in place. Returns the reply's length, or -1 when the
 * reply would not fit in the slot (a text mapping can grow: "ß" → "SS").
 */
export function transformDatagram(name: BuiltinHandlerName, slot: Uint8Array, len: number): number {
  if (name === "echo") return len;
  let ascii = true;
  for (let i = 0; i < len; i++) {
    if (slot[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (name === "reverse") {
      for (let i = 0, j = len - 1; i < j; i++, j--) {
        const t = slot[i]!;
        slot[i] = slot[j]!;
        slot[j] = t;
      }
    } else {
      const [lo, hi, delta] = name === "upper" ? [0x61, 0x7a, -32] : [0x41, 0x5a, 32];
      for (let i = 0; i < len; i++) {
        const c = slot[i]!;
        if (c >= lo && c <= hi) slot[i] = c + delta;
      }
    }
    return len;
  }
  const out = encoder.encode(MAPS[name](decoder.decode(slot.subarray(0, len))));
  if (out.length > slot.length) return -1;
  slot.set(out);
  return out.length;
}
