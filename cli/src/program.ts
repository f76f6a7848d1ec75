import { LOG_LEVELS, type LogFormat, type LogLevel } from "@sextant/common";
import { validatorCommand } from "@sextant/validator/cli/index";
import { Command, Option } from "commander";
import { beaconCommand } from "./beacon.ts";
import { devCommand } from "./dev.ts";
import { transitionCommand } from "./transition.ts";

export const VERSION = "0.1.0";

/** Options every subcommand inherits. */
export interface GlobalOptions {
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/**
 * The `sextant` command tree: dev (a local devnet: node + validator client), beacon (the beacon node), validator
 * (the validator client and its import / slashing-protection tools), transition (replay blocks); each has --help.
 */
export function buildProgram(): Command {
  const program = new Command("sextant")
    .description(
      "Sextant: an Ethereum consensus client in TypeScript.\n" +
        "A beacon node and a validator client that speak only the standard Beacon REST API.",
    )
    .version(VERSION, "-V, --version", "print the version and exit")
    .addOption(
      new Option("--log-level <level>", "least severe log level to print")
        .choices(LOG_LEVELS as LogLevel[])
        .default("info")
        .env("SEXTANT_LOG_LEVEL"),
    )
    .addOption(
      new Option("--log-format <format>", "log format: auto = human-readable on a terminal, JSON lines otherwise")
        .choices(["auto", "json", "pretty"])
        .default("auto")
        .env("SEXTANT_LOG_FORMAT"),
    )
    .showHelpAfterError("(run with --help for usage)")
    // Options before a subcommand are the program's; after it, the subcommand's (so `validator` and its
    // `import` can both have --data-dir).
    .enablePositionalOptions()
    .addCommand(devCommand())
    .addCommand(beaconCommand())
    .addCommand(validatorCommand())
    .addCommand(transitionCommand())
    .addHelpText(
      "after",
      "\nStart a local devnet with `sextant dev` (what `npm start` runs); see README.md.\n" +
        "Environment: SEXTANT_LOG_LEVEL, SEXTANT_LOG_FORMAT override the defaults of the options above.",
    );
  return program;
}
