/**
 * Table tests of the strict parsers: every rejection class with its precise error (code, input,
 * position, reason), and accepted spellings with their canonical text and round trips.
 * Expected texts follow RFC 5952 (IPv6 text) and RFC 4291 §2.2 (accepted spellings).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ParseError } from "../../src/errors.js";
import { parseAddr } from "../../src/ip/addr.js";
import { parseInterface } from "../../src/ip/prefix.js";

type Row = [input: string, code: string, at: number, reason: string];

const REJECTED: Row[] = [
  // IPv4: leading zeros, octal, hex, short forms, ranges
  ["010.0.0.1", "ERR_ADDR_SYNTAX", 0, "IPv4 octet has a leading zero"],
  ["1.2.3.00", "ERR_ADDR_SYNTAX", 6, "IPv4 octet has a leading zero"],
  ["0377.0.0.1", "ERR_ADDR_SYNTAX", 0, "IPv4 octet has a leading zero"],
  ["0x7f.0.0.1", "ERR_ADDR_SYNTAX", 0, "hexadecimal IPv4 octets are not accepted"],
  ["1.0XFF.0.1", "ERR_ADDR_SYNTAX", 2, "hexadecimal IPv4 octets are not accepted"],
  ["127.1", "ERR_ADDR_SYNTAX", 5, "IPv4 address needs 4 octets, got 2"],
  ["127.0.1", "ERR_ADDR_SYNTAX", 7, "IPv4 address needs 4 octets, got 3"],
  ["2130706433", "ERR_ADDR_SYNTAX", 0, "IPv4 octet has more than 3 digits"],
  ["1.2.3.4.5", "ERR_ADDR_SYNTAX", 7, "IPv4 address has more than 4 octets"],
  ["256.1.1.1", "ERR_ADDR_SYNTAX", 0, "IPv4 octet 256 is greater than 255"],
  ["1..2.3", "ERR_ADDR_SYNTAX", 2, "empty IPv4 octet"],
  ["1.2.3.", "ERR_ADDR_SYNTAX", 6, "empty IPv4 octet"],
  ["", "ERR_ADDR_SYNTAX", 0, "empty address"],
  // whitespace anywhere, unicode digits, control characters
  [" 1.2.3.4", "ERR_ADDR_SYNTAX", 0, "unexpected space in IPv4 address"],
  ["1.2.3.4 ", "ERR_ADDR_SYNTAX", 7, "unexpected space in IPv4 address"],
  ["1.2.\t3.4", "ERR_ADDR_SYNTAX", 4, "unexpected control character U+0009 in IPv4 address"],
  ["1.2.3.\u0664", "ERR_ADDR_SYNTAX", 6, 'unexpected non-ASCII character "\u0664" in IPv4 address'],
  ["1.2.\uff13.4", "ERR_ADDR_SYNTAX", 4, 'unexpected non-ASCII character "\uff13" in IPv4 address'],
  ["::1 ", "ERR_ADDR_SYNTAX", 3, "unexpected space in IPv6 group"],
  ["\n::1", "ERR_ADDR_SYNTAX", 0, "unexpected control character U+000A in IPv6 group"],
  // zones on IPv4, bad zones
  ["1.2.3.4%eth0", "ERR_ZONE", 7, "zones are only allowed on IPv6 addresses"],
  ["fe80::1%", "ERR_ZONE", 7, "empty zone after %"],
  ["fe80::1%eth 0", "ERR_ZONE", 11, "space is not allowed in a zone"],
  ["fe80::1%\u00e9", "ERR_ZONE", 8, 'non-ASCII character "\u00e9" is not allowed in a zone'],
  ["fe80::1%a%b", "ERR_ZONE", 9, 'character "%" is not allowed in a zone'],
  // zone length: an interface name has at most 15 characters (IFNAMSIZ 16), a scope id is 32 bits
  ["fe80::1%abcdefghijklmnop", "ERR_ZONE", 23, "zone is longer than 15 characters"],
  [`fe80::1%${"z".repeat(300)}`, "ERR_ZONE", 23, "zone is longer than 15 characters"],
  ["fe80::1%4294967296", "ERR_ZONE", 8, "numeric zone (scope id) is larger than 4294967295"],
  ["fe80::1%00000000004294967296", "ERR_ZONE", 23, "zone is longer than 15 characters"],
  ["%eth0", "ERR_ADDR_SYNTAX", 0, "empty address"],
  // IPv6: empty groups, ":::", group counts
  [":::", "ERR_ADDR_SYNTAX", 0, "::: is not valid"],
  ["1:::2", "ERR_ADDR_SYNTAX", 1, "::: is not valid"],
  ["1::2::3", "ERR_ADDR_SYNTAX", 4, "at most one :: is allowed"],
  [":1:2:3:4:5:6:7", "ERR_ADDR_SYNTAX", 0, "a leading : must be part of ::"],
  ["1:2:3:4:5:6:7:", "ERR_ADDR_SYNTAX", 13, "a trailing : must be part of ::"],
  [":1::2", "ERR_ADDR_SYNTAX", 0, "a leading : must be part of ::"],
  ["1::2:", "ERR_ADDR_SYNTAX", 4, "a trailing : must be part of ::"],
  ["1:2:3:4:5:6:7", "ERR_ADDR_SYNTAX", 13, "IPv6 address needs 8 groups without ::, got 7"],
  ["1:2:3:4:5:6:7:8:9", "ERR_ADDR_SYNTAX", 16, "IPv6 address needs 8 groups without ::, got 9"],
  ["1:2:3:4:5:6:7:8:9:10", "ERR_ADDR_SYNTAX", 18, "IPv6 address has more than 8 groups"],
  ["1:2:3:4:5:6:7:8:9:10:11", "ERR_ADDR_SYNTAX", 20, "IPv6 address has more than 8 colons"],
  ["1:2:3:4:5::6:7:8", "ERR_ADDR_SYNTAX", 9, "IPv6 address has more than 7 groups with ::"],
  ["1:2:3:4:5:6:7:1.2.3.4", "ERR_ADDR_SYNTAX", 14, "IPv6 address needs 8 groups without ::, got 9"],
  ["1:2", "ERR_ADDR_SYNTAX", 3, "IPv6 address needs at least 2 colons"],
  ["12345::", "ERR_ADDR_SYNTAX", 0, "IPv6 group has more than 4 hex digits"],
  ["::g", "ERR_ADDR_SYNTAX", 2, 'unexpected character "g" in IPv6 group'],
  ["[::1]", "ERR_ADDR_SYNTAX", 0, 'unexpected character "[" in IPv6 group'],
  // IPv4 tails
  ["::1.2.3.04", "ERR_ADDR_SYNTAX", 8, "IPv4 octet has a leading zero"],
  ["::ffff:1.2.3", "ERR_ADDR_SYNTAX", 12, "IPv4 address needs 4 octets, got 3"],
  ["::1.2.3.4:5", "ERR_ADDR_SYNTAX", 3, 'unexpected character "." in IPv6 group'],
  // prefixes and masks
  ["1.2.3.4/33", "ERR_PREFIX_LENGTH", 8, "prefix length 33 is greater than 32"],
  ["::1/129", "ERR_PREFIX_LENGTH", 4, "prefix length 129 is greater than 128"],
  ["1.2.3.4//24", "ERR_PREFIX_LENGTH", 8, "only one / is allowed"],
  ["1.2.3.4/", "ERR_PREFIX_LENGTH", 8, "missing prefix length after /"],
  ["::1/ffff::", "ERR_PREFIX_LENGTH", 4, "IPv6 prefix length must be a decimal number 0–128"],
  ["::1/64 ", "ERR_PREFIX_LENGTH", 6, "IPv6 prefix length must be a decimal number 0–128"],
  ["fe80::1%eth0/+64", "ERR_PREFIX_LENGTH", 13, "IPv6 prefix length must be a decimal number 0–128"],
  ["1.2.3.4/255.0.255.0", "ERR_NETMASK", 8, "netmask 255.0.255.0 mixes zero and one bits (not contiguous)"],
  ["1.2.3.4/0.255.0.255", "ERR_NETMASK", 8, "netmask 0.255.0.255 mixes zero and one bits (not contiguous)"],
  [
    "1.2.3.4/24 ",
    "ERR_NETMASK",
    10,
    "not a prefix length or a dotted netmask (unexpected space in IPv4 address)",
  ],
  [
    "1.2.3.4/-1",
    "ERR_NETMASK",
    8,
    'not a prefix length or a dotted netmask (unexpected character "-" in IPv4 address)',
  ],
  [
    "1.2.3.4/\uff13\uff12",
    "ERR_NETMASK",
    8,
    'not a prefix length or a dotted netmask (unexpected non-ASCII character "\uff13" in IPv4 address)',
  ],
  [
    "1.2.3.4/255.255.255.000",
    "ERR_NETMASK",
    20,
    "not a prefix length or a dotted netmask (IPv4 octet has a leading zero)",
  ],
];

describe("strict parsing: precise errors", () => {
  for (const [input, code, at, reason] of REJECTED) {
    it(`rejects ${JSON.stringify(input)}: ${reason}`, () => {
      assert.throws(
        () => parseInterface(input),
        (e: unknown) => {
          assert.ok(e instanceof ParseError, `not a ParseError: ${String(e)}`);
          assert.deepEqual(
            { code: e.code, input: e.input, at: e.at, reason: e.reason },
            { code, input, at, reason },
          );
          assert.ok(e.message.includes(JSON.stringify(input)), e.message);
          return true;
        },
      );
    });
  }
});

/** [input, canonical text (RFC 5952 / dotted quad), exploded text]. */
const ACCEPTED: [string, string, string][] = [
  ["0.0.0.0", "0.0.0.0", "0.0.0.0"],
  ["255.255.255.255", "255.255.255.255", "255.255.255.255"],
  ["192.168.1.100", "192.168.1.100", "192.168.1.100"],
  ["::", "::", "0000:0000:0000:0000:0000:0000:0000:0000"],
  ["0:0:0:0:0:0:0:0", "::", "0000:0000:0000:0000:0000:0000:0000:0000"],
  ["::1", "::1", "0000:0000:0000:0000:0000:0000:0000:0001"],
  ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
  // RFC 5952 §4.2.3: the first of equally long zero runs is shortened.
  ["1:0:0:2:0:0:3:4", "1::2:0:0:3:4", "0001:0000:0000:0002:0000:0000:0003:0004"],
  ["1:0:0:2:0:0:0:3", "1:0:0:2::3", "0001:0000:0000:0002:0000:0000:0000:0003"],
  // RFC 5952 §4.2.2: a single zero group is not shortened.
  ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", "0001:0002:0003:0004:0005:0006:0007:0000"],
  ["::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8", "0000:0002:0003:0004:0005:0006:0007:0008"],
  // IPv4-mapped keeps a dotted tail (RFC 5952 §5); IPv4-compatible does not (deprecated).
  ["::ffff:c000:0201", "::ffff:192.0.2.1", "0000:0000:0000:0000:0000:ffff:192.0.2.1"],
  ["0:0:0:0:0:FFFF:192.0.2.1", "::ffff:192.0.2.1", "0000:0000:0000:0000:0000:ffff:192.0.2.1"],
  ["::1.2.3.4", "::102:304", "0000:0000:0000:0000:0000:0000:0102:0304"],
  ["64:ff9b::192.0.2.33", "64:ff9b::c000:221", "0064:ff9b:0000:0000:0000:0000:c000:0221"],
  ["fe80::1%eth0", "fe80::1%eth0", "fe80:0000:0000:0000:0000:0000:0000:0001"],
  ["fe80::1%a:b", "fe80::1%a:b", "fe80:0000:0000:0000:0000:0000:0000:0001"],
  ["fe80::1%abcdefghijklmno", "fe80::1%abcdefghijklmno", "fe80:0000:0000:0000:0000:0000:0000:0001"],
  ["fe80::1%4294967295", "fe80::1%4294967295", "fe80:0000:0000:0000:0000:0000:0000:0001"],
];

