// The folder the launchpad / staking-deposit-cli writes (`validator_keys/`): one keystore per validator,
// `keystore-m_12381_3600_<i>_0_0-<timestamp>.json`, and `deposit_data-<timestamp>.json` listing their deposits.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { KeystoreError } from "../errors.ts";
import { ioReason } from "../keystoreFile.ts";

/** Keystore files: the deposit CLI's `keystore-m_…json` (any `keystore*.json`, as other tools name them alike). */
const KEYSTORE_NAME_RE = /^keystore.*\.json$/i;
/** Deposit data files: `deposit_data-<timestamp>.json`. */
const DEPOSIT_DATA_NAME_RE = /^deposit_data.*\.json$/i;

/** What a launchpad folder holds, as absolute paths in a stable order. */
export interface LaunchpadFiles {
  keystores: string[];
  depositData: string[];
}

/** Natural order, so keystore …_2_0_0 comes before …_10_0_0. */
const byName = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/**
 * Lists the keystore and deposit data files of a launchpad folder (not recursive; other files are ignored).
 * Throws FILE_UNREADABLE when the folder cannot be read and NO_KEYSTORES when it holds no keystore.
 */
export async function scanLaunchpadDirectory(dir: string): Promise<LaunchpadFiles> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new KeystoreError(
      "FILE_UNREADABLE",
      `cannot read the directory ${dir} (${ioReason(e)}); pass the validator_keys folder the deposit CLI created`,
      { file: dir },
      { cause: e },
    );
  }
  names.sort(byName);
  const keystores = names.filter((n) => KEYSTORE_NAME_RE.test(n)).map((n) => join(dir, n));
  const depositData = names.filter((n) => DEPOSIT_DATA_NAME_RE.test(n)).map((n) => join(dir, n));
  if (keystores.length === 0)
    throw new KeystoreError(
      "NO_KEYSTORES",
      `${dir} contains no keystore*.json file; pass the validator_keys folder the deposit CLI created (or --keystore FILE)`,
      { file: dir },
    );
  return { keystores, depositData };
}
