// `sextant validator import`: launchpad / staking-deposit-cli keys into the validator client's data directory in
// one command. The lead mounts importCommand() under `validator`. Bad input exits with code 2 and a message that
// names the file and the fix; the data directory is then exactly as it was.
import { isSextantError } from "@sextant/common";
import { CHAIN_CONFIG_NAMES, type ChainConfigName } from "@sextant/consensus/params/index";
import { Command, InvalidArgumentError, Option } from "commander";
import { defaultDataDir } from "../dataDir/layout.ts";
import { type ImportIo, runImport } from "../keystores/import/run.ts";
import type { SlashingProtectionImporter } from "../keystores/import/slashingProtection.ts";
import { formatImportSummary } from "../keystores/import/summary.ts";

/** Exit code of bad input (matches ExitCode.USAGE of @sextant/common). */
const EXIT_BAD_INPUT = 2;

interface ImportFlags {
  directory?: string;
  keystore: string[];
  passwordFile?: string;
  passwordsDir?: string;
  dataDir?: string;
  network: ChainConfigName;
  slashingProtection?: string;
  threads?: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Optional seams: other streams (tests) and the slashing-protection importer (default: the EIP-3076 module). */
export interface ImportCommandDeps {
  io?: Partial<ImportIo>;
  importSlashingProtection?: SlashingProtectionImporter;
}

/** The `import` command (commander), to mount as `sextant validator import`. */
export function importCommand(deps: ImportCommandDeps = {}): Command {
  const io: ImportIo = {
    stdout: deps.io?.stdout ?? process.stdout,
    stderr: deps.io?.stderr ?? process.stderr,
    stdin: deps.io?.stdin ?? process.stdin,
  };
  const cmd = new Command("import")
    .description(
      "Import validator keys made by the staking launchpad / staking-deposit-cli (EIP-2335 keystores) into the " +
        "validator client's data directory.\nEverything is checked before anything is written: passwords, the " +
        "deposit data against --network, duplicates, and that no validator client is using the data directory.",
    )
    .option(
      "--directory <dir>",
      "the validator_keys folder: keystore-m_12381_3600_<i>_0_0-<ts>.json + deposit_data-<ts>.json",
    )
    .option("--keystore <file>", "a keystore file to import (repeatable)", collect, [])
    .addOption(
      new Option("--password-file <file>", "a file holding the one password of every keystore").conflicts(
        "passwordsDir",
      ),
    )
    .addOption(
      new Option(
        "--passwords-dir <dir>",
        "a folder with one password file per key, named by its public key with or without 0x (0xa1b2… or a1b2…)",
      ).conflicts("passwordFile"),
    )
    .option("--data-dir <dir>", "the validator client's data directory (default: ~/.sextant/<network>/validator)")
    .addOption(
      new Option("--network <name>", "the network the keys are for")
        .choices([...CHAIN_CONFIG_NAMES])
        .default("mainnet"),
    )
    .option("--slashing-protection <file>", "an EIP-3076 interchange file to import with the keys")
    .option("--threads <n>", "decryption threads (default: one per core)", positiveInt)
    .addHelpText(
      "after",
      "\nWithout --password-file or --passwords-dir the password is asked on the terminal (hidden) and asked again\n" +
        "when wrong. Exit codes: 0 imported (or all skipped), 2 bad input — nothing was written.",
    )
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  cmd.action(async (flags: ImportFlags) => {
    try {
      const report = await runImport(
        {
          dataDir: flags.dataDir ?? defaultDataDir(flags.network),
          network: flags.network,
          directory: flags.directory,
          keystores: flags.keystore,
          passwordFile: flags.passwordFile,
          passwordsDir: flags.passwordsDir,
          slashingProtection: flags.slashingProtection,
          threads: flags.threads,
        },
        io,
        deps.importSlashingProtection,
      );
      if (report.failed.length > 0)
        cmd.error(formatImportSummary(report), { exitCode: EXIT_BAD_INPUT, code: "sextant.import.failed" });
      io.stdout.write(`${formatImportSummary(report)}\n`);
    } catch (e) {
      if (isSextantError(e))
        cmd.error(`error: ${e.message}`, { exitCode: EXIT_BAD_INPUT, code: `sextant.import.${e.code}` });
      throw e;
    }
  });
  return cmd;
}
