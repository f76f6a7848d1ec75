// BLS12-381 keys and signatures through @chainsafe/blst: generation and validated deserialization.
// Public keys are KeyValidate'd (not infinity, in the G1 subgroup); signatures are subgroup-checked (the point at
// infinity is a valid encoding, as in the spec: eth_fast_aggregate_verify accepts it for an empty committee).
import { PublicKey, SecretKey, Signature } from "@chainsafe/blst";
import { SextantError } from "@sextant/common/errors";

export { PublicKey, SecretKey, Signature };

/** Bytes of a serialized secret key (big-endian scalar). */
export const SECRET_KEY_LENGTH = 32;
/** Bytes of a compressed G1 public key (BLSPubkey). */
export const PUBLIC_KEY_LENGTH = 48;
/** Bytes of a compressed G2 signature (BLSSignature). */
export const SIGNATURE_LENGTH = 96;
/** Minimum input keying material for KeyGen (IETF BLS draft: IKM MUST be at least 32 bytes). */
export const MIN_IKM_LENGTH = 32;

/** What went wrong, one code per kind of bad input. */
export type BlsErrorCode =
  | "INVALID_IKM"
  | "INVALID_SECRET_KEY"
  | "INVALID_PUBLIC_KEY"
  | "INVALID_SIGNATURE"
  | "EMPTY_AGGREGATE";

/** A rejected BLS input: `code` says which kind, `reason` is blst's own code (e.g. BLST_POINT_NOT_IN_GROUP). */
export class BlsError extends SextantError<BlsErrorCode, { reason: string }> {
  constructor(code: BlsErrorCode, reason: string, message: string) {
    super(code, message, { reason });
    this.name = "BlsError";
  }
  /** blst's own error code, e.g. BLST_POINT_NOT_IN_GROUP. */
  get reason(): string {
    return this.context.reason;
  }
}

function describe(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 8)).toString("hex");
  return `${bytes.length} bytes 0x${hex}${bytes.length > 8 ? "…" : ""}`;
}

function blstReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") return code;
  return e instanceof Error ? e.message : String(e);
}

/** KeyGen (IETF BLS draft / EIP-2333 style): a secret key derived from ≥ 32 bytes of input keying material. */
export function secretKeyFromIkm(ikm: Uint8Array, keyInfo?: Uint8Array): SecretKey {
  if (ikm.length < MIN_IKM_LENGTH)
    throw new BlsError("INVALID_IKM", "TOO_SHORT", `IKM must be at least ${MIN_IKM_LENGTH} bytes, got ${ikm.length}`);
  try {
    return SecretKey.fromKeygen(ikm, keyInfo);
  } catch (e) {
    throw new BlsError("INVALID_IKM", blstReason(e), `key generation failed: ${blstReason(e)}`);
  }
}

/** A secret key from its 32-byte big-endian encoding; rejects zero and values ≥ the curve order. */
export function secretKeyFromBytes(bytes: Uint8Array): SecretKey {
  if (bytes.length !== SECRET_KEY_LENGTH)
    throw new BlsError(
      "INVALID_SECRET_KEY",
      "BAD_LENGTH",
      `invalid secret key: expected ${SECRET_KEY_LENGTH} bytes, got ${bytes.length}`,
    );
  try {
    return SecretKey.fromBytes(bytes);
  } catch (e) {
    throw new BlsError(
      "INVALID_SECRET_KEY",
      blstReason(e),
      `invalid secret key (zero or ≥ curve order): ${blstReason(e)}`,
    );
  }
}

/** The public key of `secretKey` (SkToPk). */
export function publicKeyFromSecret(secretKey: SecretKey): PublicKey {
  return secretKey.toPublicKey();
}

/**
 * A public key from its 48-byte compressed encoding, KeyValidate'd: a point on the curve, not infinity, in the G1
 * subgroup. Throws BlsError INVALID_PUBLIC_KEY otherwise.
 */
export function publicKeyFromBytes(bytes: Uint8Array): PublicKey {
  if (bytes.length !== PUBLIC_KEY_LENGTH)
    throw new BlsError(
      "INVALID_PUBLIC_KEY",
      "BAD_LENGTH",
      `invalid public key: expected ${PUBLIC_KEY_LENGTH} bytes, got ${bytes.length}`,
    );
  try {
    return PublicKey.fromBytes(bytes, true);
  } catch (e) {
    throw new BlsError(
      "INVALID_PUBLIC_KEY",
      blstReason(e),
      `invalid public key (${describe(bytes)}): ${blstReason(e)}`,
    );
  }
}

/**
 * A signature from its 96-byte compressed encoding: a point on the curve in the G2 subgroup. The point at infinity
 * is accepted unless `rejectInfinity`. Throws BlsError INVALID_SIGNATURE otherwise.
 */
export function signatureFromBytes(bytes: Uint8Array, rejectInfinity = false): Signature {
  if (bytes.length !== SIGNATURE_LENGTH)
    throw new BlsError(
      "INVALID_SIGNATURE",
      "BAD_LENGTH",
      `invalid signature: expected ${SIGNATURE_LENGTH} bytes, got ${bytes.length}`,
    );
  try {
    return Signature.fromBytes(bytes, true, rejectInfinity);
  } catch (e) {
    throw new BlsError("INVALID_SIGNATURE", blstReason(e), `invalid signature (${describe(bytes)}): ${blstReason(e)}`);
  }
}

/** The compressed G2 point at infinity (0xc0 followed by zeros): the signature of an empty aggregate. */
export { G2_POINT_AT_INFINITY } from "../params/constants.ts";
