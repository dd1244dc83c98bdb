/**
 * Running a test step as the unprivileged user `nobody` (uid/gid 65534), from root. The built
 * files must be readable by that user: a checkout under a private directory (e.g. /root) is
 * not, and then the caller skips with the reason returned here.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** null when `nobody` can run node on our dist files, else the reason it cannot. */
export function nobodyCannotRun(): string | null {
  if (process.getuid?.() !== 0) return "needs root to run a step as another user";
  const file = fileURLToPath(new URL("../../src/ports/owners.js", import.meta.url));
  const r = spawnSync(process.execPath, ["-e", `require("node:fs").accessSync(${JSON.stringify(file)})`], {
    uid: 65534,
    gid: 65534,
    encoding: "utf8",
    timeout: 10_000,
  });
  return r.status === 0 ? null : `user nobody cannot read ${file} (checkout in a private directory)`;
}
