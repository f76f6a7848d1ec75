// The validator client's commands, mounted by the sextant executable as `sextant validator …`.
import { Command } from "commander";
import { importCommand } from "./import.ts";
import { addRunOptions } from "./run.ts";
import { slashingProtectionCommand } from "./slashingProtection.ts";

/**
 * `sextant validator`: runs the validator client (`sextant validator --beacon-nodes URL[,URL…]`), and holds its
 * tools as subcommands: `import` (launchpad keys) and `slashing-protection import|export` (EIP-3076).
 */
export function validatorCommand(): Command {
  const cmd = new Command("validator")
    .description(
      "The validator client: runs against any standard beacon node (flags below); subcommands import launchpad keys " +
        "and move slashing-protection history",
    )
    .enablePositionalOptions()
    .addCommand(importCommand())
    .addCommand(slashingProtectionCommand());
  return addRunOptions(cmd);
}
