// `sextant validator slashing-protection import|export`: moves a validator's signing history between clients in
// the EIP-3076 interchange format (v5). Bad input (missing or unreadable file, not JSON, not an interchange, another
// chain's genesis_validators_root, no database) gets a message that says what to fix and exit code 2, and changes
// nothing. The export is written durably: temporary file, fsync, rename, fsync of the directory.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ExitCode } from "@sextant/common/process";
import { Command, CommanderError } from "commander";
import { SlashingProtection } from "../slashing-protection/database.ts";
import { SlashingProtectionError } from "../slashing-protection/errors.ts";
import { parseInterchange } from "../slashing-protection/interchange.ts";
import { toRoot } from "../slashing-protection/types.ts";

/** Conflicts listed one by one after an import; the rest are counted. */
const CONFLICTS_SHOWN = 10;

const ABOUT = `
The history is the EIP-3076 interchange format, version 5 (https://eips.ethereum.org/EIPS/eip-3076), which every
Ethereum validator client reads and writes. Import it BEFORE the first start of Sextant with keys that signed
elsewhere; export it AFTER stopping Sextant when moving keys to another client. Never run the same keys in two
places at once: no database can protect against that.

Exit codes: 0 done, 2 bad input (nothing was changed), 1 unexpected failure.`;

/**
 * The `slashing-protection` command with its `import` and `export` subcommands, to be mounted under
 * `sextant validator`. Errors and --help do not call process.exit: the commands are set up with commander's
 * exitOverride, so `parseAsync` rejects with a CommanderError whose exitCode is 0 (help), or 2 (bad input or
 * usage) for the caller to exit with; unexpected failures reject with the error itself.
 */
export function slashingProtectionCommand(): Command {
  const cmd = new Command("slashing-protection")
    .description("Import or export the slashing protection history (EIP-3076 interchange v5)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(ExitCode.USAGE, err.code, err.message);
    })
    .addHelpText("after", ABOUT);

  cmd
    .command("import")
    .summary("merge an interchange file into the database of a data directory")
    .description(
      "Merge an interchange file into the slashing protection database of a data directory (created if missing). " +
        "All or nothing: a file with any error changes nothing. Records that conflict with the history (the keys " +
        "signed elsewhere too) are kept, which only makes signing stricter, and are reported.",
    )
    .requiredOption("--file <path>", "the interchange JSON file to import")
    .requiredOption("--data-dir <dir>", "the validator client's data directory (holds slashing-protection.sqlite)")
    .requiredOption(
      "--genesis-validators-root <root>",
      "0x-prefixed root of the chain the keys validate on (mainnet: 0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95); the file and the database must match it",
    )
    .addHelpText(
      "after",
      "\nExample:\n  sextant validator slashing-protection import --file history.json --data-dir ~/.sextant/validator \\\n    --genesis-validators-root 0x4b36…fe95",
    )
    .action(function (this: Command, opts: { file: string; dataDir: string; genesisValidatorsRoot: string }) {
      runImport(this, opts);
    });

  cmd
    .command("export")
    .summary("write the history of a data directory's database to an interchange file")
    .description(
      "Write the complete signing history (every recorded block and attestation) of the database in a data " +
        "directory to an interchange file. Stop the validator client first, so that nothing is signed after it.",
    )
    .requiredOption("--file <path>", "where to write the interchange JSON (replaced atomically if it exists)")
    .requiredOption("--data-dir <dir>", "the validator client's data directory (holds slashing-protection.sqlite)")
    .option("--genesis-validators-root <root>", "refuse unless the database belongs to this chain")
    .option(
      "--pubkeys <pubkeys...>",
      "only these validators (0x-prefixed, space- or comma-separated); default: every validator in the database",
    )
    .addHelpText(
      "after",
      "\nExample:\n  sextant validator slashing-protection export --file history.json --data-dir ~/.sextant/validator",
    )
    .action(function (
      this: Command,
      opts: { file: string; dataDir: string; genesisValidatorsRoot?: string; pubkeys?: string[] },
    ) {
      runExport(this, opts);
    });
  return cmd;
}

