// Entry point of the sextant executable (see bin/sextant.js). Parses the command line; with no subcommand it
// prints the help. A usage error (unknown flag, bad value) exits with code 2 and says what to fix.

import { ExitCode } from "@sextant/common";
import { installFastHasher } from "@sextant/consensus/hasher";
import { type Command, CommanderError } from "commander";
import { buildProgram } from "./program.ts";

// Once per process, before any hashing: the native hashtree merkle hasher (falls back to as-sha256 with a reason).
const hasher = await installFastHasher();
if (!hasher.fast) console.error(`warning: native hashtree hasher unavailable (${hasher.reason}); using ${hasher.name}`);

const program = buildProgram();
// Every command (subcommands too: commander does not pass exitOverride down to added commands) throws instead of
// exiting, so that usage errors exit with code 2 below.
const overrideExits = (cmd: Command): void => {
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExits(sub);
};
overrideExits(program);
program.action(() => {
  program.outputHelp();
});
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed the message (or the help/version text). Its own usage errors carry exit code 1;
    // a command that chose another code (transition's 5 for an invalid block) keeps it.
    process.exit(err.exitCode === 0 ? ExitCode.OK : err.exitCode === 1 ? ExitCode.USAGE : err.exitCode);
  }
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(ExitCode.CRASH);
}
