// `--slashing-protection FILE`: an EIP-3076 interchange imported with the keys, through the slashing-protection
// module (validator/src/slashing-protection). In two steps, so the import keeps its rule of checking everything
// before writing anything: prepare() reads and validates the file (and, for networks whose genesis validators
// root is fixed, checks the chain) before any key is decrypted; the returned apply() runs under the data-directory
// lock, before the keys are put in place — a key must never be usable without the history that came with it.
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { basename } from "node:path";
import { isSextantError } from "@sextant/common";
import { type ChainConfigName, KNOWN_GENESIS_VALIDATORS_ROOTS } from "@sextant/consensus/params/index";
import type { DataDirLayout } from "../../dataDir/layout.ts";
import { SlashingProtection } from "../../slashing-protection/database.ts";
import { parseInterchange } from "../../slashing-protection/interchange.ts";
import { KeystoreError } from "../errors.ts";
import { ioReason } from "../keystoreFile.ts";

/** Imports a prepared interchange into the data directory; returns a one-line summary. */
export type ApplyInterchange = (layout: DataDirLayout) => Promise<string>;

/** Reads and validates an interchange file for `network`; throws a SextantError naming the file when it is bad. */
export type SlashingProtectionImporter = (file: string, network: ChainConfigName) => Promise<ApplyInterchange>;

// genesis_validators_root of the public networks lives with the chain configs; dev and minimal interchanges are bound
// to whatever root they carry.
export { KNOWN_GENESIS_VALIDATORS_ROOTS };

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** The EIP-3076 importer backed by the slashing-protection module. */
export const importInterchangeFile: SlashingProtectionImporter = async (file, network) => {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new KeystoreError(
      "FILE_UNREADABLE",
      `cannot read ${file} (${ioReason(e)}); check the --slashing-protection path`,
      { file },
      { cause: e },
    );
  }
  let root: Uint8Array;
  try {
    root = parseInterchange(text).genesisValidatorsRoot;
  } catch (e) {
    if (!isSextantError(e)) throw e;
    throw new KeystoreError(
      "INVALID_INTERCHANGE",
      `${file} is not a valid EIP-3076 slashing-protection interchange (${e.message}); export it again from the client that ran these keys`,
      { file },
      { cause: e },
    );
  }
  const expected = KNOWN_GENESIS_VALIDATORS_ROOTS[network];
  if (expected !== undefined && hex(root) !== expected)
    throw new KeystoreError(
      "INVALID_INTERCHANGE",
      `${file} is slashing protection for another chain (genesis_validators_root 0x${hex(root)}), not ${network} ` +
        `(0x${expected}); use the interchange exported from the ${network} client that ran these keys`,
      { file, network },
    );
  return async (layout) => {
    const dbPath = layout.slashingProtectionDb;
    const existed = existsSync(dbPath);
    let sp: SlashingProtection | null = null;
    try {
      sp = SlashingProtection.open(layout.root, { genesisValidatorsRoot: root, fileName: basename(dbPath) });
      const s = sp.importInterchange(text);
      return (
        `Imported slashing protection for ${s.validators} validator(s): ${s.blocksImported} blocks, ` +
        `${s.attestationsImported} attestations` +
        (s.conflictCount > 0
          ? ` (${s.conflictCount} slashable record(s) in the history: were these keys run twice?)`
          : "")
      );
    } catch (e) {
      if (!existed) {
        sp?.close();
        sp = null;
        // All or nothing: a database this import created is removed again.
        for (const suffix of ["", "-wal", "-shm", "-journal"]) await rm(`${dbPath}${suffix}`, { force: true });
      }
      if (isSextantError(e) && !(e instanceof KeystoreError))
        throw new KeystoreError("INVALID_INTERCHANGE", `${file}: ${e.message}`, { file }, { cause: e });
      throw e;
    } finally {
      sp?.close();
    }
  };
};
