/**
 * The test-host helper itself: the hosts exist, reach each other through the router as designed,
 * and are gone afterwards.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { ADDR, liveNamespaces, withTestNet } from "../helpers/netns.js";

function namespaces(): string {
  return execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
}

describe("test hosts in network namespaces", { timeout: 60_000 }, () => {
  it("builds the topology, routes through r, and removes everything", async (t) => {
    let names: string[] = [];
    await withTestNet(t, async (net) => {
      names = Object.values(net.ns);
      const listed = namespaces();
      for (const n of names) assert.match(listed, new RegExp(`^${n}\\b`, "m"));
      // a's only v4 default route goes via the router.
      const routes = JSON.parse(await net.run("a", ["ip", "-j", "route"])) as {
        dst: string;
        gateway?: string;
      }[];
      assert.deepEqual(
        routes.find((r) => r.dst === "default"),
        { dst: "default", gateway: ADDR.r1.v4, dev: "eth0", flags: [] },
      );
      // The router forwards: the kernel in a picks eth0 via r for b's address.
      const get = JSON.parse(await net.run("a", ["ip", "-j", "route", "get", ADDR.b.v4])) as {
        gateway: string;
      }[];
      assert.equal(get[0]!.gateway, ADDR.r1.v4);
      // c has no route off its segment.
      const noRoute = await net.exec("c", ["ip", "route", "get", ADDR.b.v4]);
      assert.notEqual(noRoute.code, 0);
      assert.match(noRoute.stderr, /unreachable/i);
      assert.equal(await net.run("r", ["sysctl", "-n", "net.ipv4.ip_forward"]), "1\n");
    });
    if (names.length === 0) return; // skipped: reason printed by withTestNet
    const after = namespaces();
    for (const n of names) assert.doesNotMatch(after, new RegExp(`^${n}\\b`, "m"));
    assert.deepEqual(liveNamespaces(), []);
  });

  it("removes the hosts when the test body throws", async (t) => {
    let names: string[] = [];
    await assert
      .rejects(
        withTestNet(t, async (net) => {
          names = Object.values(net.ns);
          throw new Error("boom");
        }),
        /boom/,
      )
      .catch((e: unknown) => {
        // withTestNet skipped instead of running: nothing was created, so nothing to check.
        if (names.length > 0) throw e;
      });
    const after = namespaces();
    for (const n of names) assert.doesNotMatch(after, new RegExp(`^${n}\\b`, "m"));
  });
});
