import { fromHex, toHex } from "@sextant/consensus/util/hex";
import { type SlashableCode, SlashingProtectionError } from "./errors.ts";

/** Bytes as a Uint8Array or a 0x-prefixed hex string. */
export type BytesInput = Uint8Array | string;

/** Length of a BLS12-381 public key in compressed form. */
export const PUBKEY_LENGTH = 48;
/** Length of a signing root (a hash_tree_root). */
export const ROOT_LENGTH = 32;

/** A block the signer is about to sign. */
export interface BlockProposal {
  slot: number;
  /** compute_signing_root(block, domain) */
  signingRoot: BytesInput;
}

/** An attestation the signer is about to sign. */
export interface AttestationVote {
  sourceEpoch: number;
  targetEpoch: number;
  /** compute_signing_root(attestation_data, domain) */
  signingRoot: BytesInput;
}

/** One item of a batch: an attestation and the validator that signs it. */
export interface AttestationRequest extends AttestationVote {
  pubkey: BytesInput;
}

/**
 * "new": the message was recorded and may be signed. "repeat": this exact message (same slot or source/target and
 * same signing root) was recorded before; signing it again is harmless and nothing was added.
 */
export type SigningOutcome = "new" | "repeat";

/** Result of one item of {@link AttestationRequest} batch: ok, or the refusal (or input error) for that item. */
export type BatchItemResult = { ok: true; outcome: SigningOutcome } | { ok: false; error: SlashingProtectionError };

/** A stored block: the signing root is null when it was imported without one ("unknown": conflicts with any block). */
export interface StoredBlock {
  slot: number;
  signingRoot: Uint8Array | null;
}

/** A stored attestation: the signing root is null when it was imported without one. */
export interface StoredAttestation {
  sourceEpoch: number;
  targetEpoch: number;
  signingRoot: Uint8Array | null;
}

/** What the rules decided for one message: sign it (new or repeat), or refuse with a reason. */
export type Verdict<Row> =
  | { kind: "new" }
  | { kind: "repeat" }
  | { kind: "refuse"; code: SlashableCode; existing?: Row; watermark?: number };

/** The 48 bytes of a pubkey and its lower-case hex (the cache key and the form used in messages). */
export interface Pubkey {
  bytes: Uint8Array;
  hex: string;
}

function toBytes(value: BytesInput, length: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === "string") {
    if (!value.startsWith("0x")) throw invalidInput(`${what} must be a 0x-prefixed hex string`, what, value);
    try {
      bytes = fromHex(value);
    } catch {
      throw invalidInput(`${what} is not valid hex`, what, value);
    }
  } else if (value instanceof Uint8Array) {
    bytes = value;
  } else {
    throw invalidInput(`${what} must be bytes or a hex string`, what, String(value));
  }
  if (bytes.length !== length) {
    throw invalidInput(`${what} must be ${length} bytes, got ${bytes.length}`, what, toHex(bytes));
  }
  return bytes;
}

function invalidInput(message: string, field: string, value: unknown): SlashingProtectionError {
  return new SlashingProtectionError("INVALID_INPUT", message, { field, value });
}

/** Validates and normalises a pubkey (48 bytes). */
export function toPubkey(value: BytesInput): Pubkey {
  const bytes = toBytes(value, PUBKEY_LENGTH, "pubkey");
  return { bytes, hex: toHex(bytes) };
}

/** Validates a signing root (32 bytes). */
export function toRoot(value: BytesInput, what = "signingRoot"): Uint8Array {
  return toBytes(value, ROOT_LENGTH, what);
}

/**
 * Validates a slot or epoch: a non-negative integer that JavaScript numbers and SQLite integers hold exactly
 * (≤ 2**53 - 1, which is ~ 10**8 years of slots).
 */
export function toUint(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalidInput(`${what} must be a non-negative safe integer`, what, value);
  }
  return value;
}

/** True when both roots are known and equal (an unknown root never equals anything, not even another unknown). */
export function sameRoot(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Hex of a root or null, for error contexts and the interchange. */
export function rootHex(root: Uint8Array | null): string | null {
  return root === null ? null : toHex(root);
}
