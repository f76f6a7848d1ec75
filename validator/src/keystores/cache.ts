// An encrypted cache of decrypted validator keys, so a restart with 1,000 scrypt keystores takes one KDF run
// instead of a thousand (seconds instead of minutes).
//
// Threat model. The keystores protect each secret key with its password and a deliberately slow KDF; the cache
// must not be a cheaper way in.
// - Its AES-256-GCM key is derived with scrypt (default: EIP-2335's own n = 2^18, r = 8, p = 1) from the
//   passwords of ALL cached keystores together with the keystores' contents, under a fresh random salt per write.
//   Nothing derived from that key is stored beside it: the file holds only the salt, the KDF parameters, a digest
//   of the keystore files (public data: it only says whether they changed) and the ciphertext + tag.
// - An attacker who copies the data directory without the passwords must guess every password at once, paying a
//   full scrypt per guess; attacking the keystores directly is never harder than that, so the cache adds no
//   weaker path. An attacker who has the passwords (e.g. the secrets/ folder) already has every key; the cache
//   changes nothing for them. Neither protects a running process's memory or a root user on the host.
// - Integrity: GCM authenticates the ciphertext and the header (as associated data); a tampered or truncated
//   cache is a miss (the keystores are decrypted again), never wrong keys. Hits are also checked key by key
//   against the expected public keys.
// Invalidation: any keystore file added, removed or changed → the digest differs → miss (no KDF spent); any
// password changed → the derived key differs → authentication fails → miss. A miss is always safe.
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ensurePrivateDir, writeFileDurable } from "../dataDir/fsDurable.ts";
import type { PubkeyHex } from "../dataDir/layout.ts";
import { normalizePassword } from "./password.ts";

/** scrypt parameters of the cache key. */
export interface KeyCacheKdf {
  n: number;
  r: number;
  p: number;
}

/** EIP-2335's default scrypt parameters (n = 2^18, r = 8, p = 1): the cache is as costly to attack as a keystore. */
export const DEFAULT_CACHE_KDF: KeyCacheKdf = Object.freeze({ n: 2 ** 18, r: 8, p: 1 });

/**
 * The cache's scrypt parameters for keystores of these KDFs: EIP-2335's default, or the strongest scrypt among
 * the keystores when one is stronger (the cache must never be the cheapest thing to attack).
 */
export function cacheKdfFor(kdfs: readonly { function: string; params: object }[]): KeyCacheKdf {
  let best: KeyCacheKdf = DEFAULT_CACHE_KDF;
  for (const k of kdfs) {
    if (k.function !== "scrypt") continue;
    const { n, r, p } = k.params as KeyCacheKdf;
    if (n * r * p > best.n * best.r * best.p && n <= MAX_CACHE_KDF_N && r <= MAX_CACHE_KDF_RP && p <= MAX_CACHE_KDF_RP)
      best = { n, r, p };
  }
  return best;
}

/** Largest scrypt n accepted from a cache file (2^20: 1 GiB at r = 8); beyond it the file is treated as corrupt. */
const MAX_CACHE_KDF_N = 2 ** 20;
/** Largest r and p accepted from a cache file. */
const MAX_CACHE_KDF_RP = 16;

const FORMAT = "sextant-key-cache";
const VERSION = 1;
/** AES-256 key, GCM nonce and tag sizes (NIST SP 800-38D: 96-bit IV, 128-bit tag), scrypt salt size. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT_BYTES = 32;
/** Bytes of a compressed public key and of a secret key: one cache record is their concatenation. */
const PUBKEY_BYTES = 48;
const SECRET_BYTES = 32;
const RECORD_BYTES = PUBKEY_BYTES + SECRET_BYTES;
/** Bytes of the big-endian length prefixed to each password in the key material. */
const LENGTH_PREFIX_BYTES = 4;

/** One key the cache covers: its keystore (exact file text) and password. */
export interface KeyCacheInput {
  pubkey: PubkeyHex;
  keystoreText: string;
  password: string;
}

/** Why the cache was not used. */
export type KeyCacheMissReason = "absent" | "unreadable" | "unsupported" | "keystores-changed" | "passwords-changed";

export type KeyCacheReadResult =
  | { hit: true; secrets: Map<PubkeyHex, Uint8Array> }
  | { hit: false; reason: KeyCacheMissReason };

interface CacheFile {
  format: string;
  version: number;
  kdf: KeyCacheKdf & { function: "scrypt"; salt: string };
  keystoresDigest: string;
  count: number;
  iv: string;
  tag: string;
  ciphertext: string;
}

function sortedInputs(inputs: readonly KeyCacheInput[]): KeyCacheInput[] {
  return [...inputs].sort((a, b) => (a.pubkey < b.pubkey ? -1 : a.pubkey > b.pubkey ? 1 : 0));
}

function pubkeyBytes(pubkey: PubkeyHex): Buffer {
  return Buffer.from(pubkey.slice(2), "hex");
}

/** Digest of the set of keystore files: which keys, and each file's exact bytes. */
function keystoresDigest(sorted: readonly KeyCacheInput[]): string {
  const h = createHash("sha256").update("sextant-key-cache/keystores/v1");
  for (const k of sorted) h.update(pubkeyBytes(k.pubkey)).update(createHash("sha256").update(k.keystoreText).digest());
  return h.digest("hex");
}

/** The secret scrypt input: every (normalised) password, length-prefixed, bound to the keystores' digest. */
function keyMaterial(sorted: readonly KeyCacheInput[], digest: string): Buffer {
  const h = createHash("sha256").update("sextant-key-cache/passwords/v1").update(Buffer.from(digest, "hex"));
  for (const k of sorted) {
    const pw = normalizePassword(k.password);
    const len = Buffer.alloc(LENGTH_PREFIX_BYTES);
    len.writeUInt32BE(pw.length);
    h.update(len).update(pw);
  }
  return h.digest();
}

