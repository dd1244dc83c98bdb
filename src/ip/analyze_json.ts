/**
 * A fast JSON serializer for {@link AddressInfo}: the same text as `JSON.stringify(info)` (same
 * keys, same order), built directly because every value but the zone is known to need no escaping.
 * Used by the streaming batch (`netkit ip --json -`), where it is the hot path.
 */
import type { AddressInfo } from "./analyze.js";
import type { ClassInfo } from "./classify.js";

const classJson = new Map<ClassInfo, string>();
function classInfoJson(c: ClassInfo | null): string {
  if (c === null) return "null";
  let s = classJson.get(c);
  if (s === undefined) {
    s = JSON.stringify(c);
    classJson.set(c, s);
  }
  return s;
}

const q = (s: string | null): string => (s === null ? "null" : `"${s}"`);

/** `JSON.stringify(info)`, faster. */
export function addressInfoToJson(info: AddressInfo): string {
  const zoned = info.zone !== null;
  const address = zoned ? JSON.stringify(info.address) : `"${info.address}"`;
  const zone = zoned ? JSON.stringify(info.zone) : "null";
  const types = info.types.length === 0 ? "[]" : `["${info.types.join('","')}"]`;
  const teredo =
    info.teredo === null ? "null" : `{"server":"${info.teredo.server}","client":"${info.teredo.client}"}`;
  return (
    `{"version":${info.version},"address":${address},"compressed":"${info.compressed}","exploded":"${info.exploded}",` +
    `"zone":${zone},"prefixLength":${info.prefixLength},"maskForm":"${info.maskForm}","netmask":"${info.netmask}",` +
    `"hostmask":"${info.hostmask}","network":"${info.network}","networkAddress":"${info.networkAddress}",` +
    `"broadcastAddress":${q(info.broadcastAddress)},"lastAddress":"${info.lastAddress}","firstHost":"${info.firstHost}",` +
    `"lastHost":"${info.lastHost}","addressCount":"${info.addressCount}","hostCount":"${info.hostCount}",` +
    `"class":${q(info.class)},"classInfo":${classInfoJson(info.classInfo)},"types":${types},` +
    `"globallyReachable":${info.globallyReachable},"isPrivate":${info.isPrivate},"isGlobal":${info.isGlobal},` +
    `"isLoopback":${info.isLoopback},"isMulticast":${info.isMulticast},"isLinkLocal":${info.isLinkLocal},` +
    `"isReserved":${info.isReserved},"isUnspecified":${info.isUnspecified},"isSiteLocal":${info.isSiteLocal},` +
    `"ipv4Mapped":${q(info.ipv4Mapped)},"sixToFour":${q(info.sixToFour)},"teredo":${teredo},` +
    `"reversePointer":"${info.reversePointer}","binary":"${info.binary}"}`
  );
}
