/** The check every network operation makes before mixing two values. */
import { NetkitError } from "../errors.js";

/**
 * Throw ERR_VERSION_MISMATCH when `a` and `b` are of different IP versions.
 * @example
 * requireSameVersion("collapse", parsePrefix("10.0.0.0/8"), parsePrefix("::/0")); // throws
 */
export function requireSameVersion(
  op: string,
  a: { version: 4 | 6; toString(): string },
  b: { version: 4 | 6; toString(): string },
): void {
  if (a.version !== b.version) {
    throw new NetkitError(
      "ERR_VERSION_MISMATCH",
      `${op}: cannot mix IPv${a.version} and IPv${b.version} (${a.toString()} and ${b.toString()})`,
    );
  }
}
