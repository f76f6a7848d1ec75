// The validator client's commands, mounted by the sextant executable as `sextant validator …`.
import { Command } from "commander";
import { slashingProtectionCommand } from "./slashingProtection.ts";

/**
 * `sextant validator`: the validator client. Subcommands are added as they become real; running the client itself
 * (duties, signing) comes with its own issue.
 */
export function validatorCommand(): Command {
  return new Command("validator")
    .description("Validator client tools: slashing protection (running the client itself is coming)")
    .addCommand(slashingProtectionCommand());
}