function deriveKey(material: Buffer, salt: Buffer, kdf: KeyCacheKdf): Promise<Buffer> {
  // scrypt needs 128·n·r bytes; allow twice that (Node's default maxmem of 32 MiB is below EIP-2335's 256 MiB).
  const maxmem = 2 * 128 * kdf.n * kdf.r;
  return new Promise((resolve, reject) =>
    scrypt(material, salt, KEY_BYTES, { N: kdf.n, r: kdf.r, p: kdf.p, maxmem }, (err, key) =>
      err === null ? resolve(key) : reject(err),
    ),
  );
}

/** The header fields authenticated as GCM associated data, in a fixed order. */
function associatedData(f: Pick<CacheFile, "format" | "version" | "kdf" | "keystoresDigest" | "count">): Buffer {
  const { n, r, p, salt } = f.kdf;
  return Buffer.from(JSON.stringify([f.format, f.version, "scrypt", n, r, p, salt, f.keystoresDigest, f.count]));
}

function validKdf(kdf: unknown): kdf is CacheFile["kdf"] {
  const k = kdf as Partial<CacheFile["kdf"]> | null;
  const isPow2 = (n: unknown) =>
    Number.isSafeInteger(n) && (n as number) > 1 && ((n as number) & ((n as number) - 1)) === 0;
  const small = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= MAX_CACHE_KDF_RP;
  return (
    k !== null &&
    typeof k === "object" &&
    k.function === "scrypt" &&
    isPow2(k.n) &&
    (k.n as number) <= MAX_CACHE_KDF_N &&
    small(k.r) &&
    small(k.p) &&
    typeof k.salt === "string"
  );
}

/**
 * Reads the cache for exactly these keys. A hit returns every secret by public key; anything else is a miss with
 * its reason (the caller then decrypts the keystores and rewrites the cache).
 */
export async function readKeyCache(path: string, inputs: readonly KeyCacheInput[]): Promise<KeyCacheReadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    return { hit: false, reason: (e as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : "unreadable" };
  }
  let f: CacheFile;
  try {
    f = JSON.parse(text) as CacheFile;
  } catch {
    return { hit: false, reason: "unreadable" };
  }
  if (f?.format !== FORMAT || f.version !== VERSION || !validKdf(f.kdf)) return { hit: false, reason: "unsupported" };
  const sorted = sortedInputs(inputs);
  const digest = keystoresDigest(sorted);
  if (f.keystoresDigest !== digest || f.count !== sorted.length) return { hit: false, reason: "keystores-changed" };
  const key = await deriveKey(keyMaterial(sorted, digest), Buffer.from(f.kdf.salt, "hex"), f.kdf);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(f.iv, "hex"), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(f));
    decipher.setAuthTag(Buffer.from(f.tag, "hex"));
    plain = Buffer.concat([decipher.update(Buffer.from(f.ciphertext, "base64")), decipher.final()]);
  } catch {
    return { hit: false, reason: "passwords-changed" };
  } finally {
    key.fill(0);
  }
  if (plain.length !== sorted.length * RECORD_BYTES) {
    plain.fill(0);
    return { hit: false, reason: "unreadable" };
  }
  const secrets = new Map<PubkeyHex, Uint8Array>();
  for (let i = 0; i < sorted.length; i++) {
    const rec = plain.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES);
    if (!rec.subarray(0, PUBKEY_BYTES).equals(pubkeyBytes(sorted[i].pubkey))) {
      plain.fill(0);
      return { hit: false, reason: "unreadable" };
    }
    secrets.set(sorted[i].pubkey, new Uint8Array(rec.subarray(PUBKEY_BYTES)));
  }
  plain.fill(0);
  return { hit: true, secrets };
}

/**
 * Writes the cache for these keys (durably, mode 0600, its folder 0700). `secrets` must hold every input's key.
 * `kdf` defaults to EIP-2335's scrypt parameters; tests pass a cheap one.
 */
export async function writeKeyCache(
  path: string,
  inputs: readonly KeyCacheInput[],
  secrets: ReadonlyMap<PubkeyHex, Uint8Array>,
  kdf: KeyCacheKdf = DEFAULT_CACHE_KDF,
): Promise<void> {
  const sorted = sortedInputs(inputs);
  const plain = Buffer.alloc(sorted.length * RECORD_BYTES);
  sorted.forEach((k, i) => {
    const secret = secrets.get(k.pubkey);
    if (secret === undefined || secret.length !== SECRET_BYTES) throw new Error(`no secret for ${k.pubkey}`);
    pubkeyBytes(k.pubkey).copy(plain, i * RECORD_BYTES);
    plain.set(secret, i * RECORD_BYTES + PUBKEY_BYTES);
  });
  const digest = keystoresDigest(sorted);
  const salt = randomBytes(SALT_BYTES);
  const header = {
    format: FORMAT,
    version: VERSION,
    kdf: { function: "scrypt" as const, n: kdf.n, r: kdf.r, p: kdf.p, salt: salt.toString("hex") },
    keystoresDigest: digest,
    count: sorted.length,
  };
  const key = await deriveKey(keyMaterial(sorted, digest), salt, kdf);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(header));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  key.fill(0);
  plain.fill(0);
  const file: CacheFile = {
    ...header,
    iv: iv.toString("hex"),
    tag: cipher.getAuthTag().toString("hex"),
    ciphertext: ciphertext.toString("base64"),
  };
  await ensurePrivateDir(dirname(path));
  await writeFileDurable(path, `${JSON.stringify(file)}\n`);
}