describe("accepted forms round-trip", () => {
  for (const [input, text, exploded] of ACCEPTED) {
    it(`${JSON.stringify(input)} → ${text}`, () => {
      const a = parseAddr(input);
      assert.equal(a.toString(), text);
      assert.equal(a.toExploded(), exploded);
      assert.ok(parseAddr(a.toString()).equals(a), "parse(toString) equals");
      assert.ok(parseAddr(a.toExploded()).equals(a.withoutZone()), "parse(toExploded) equals");
      for (const bits of a.version === 4 ? [0, 24, 31, 32] : [0, 64, 127, 128]) {
        const p = parseInterface(`${input}/${bits}`).prefix;
        assert.ok(parseInterface(p.toString()).prefix.equals(p), `prefix /${bits} round-trips`);
      }
    });
  }

  it("IPv4 masks: netmask and hostmask give the same prefix; CPython-style leading zeros in lengths", () => {
    const cases: [string, string, string][] = [
      ["10.1.2.3/255.255.0.0", "10.1.2.3/16", "netmask"],
      ["10.1.2.3/0.0.255.255", "10.1.2.3/16", "hostmask"],
      ["10.1.2.3/0.0.0.0", "10.1.2.3/0", "netmask"],
      ["10.1.2.3/255.255.255.255", "10.1.2.3/32", "netmask"],
      ["10.1.2.3/024", "10.1.2.3/24", "length"],
      ["10.1.2.3", "10.1.2.3/32", "none"],
    ];
    for (const [input, text, form] of cases) {
      const r = parseInterface(input);
      assert.equal(r.prefix.toString(), text, input);
      assert.equal(r.maskForm, form, input);
    }
  });
});
