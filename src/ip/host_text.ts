/**
 * What a host argument is: an address (parsed by netkit's strict {@link parseAddr}, exactly as
 * `netkit ip` parses it) or a host name (left to the resolver). Pure: no lookup happens here.
 *
 * The rule (docs/cli.md, "Hosts"): text is **address-like** when it
 * - is empty, or contains `:` or `%`, or starts with `[` (IPv6, zones, brackets), or
 * - is made only of dot-separated numbers — decimal digits, or `0x` followed by hex digits —
 *   where parts may be empty (`1.2.3`, `127.1`, `0177.0.0.1`, `0x7f.1`, `2130706433`,
 *   `1.2.3.4.`, `1..2`). These are the shapes C's `inet_aton` would read as an address, which
 *   the system resolver would silently turn into 127.0.0.1 or 1.2.0.3.
 * Address-like text must parse as an address or it is refused with parseAddr's own error
 * (same code, reason and position as `netkit ip`). `[v6]` is accepted as the IPv6 address inside
 * the brackets. Anything else is a host name: letters, digits, `-`, `_` and dots, labels of 1–63
 * characters not starting with `-`, at most 253 characters (a trailing dot is allowed).
 *
 * @example
 * parseHostText("127.0.0.1");   // { kind: "addr", addr: 127.0.0.1 }
 * parseHostText("[::1]");       // { kind: "addr", addr: ::1 }
 * parseHostText("localhost");   // { kind: "name", name: "localhost" }
 * parseHostText("127.1");       // throws ERR_ADDR_SYNTAX: IPv4 address needs 4 octets, got 2
 */
import { ParseError } from "../errors.js";
import { type Addr, parseAddr, parseAddrRange } from "./addr.js";

export type HostText = { kind: "addr"; addr: Addr } | { kind: "name"; name: string };

/** One dot-separated part of an inet_aton-style number: decimal digits or 0x + hex digits. */
const NUMERIC_PARTS = /^(?:0[xX][0-9a-fA-F]*|[0-9]*)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]*))*$/;

/** True when `text` must be an address (see the module comment for the rule). */
export function isAddressLike(text: string): boolean {
  if (text === "" || text.includes(":") || text.includes("%") || text.startsWith("[")) return true;
  return NUMERIC_PARTS.test(text);
}

/**
 * Classify and check a host argument.
 * @throws {ParseError} ERR_ADDR_SYNTAX or ERR_ZONE for address-like text that is not an address
 * (parseAddr's error); ERR_HOST_NOT_FOUND for text that cannot be a host name.
 */
export function parseHostText(text: string): HostText {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0)
      throw new ParseError(
        "ERR_ADDR_SYNTAX",
        "address",
        text,
        'missing "]" after a bracketed IPv6 address',
        -1,
      );
    if (close !== text.length - 1)
      throw new ParseError(
        "ERR_ADDR_SYNTAX",
        "address",
        text,
        'unexpected text after "]" (a port goes in its own argument)',
        close + 1,
      );
    const addr = parseAddrRange(text, 1, text.length - 1);
    if (addr.version !== 6)
      throw new ParseError("ERR_ADDR_SYNTAX", "address", text, "brackets are only for IPv6 addresses", 0);
    return { kind: "addr", addr };
  }
  if (isAddressLike(text)) return { kind: "addr", addr: parseAddr(text) };
  checkHostName(text);
  return { kind: "name", name: text };
}

/** @throws {ParseError} ERR_HOST_NOT_FOUND when `name` is not a syntactically valid host name. */
function checkHostName(name: string): void {
  const bad = (reason: string, at: number) => {
    throw new ParseError("ERR_HOST_NOT_FOUND", "host name", name, reason, at);
  };
  if (name.length > 254 || (name.length === 254 && !name.endsWith(".")))
    bad("a host name has at most 253 characters", -1);
  let label = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      if (label === 0) bad("empty label", i);
      label = 0;
      continue;
    }
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
    if (!ok) bad(`character ${JSON.stringify(name[i])} is not allowed in a host name`, i);
    if (c === 45 && label === 0) bad('a label cannot start with "-"', i);
    if (++label > 63) bad("a label has at most 63 characters", i);
  }
}
