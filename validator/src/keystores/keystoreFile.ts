// Reading and validating EIP-2335 keystore files (structure only; decryption is in the worker pool).
import { readFile } from "node:fs/promises";
import { type IKeystore, schemaValidationErrors } from "@chainsafe/bls-keystore";
import { normalizePubkeyHex, type PubkeyHex } from "../dataDir/layout.ts";
import { KeystoreError } from "./errors.ts";

/** The keystore `version` EIP-2335 defines. */
export const EIP2335_VERSION = 4;

/** A keystore file as read: its exact text (imports copy it verbatim), the parsed object and its public key. */
export interface KeystoreFile {
  /** Where it was read from, for messages. */
  path: string;
  text: string;
  keystore: IKeystore;
  pubkey: PubkeyHex;
}

/** The reason a read failed, as the OS says it (ENOENT, EISDIR, EACCES…). */
export function ioReason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** Reads and validates a keystore file; throws FILE_UNREADABLE, INVALID_JSON or NOT_A_KEYSTORE naming it. */
export async function readKeystoreFile(path: string): Promise<KeystoreFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new KeystoreError(
      "FILE_UNREADABLE",
      `cannot read ${path} (${ioReason(e)}); check the path and its permissions`,
      { file: path },
      { cause: e },
    );
  }
  return parseKeystoreText(text, path);
}

/** JSON.parse of a key file's text; INVALID_JSON names the file and says what to do. */
export function parseKeyFileJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new KeystoreError(
      "INVALID_JSON",
      `${path} is not valid JSON (${(e as Error).message}): the file is truncated or damaged; copy it again from where the keys were generated`,
      { file: path },
      { cause: e },
    );
  }
}

/** Parses and validates the text of a keystore file (see readKeystoreFile). */
export function parseKeystoreText(text: string, path: string): KeystoreFile {
  const value = parseKeyFileJson(text, path);
  const notKeystore = (why: string) =>
    new KeystoreError(
      "NOT_A_KEYSTORE",
      `${path} is not an EIP-2335 keystore (${why}); pass the keystore-m_12381_3600_…json files the deposit CLI wrote`,
      { file: path, reason: why },
    );
  if (Array.isArray(value)) throw notKeystore("it is a JSON list — a deposit_data file?");
  if (value === null || typeof value !== "object") throw notKeystore("not a JSON object");
  const errors = schemaValidationErrors(value);
  if (errors !== null) {
    const first = errors[0];
    throw notKeystore(`${first.instancePath || "/"} ${first.message}`);
  }
  const keystore = value as IKeystore;
  if (keystore.version !== EIP2335_VERSION) throw notKeystore(`version ${keystore.version}, expected 4`);
  const pubkey = normalizePubkeyHex(keystore.pubkey ?? "");
  if (pubkey === null) throw notKeystore("its pubkey field is missing or not a 48-byte hex public key");
  return { path, text, keystore, pubkey };
}

/** "scrypt" or "pbkdf2". */
export function kdfName(keystore: IKeystore): string {
  return keystore.crypto.kdf.function;
}

/** Bytes of memory one decryption of this keystore needs (scrypt: 128·r·n; pbkdf2: negligible). */
export function kdfMemoryBytes(keystore: IKeystore): number {
  const kdf = keystore.crypto.kdf;
  // scrypt's working set is 128·r·n bytes (RFC 7914 §5, the V array of ROMix).
  return kdf.function === "scrypt" ? 128 * kdf.params.r * kdf.params.n : 0;
}
