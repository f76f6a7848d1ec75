// Sign, verify and aggregate (IETF BLS signature draft v4, proof-of-possession scheme, as used by the consensus
// specs) plus altair's eth_aggregate_pubkeys / eth_fast_aggregate_verify.
import * as blst from "@chainsafe/blst";
import {
  BlsError,
  G2_POINT_AT_INFINITY,
  type PublicKey,
  type SecretKey,
  Signature,
  signatureFromBytes,
} from "./keys.ts";

/** A signature object, or its 96-byte compressed encoding (validated when used). */
export type SignatureInput = Signature | Uint8Array;

/** The signature, or null when the bytes are not a valid signature encoding (Verify then returns false). */
function toSignatureOrNull(signature: SignatureInput): Signature | null {
  if (signature instanceof Signature) return signature;
  try {
    return signatureFromBytes(signature);
  } catch {
    return null;
  }
}

/** Sign(SK, message). */
export function sign(secretKey: SecretKey, message: Uint8Array): Signature {
  return secretKey.sign(message);
}

/**
 * Verify(PK, message, signature). Public keys are validated when deserialized (publicKeyFromBytes); signature bytes
 * that do not decode to a G2 subgroup point make the result false.
 */
export function verify(publicKey: PublicKey, message: Uint8Array, signature: SignatureInput): boolean {
  const sig = toSignatureOrNull(signature);
  if (sig === null) return false;
  return blst.verify(message, publicKey, sig, false, false);
}

/** AggregateVerify(PKs, messages, signature): one aggregate signature over distinct (PK, message) pairs. */
export function aggregateVerify(
  publicKeys: readonly PublicKey[],
  messages: readonly Uint8Array[],
  signature: SignatureInput,
): boolean {
  if (publicKeys.length === 0 || publicKeys.length !== messages.length) return false;
  const sig = toSignatureOrNull(signature);
  if (sig === null) return false;
  return blst.aggregateVerify([...messages], [...publicKeys], sig, false, false);
}

/** FastAggregateVerify(PKs, message, signature): false for an empty key list. */
export function fastAggregateVerify(
  publicKeys: readonly PublicKey[],
  message: Uint8Array,
  signature: SignatureInput,
): boolean {
  if (publicKeys.length === 0) return false;
  const sig = toSignatureOrNull(signature);
  if (sig === null) return false;
  return blst.fastAggregateVerify(message, [...publicKeys], sig, false);
}

function isInfinitySignature(signature: SignatureInput): boolean {
  const bytes = signature instanceof Signature ? signature.toBytes(true) : signature;
  return bytes.length === G2_POINT_AT_INFINITY.length && bytes.every((b, i) => b === G2_POINT_AT_INFINITY[i]);
}

/** eth_fast_aggregate_verify: FastAggregateVerify that accepts the infinity signature for an empty key list. */
export function ethFastAggregateVerify(
  publicKeys: readonly PublicKey[],
  message: Uint8Array,
  signature: SignatureInput,
): boolean {
  if (publicKeys.length === 0 && isInfinitySignature(signature)) return true;
  return fastAggregateVerify(publicKeys, message, signature);
}

/** eth_aggregate_pubkeys: the sum of validated public keys; throws BlsError EMPTY_AGGREGATE for none. */
export function aggregatePublicKeys(publicKeys: readonly PublicKey[]): PublicKey {
  if (publicKeys.length === 0) throw new BlsError("EMPTY_AGGREGATE", "EMPTY", "cannot aggregate zero public keys");
  return blst.aggregatePublicKeys([...publicKeys], false);
}

/** Aggregate(signatures); byte inputs are validated first. Throws BlsError EMPTY_AGGREGATE for none. */
export function aggregateSignatures(signatures: readonly SignatureInput[]): Signature {
  if (signatures.length === 0) throw new BlsError("EMPTY_AGGREGATE", "EMPTY", "cannot aggregate zero signatures");
  const sigs = signatures.map((s) => (s instanceof Signature ? s : signatureFromBytes(s)));
  return blst.aggregateSignatures(sigs, false);
}
