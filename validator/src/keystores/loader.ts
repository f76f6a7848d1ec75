// Loading the validator keys of a data directory at start: keystores/ + secrets/, through the encrypted cache
// when it is valid, otherwise decrypted on every core (with progress) and the cache rewritten.
import { readdir } from "node:fs/promises";
import { publicKeyFromSecret, type SecretKey, secretKeyFromBytes } from "@sextant/consensus/bls/index";
import {
  type DataDirLayout,
  keystorePathOf,
  normalizePubkeyHex,
  type PubkeyHex,
  secretPathOf,
} from "../dataDir/layout.ts";
import {
  cacheKdfFor,
  type KeyCacheInput,
  type KeyCacheKdf,
  type KeyCacheMissReason,
  readKeyCache,
  writeKeyCache,
} from "./cache.ts";
import { KeystoreError } from "./errors.ts";
import { type KeystoreFile, readKeystoreFile } from "./keystoreFile.ts";
import { mapLimit } from "./mapLimit.ts";
import { readPasswordFile } from "./password.ts";
import { DecryptPool, defaultDecryptThreads } from "./pool.ts";
import { Progress, type ProgressStream } from "./progress.ts";

/** A usable validator key. */
export interface ValidatorKey {
  pubkey: PubkeyHex;
  secretKey: SecretKey;
}

export interface LoadKeysOptions {
  /** Decryption threads (default: one per core, bounded by memory). */
  threads?: number;
  /** Where progress is shown (default stderr; null: nowhere). */
  progress?: ProgressStream | null;
  /** Use and refresh the key cache (default true). */
  useCache?: boolean;
  /** scrypt parameters of the cache key (default: cacheKdfFor(the keystores)); tests pass cheap ones. */
  cacheKdf?: KeyCacheKdf;
}

export interface LoadKeysResult {
  keys: ValidatorKey[];
  /** "cache": one KDF run; "keystores": every keystore decrypted; "none": the data directory has no keys. */
  source: "cache" | "keystores" | "none";
  /** Why the cache was not used (when source is "keystores" and the cache was enabled). */
  cacheMiss?: KeyCacheMissReason;
}

/** The public keys that have a folder under keystores/ (sorted); ignores anything else in that folder. */
export async function listImportedPubkeys(layout: DataDirLayout): Promise<PubkeyHex[]> {
  let names: string[];
  try {
    names = await readdir(layout.keystoresDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return names.filter((n) => normalizePubkeyHex(n) === n).sort() as PubkeyHex[];
}

/** Reads each imported keystore and its password; the keystore must declare the pubkey its folder is named by. */
async function readImported(layout: DataDirLayout): Promise<{ file: KeystoreFile; password: string }[]> {
  const pubkeys = await listImportedPubkeys(layout);
  return mapLimit(pubkeys, async (pubkey) => {
    const file = await readKeystoreFile(keystorePathOf(layout, pubkey));
    if (file.pubkey !== pubkey)
      throw new KeystoreError(
        "PUBKEY_MISMATCH",
        `${file.path} declares pubkey ${file.pubkey} but is filed under ${pubkey}; move it to the right folder`,
        { file: file.path },
      );
    const password = await readPasswordFile(secretPathOf(layout, pubkey)).catch((e: unknown) => {
      if (e instanceof KeystoreError && e.code === "FILE_UNREADABLE")
        throw new KeystoreError(
          "PASSWORD_MISSING",
          `no password for ${pubkey}: ${secretPathOf(layout, pubkey)} cannot be read; re-import the keystore`,
          { file: secretPathOf(layout, pubkey) },
          { cause: e },
        );
      throw e;
    });
    return { file, password };
  });
}

function toValidatorKey(pubkey: PubkeyHex, secret: Uint8Array): ValidatorKey {
  const secretKey = secretKeyFromBytes(secret);
  secret.fill(0);
  return { pubkey, secretKey };
}

/** True when every secret belongs to its public key (a last check on cache hits). */
function secretsMatch(secrets: ReadonlyMap<PubkeyHex, Uint8Array>): boolean {
  for (const [pubkey, secret] of secrets) {
    const derived = Buffer.from(publicKeyFromSecret(secretKeyFromBytes(secret)).toBytes()).toString("hex");
    if (`0x${derived}` !== pubkey) return false;
  }
  return true;
}

/**
 * Loads every key of the data directory (the caller holds its lock). Throws the first decryption failure (a key
 * that cannot be loaded must stop the client, not be silently dropped).
 */
export async function loadKeysFromDataDir(layout: DataDirLayout, opts: LoadKeysOptions = {}): Promise<LoadKeysResult> {
  const imported = await readImported(layout);
  if (imported.length === 0) return { keys: [], source: "none" };
  const inputs: KeyCacheInput[] = imported.map(({ file, password }) => ({
    pubkey: file.pubkey,
    keystoreText: file.text,
    password,
  }));
  const useCache = opts.useCache ?? true;
  let cacheMiss: KeyCacheMissReason | undefined;
  if (useCache) {
    const cached = await readKeyCache(layout.keyCacheFile, inputs);
    if (cached.hit && secretsMatch(cached.secrets))
      return {
        keys: inputs.map((k) => toValidatorKey(k.pubkey, cached.secrets.get(k.pubkey) as Uint8Array)),
        source: "cache",
      };
    cacheMiss = cached.hit ? "unreadable" : cached.reason;
  }
  const keystores = imported.map((i) => i.file.keystore);
  const pool = new DecryptPool({ size: opts.threads ?? defaultDecryptThreads(keystores) });
  const stream = opts.progress === undefined ? process.stderr : opts.progress;
  const progress =
    stream === null ? null : new Progress({ total: imported.length, label: "decrypting keystores", stream });
  let results: Awaited<ReturnType<DecryptPool["decryptAll"]>>;
  try {
    results = await pool.decryptAll(
      imported.map(({ file, password }) => ({ keystore: file.keystore, password, path: file.path })),
      (done) => progress?.update(done),
    );
  } finally {
    progress?.finish();
    await pool.close();
  }
  const secrets = new Map<PubkeyHex, Uint8Array>();
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (!r.ok) {
      for (const s of secrets.values()) s.fill(0);
      throw r.error;
    }
    secrets.set(imported[i].file.pubkey, r.secret);
  }
  if (useCache)
    await writeKeyCache(
      layout.keyCacheFile,
      inputs,
      secrets,
      opts.cacheKdf ?? cacheKdfFor(keystores.map((k) => k.crypto.kdf)),
    );
  return {
    keys: inputs.map((k) => toValidatorKey(k.pubkey, secrets.get(k.pubkey) as Uint8Array)),
    source: "keystores",
    cacheMiss,
  };
}
