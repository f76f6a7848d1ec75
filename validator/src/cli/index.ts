// The validator client's commands, mounted by the sextant executable as `sextant validator …`.
import { Command } from "commander";
import { importCommand } from "./import.ts";
import { slashingProtectionCommand } from "./slashingProtection.ts";

/**
 * `sextant validator`: the validator client. Subcommands are added as they become real; running the client itself
 * (duties, signing) comes with its own issue.
 */
export function validatorCommand(): Command {
  return new Command("validator")
    .description(
      "Validator client tools: import launchpad keys, slashing protection (running the client itself is coming)",
    )
    .addCommand(importCommand())
    .addCommand(slashingProtectionCommand());
}
