#!/usr/bin/env node
/** The executable: wires the real process to {@link runMain}. */
import type { CliIo } from "./io.js";
import { runMain } from "./main.js";

const io: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};
// A closed pipe (`netkit ip - | head`) ends the output quietly, as with other Unix tools.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
process.exitCode = await runMain(process.argv.slice(2), io);
