/**
 * Differential test: analyze() against CPython 3.13's ipaddress (test/ip/oracle.py) over
 * ≥ 10,000 generated inputs. One Python process answers the whole batch. Documented deviations
 * (docs/ip.md, "Correctness and differences from CPython") are asserted explicitly.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ParseError } from "../../src/errors.js";
import { type AddressInfo, analyze } from "../../src/ip/analyze.js";
import { generateInputs } from "./gen_inputs.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ORACLE = `${ROOT}test/ip/oracle.py`;
// CI runs the fixed seed; NETKIT_DIFF_SEED / NETKIT_DIFF_COUNT run a longer local fuzz.
const COUNT = Number(process.env.NETKIT_DIFF_COUNT ?? 12_000);
const SEED = Number(process.env.NETKIT_DIFF_SEED ?? 0x5eed1);

type PyRecord = Record<string, unknown> & { error?: string; mappedFlags?: Record<string, boolean> };

function findPython(): string | null {
  try {
    return (
      execFileSync("bash", [`${ROOT}test/helpers/find_python313.sh`], { encoding: "utf8" }).trim() || null
    );
  } catch {
    // find_python313.sh exits 1 when no CPython 3.13 is installed: the test skips with that reason.
    return null;
  }
}

/** Fields compared one to one (the zone is stripped from the four network-side fields). */
const FIELDS = [
  "version",
  "address",
  "compressed",
  "exploded",
  "zone",
  "prefixLength",
  "netmask",
  "hostmask",
  "network",
  "networkAddress",
  "broadcastAddress",
  "lastAddress",
  "firstHost",
  "lastHost",
  "addressCount",
  "hostCount",
  "class",
  "isPrivate",
  "isGlobal",
  "isLoopback",
  "isMulticast",
  "isLinkLocal",
  "isReserved",
  "isUnspecified",
  "isSiteLocal",
  "ipv4Mapped",
  "sixToFour",
  "teredo",
  "reversePointer",
] as const;
const ZONE_STRIPPED = new Set(["network", "networkAddress", "firstHost", "lastHost"]);

/** CPython keeps a zone on some network-side values (see docs/ip.md); netkit never does. */
function stripZone(v: unknown): unknown {
  return typeof v === "string" ? v.replace(/%[^/]*/, "") : v;
}

/**
 * Zones netkit refuses on purpose: anything but printable ASCII other than space, "%" and "/";
 * longer than 15 characters; all digits above 4294967295.
 */
function hasForbiddenZoneChar(input: string): boolean {
  const slash = input.indexOf("/");
  const text = slash < 0 ? input : input.slice(0, slash);
  const pct = text.indexOf("%");
  if (pct < 0 || !text.includes(":")) return false;
  const zone = text.slice(pct + 1);
  // Beyond the characters: at most 15 of them, and an all-digit zone is a 32-bit scope id.
  if (zone.length > 15 || (/^[0-9]+$/.test(zone) && Number(zone) > 0xffffffff)) return true;
  return /[^\x21-\x7e]/.test(zone);
}

/** True when the IPv6 text's value lies in 3fff::/20 (RFC 9637 documentation prefix). */
function in3fff(info: AddressInfo): boolean {
  return info.version === 6 && info.exploded.startsWith("3fff:0");
}

/** What netkit must answer for `field`, given CPython's record (documented deviations applied). */
function expected(field: string, py: PyRecord, ours: AddressInfo): unknown {
  const v = py[field];
  if (ZONE_STRIPPED.has(field)) return stripZone(v);
  // RFC 6598 / RFC 6890: 100.64.0.0/10 is not globally reachable; CPython 3.13.0 says is_global
  // for ::ffff:100.64.x.x although its docs promise is_global == ipv4_mapped.is_global.
  if (field === "isGlobal" && py.mappedFlags) return py.mappedFlags.isGlobal;
  // RFC 9637 §6: 3fff::/20 is documentation space, not globally reachable (CPython 3.13.0 predates it).
  if (in3fff(ours) && (field === "isPrivate" || field === "isGlobal")) return field === "isPrivate";
  return v;
}

describe("analyze() agrees with CPython 3.13 ipaddress", () => {
  it(`over ${COUNT} generated inputs`, { timeout: 600_000 }, (t) => {
    const python = findPython();
    if (python === null) {
      t.skip("no CPython 3.13 found (test/helpers/find_python313.sh; set NETKIT_PYTHON313)");
      return;
    }
    const inputs = generateInputs(SEED, COUNT);
    assert.ok(inputs.length >= 10_000, `only ${inputs.length} inputs`);
    const run = spawnSync(python, [ORACLE], {
      input: `${inputs.map((s) => JSON.stringify(s)).join("\n")}\n`,
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      timeout: 100_000,
    });
    assert.equal(run.status, 0, `oracle failed: ${run.error ?? ""} ${run.stderr}`);
    const lines = run.stdout.trimEnd().split("\n");
    const header = JSON.parse(lines[0]!) as { python: string };
    assert.match(header.python, /^3\.13\./);
    const records = lines.slice(1).map((l) => JSON.parse(l) as PyRecord);
    assert.equal(records.length, inputs.length, "one oracle record per input");

    const mismatches: string[] = [];
    let accepted = 0;
    let rejected = 0;
    let zoneDeviations = 0;
    const show = (x: unknown) => JSON.stringify(x);
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      const py = records[i]!;
      let ours: AddressInfo | null = null;
      let err: unknown = null;
      try {
        ours = analyze(input);
      } catch (e) {
        err = e;
      }
      if (err !== null && !(err instanceof ParseError)) {
        mismatches.push(`${show(input)}: threw a non-ParseError ${String(err)}`);
        continue;
      }
      if (py.error !== undefined) {
        rejected++;
        if (ours !== null) mismatches.push(`${show(input)}: netkit accepts, Python rejects (${py.error})`);
        continue;
      }
      accepted++;
      if (ours === null) {
        const pe = err as ParseError;
        if (hasForbiddenZoneChar(input) && pe.code === "ERR_ZONE") {
          zoneDeviations++;
          continue;
        }
        mismatches.push(`${show(input)}: netkit rejects (${pe.code}: ${pe.reason}), Python accepts`);
        continue;
      }
      if (hasForbiddenZoneChar(input)) {
        mismatches.push(`${show(input)}: netkit accepts a zone it documents as forbidden`);
      }
      for (const f of FIELDS) {
        const want = expected(f, py, ours);
        const got = (ours as unknown as Record<string, unknown>)[f];
        if (show(got) !== show(want)) {
          const note = show(want) === show(py[f]) ? "" : ` (documented deviation: must be ${show(want)})`;
          mismatches.push(`${show(input)}: ${f}: netkit ${show(got)}, Python ${show(py[f])}${note}`);
        }
      }
    }
    assert.deepEqual(
      mismatches.slice(0, 40),
      [],
      `${mismatches.length} mismatches (first 40 shown) over ${inputs.length} inputs`,
    );
    // The generator must really exercise both sides (and the zone deviation).
    assert.ok(accepted > 5000, `accepted ${accepted}`);
    assert.ok(rejected > 2500, `rejected ${rejected}`);
    assert.ok(zoneDeviations > 20, `zone deviations ${zoneDeviations}`);
    t.diagnostic(
      `${inputs.length} inputs: ${accepted} accepted, ${rejected} rejected, ${zoneDeviations} zone deviations`,
    );
  });
});
