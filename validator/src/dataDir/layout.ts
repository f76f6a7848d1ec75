// The validator client's data directory: where every file it owns lives. One definition, used by the client at
// start, the import command, the keymanager API and slashing protection.
//
//   <dataDir>/                                   mode 0700
//     validator.lock                             pid of the process using the directory (exclusive create)
//     keystores/0x<pubkey>/voting-keystore.json  EIP-2335 keystores, as imported (mode 0600)
//     secrets/0x<pubkey>                         the password of that keystore (mode 0600)
//     cache/keys.cache                           decrypted keys, encrypted (AES-256-GCM; see keystores/cache.ts)
//     slashing-protection.sqlite                 EIP-3076 slashing-protection database (+ -wal/-shm)
//     api-token.txt                              keymanager API bearer token (mode 0600)
//     .staging-<random>/                         an import in progress; renamed into place, then removed
//
// The keystores/ + secrets/ shape is Lodestar's, so a data directory can be moved between the two clients.
import { homedir } from "node:os";
import { join } from "node:path";

/** Mode of every file holding a secret or a record: owner read/write only. */
export const FILE_MODE = 0o600;
/** Mode of every directory of the data directory: owner only. */
export const DIR_MODE = 0o700;

/** File name of a keystore inside its per-pubkey folder. */
export const KEYSTORE_FILE_NAME = "voting-keystore.json";
/** Prefix of the staging folders an import writes into before renaming its files into place. */
export const STAGING_PREFIX = ".staging-";

/** Every path of a data directory. */
export interface DataDirLayout {
  readonly root: string;
  readonly lockFile: string;
  readonly keystoresDir: string;
  readonly secretsDir: string;
  readonly cacheDir: string;
  readonly keyCacheFile: string;
  readonly slashingProtectionDb: string;
  readonly keymanagerTokenFile: string;
}

/** The layout of the data directory at `root`. */
export function dataDirLayout(root: string): DataDirLayout {
  const cacheDir = join(root, "cache");
  return {
    root,
    lockFile: join(root, "validator.lock"),
    keystoresDir: join(root, "keystores"),
    secretsDir: join(root, "secrets"),
    cacheDir,
    keyCacheFile: join(cacheDir, "keys.cache"),
    slashingProtectionDb: join(root, "slashing-protection.sqlite"),
    keymanagerTokenFile: join(root, "api-token.txt"),
  };
}

/** The default data directory of a network: ~/.sextant/<network>/validator. */
export function defaultDataDir(network: string): string {
  return join(homedir(), ".sextant", network, "validator");
}

/** Canonical id of a validator key: "0x" + 96 lowercase hex digits of the compressed public key. */
export type PubkeyHex = `0x${string}`;

/** Bytes of a compressed BLS public key. */
const PUBKEY_BYTES = 48;
const PUBKEY_RE = new RegExp(`^(0x)?[0-9a-fA-F]{${PUBKEY_BYTES * 2}}$`);

/** The canonical form of a public key written with or without 0x, in any case; null when it is not one. */
export function normalizePubkeyHex(value: string): PubkeyHex | null {
  if (!PUBKEY_RE.test(value)) return null;
  const hex = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value;
  return `0x${hex.toLowerCase()}`;
}

/** The folder holding the keystore of `pubkey`. */
export function keystoreDirOf(layout: DataDirLayout, pubkey: PubkeyHex): string {
  return join(layout.keystoresDir, pubkey);
}

/** The keystore file of `pubkey`. */
export function keystorePathOf(layout: DataDirLayout, pubkey: PubkeyHex): string {
  return join(layout.keystoresDir, pubkey, KEYSTORE_FILE_NAME);
}

/** The password file of `pubkey`. */
export function secretPathOf(layout: DataDirLayout, pubkey: PubkeyHex): string {
  return join(layout.secretsDir, pubkey);
}