function runImport(cmd: Command, opts: { file: string; dataDir: string; genesisValidatorsRoot: string }): void {
  const root = parseRootOption(cmd, opts.genesisValidatorsRoot);
  const text = readInput(cmd, opts.file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    fail(cmd, `${opts.file} is not JSON (${(err as Error).message}); nothing was imported`);
  }
  // Validate the whole file before the database is opened (or created).
  const parsed = guard(cmd, () => parseInterchange(doc), `${opts.file}: `, "; nothing was imported");
  const fileRoot = Buffer.from(parsed.genesisValidatorsRoot).toString("hex");
  if (fileRoot !== Buffer.from(root).toString("hex")) {
    fail(
      cmd,
      `${opts.file} is for another chain: its genesis_validators_root is 0x${fileRoot}, not ${opts.genesisValidatorsRoot}; nothing was imported`,
    );
  }
  const sp = guard(cmd, () => SlashingProtection.open(opts.dataDir, { genesisValidatorsRoot: root }), "", "");
  try {
    const s = guard(cmd, () => sp.importInterchange(doc), `${opts.file}: `, "; nothing was imported");
    out(
      cmd,
      `Imported slashing protection for ${s.validators} validator(s) into ${sp.path}: ${s.blocksImported} block(s) and ` +
        `${s.attestationsImported} attestation(s) added, ${s.duplicatesSkipped} already recorded.\n`,
    );
    if (s.conflictCount > 0) {
      const err = cmd.configureOutput().writeErr!;
      err(
        `warning: ${s.conflictCount} imported record(s) conflict with the history or with each other (the keys signed in ` +
          "two places?). They were recorded: Sextant will refuse anything slashable against them.\n",
      );
      for (const c of s.conflicts.slice(0, CONFLICTS_SHOWN))
        err(`  ${c.pubkey} ${c.code} ${JSON.stringify(c.block ?? c.attestation)}\n`);
      if (s.conflictCount > CONFLICTS_SHOWN) err(`  … and ${s.conflictCount - CONFLICTS_SHOWN} more\n`);
    }
  } finally {
    sp.close();
  }
}

function runExport(
  cmd: Command,
  opts: { file: string; dataDir: string; genesisValidatorsRoot?: string; pubkeys?: string[] },
): void {
  const root = opts.genesisValidatorsRoot === undefined ? undefined : parseRootOption(cmd, opts.genesisValidatorsRoot);
  const pubkeys = opts.pubkeys?.flatMap((p) => p.split(",")).filter((p) => p.length > 0);
  const sp = guard(cmd, () => SlashingProtection.open(opts.dataDir, { genesisValidatorsRoot: root }), "", "");
  try {
    const doc = guard(cmd, () => sp.exportInterchange(pubkeys), "", "");
    const blocks = doc.data.reduce((n, d) => n + d.signed_blocks.length, 0);
    const attestations = doc.data.reduce((n, d) => n + d.signed_attestations.length, 0);
    try {
      writeFileDurably(opts.file, `${JSON.stringify(doc, null, 2)}\n`);
    } catch (err) {
      fail(cmd, `cannot write ${opts.file}: ${(err as Error).message}`);
    }
    out(
      cmd,
      `Exported the slashing protection history of ${doc.data.length} validator(s) (${blocks} block(s), ` +
        `${attestations} attestation(s)) to ${opts.file}.\n`,
    );
  } finally {
    sp.close();
  }
}

/**
 * Writes `path` so that a crash leaves either the old file or the complete new one: a temporary file in the same
 * directory, fsync, rename over `path`, fsync of the directory (so the rename itself is on disk).
 */
export function writeFileDurably(path: string, data: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

function parseRootOption(cmd: Command, value: string): Uint8Array {
  return guard(cmd, () => toRoot(value, "--genesis-validators-root"), "", " (expected 0x followed by 64 hex digits)");
}

function readInput(cmd: Command, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (err as Error).message;
    fail(cmd, `cannot read ${file}: ${why}`);
  }
}

/** Runs `fn`; a SlashingProtectionError (bad input, wrong chain, busy database…) becomes a usage error (exit 2). */
function guard<T>(cmd: Command, fn: () => T, prefix: string, suffix: string): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof SlashingProtectionError)) throw err;
    const hint =
      err.code === "DATABASE_BUSY"
        ? " (is the validator client running? stop it first)"
        : err.code === "DATABASE_NOT_FOUND"
          ? " (check --data-dir)"
          : "";
    fail(cmd, `${prefix}${err.message}${hint}${suffix}`);
  }
}

/** Reports bad input and ends the command with exit code 2 (as commander's own usage errors do). */
function fail(cmd: Command, message: string): never {
  cmd.configureOutput().writeErr!(`error: ${message}\n`);
  throw new CommanderError(ExitCode.USAGE, "sextant.slashingProtection.badInput", message);
}

function out(cmd: Command, text: string): void {
  cmd.configureOutput().writeOut!(text);
}
