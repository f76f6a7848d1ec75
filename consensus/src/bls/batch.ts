// Batch verification of many signature sets at once (random linear combination: blst's
// verifyMultipleAggregateSignatures, https://ethresear.ch/t/fast-verification-of-multiple-bls-signatures/5407),
// falling back to one-by-one verification when the batch fails, to name the bad sets.
import * as blst from "@chainsafe/blst";
import { type PublicKey, Signature, signatureFromBytes } from "./keys.ts";
import { aggregatePublicKeys, type SignatureInput, verify } from "./verify.ts";

/**
 * One signature to check: a single public key, or several that all signed the same message (their aggregate is
 * verified, as FastAggregateVerify does).
 */
export interface SignatureSet {
  readonly publicKey: PublicKey | readonly PublicKey[];
  /** The signed message, normally a 32-byte signing root. */
  readonly message: Uint8Array;
  readonly signature: SignatureInput;
}

/** The outcome of a batch: `valid` when every set verifies, else the indices of the sets that do not. */
export interface SignatureSetsResult {
  readonly valid: boolean;
  /** Indices (into the input) of the invalid sets, ascending; empty when valid. */
  readonly invalid: readonly number[];
  /** True when the batch check failed and every set was verified on its own. */
  readonly usedFallback: boolean;
}

/** A batch-ready set, or null when the set can never verify (bad signature bytes, empty key list). */
function prepare(set: SignatureSet): blst.SignatureSet | null {
  let pk: PublicKey;
  if (Array.isArray(set.publicKey)) {
    const keys = set.publicKey as readonly PublicKey[];
    if (keys.length === 0) return null;
    pk = keys.length === 1 ? keys[0] : aggregatePublicKeys(keys);
  } else {
    pk = set.publicKey as PublicKey;
  }
  let sig: Signature;
  if (set.signature instanceof Signature) sig = set.signature;
  else {
    try {
      sig = signatureFromBytes(set.signature);
    } catch {
      return null;
    }
  }
  return { msg: set.message, pk, sig };
}

/**
 * Verifies all `sets`. With two or more sets they are checked together in one multi-pairing with random
 * coefficients; if that fails (or a set cannot even be decoded), every set is verified individually so the result
 * names the invalid ones. An empty list is valid.
 */
export function verifySignatureSets(sets: readonly SignatureSet[]): SignatureSetsResult {
  const prepared = sets.map(prepare);
  const allDecoded = prepared.every((p) => p !== null);
  if (allDecoded && prepared.length > 1) {
    // Keys and signatures were validated on deserialization: skip blst's repeated subgroup checks.
    if (blst.verifyMultipleAggregateSignatures(prepared as blst.SignatureSet[], false, false))
      return { valid: true, invalid: [], usedFallback: false };
  }
  const invalid: number[] = [];
  for (let i = 0; i < prepared.length; i++) {
    const p = prepared[i];
    if (p === null || !verify(p.pk, p.msg, p.sig)) invalid.push(i);
  }
  const usedFallback = prepared.length > 1;
  return { valid: invalid.length === 0, invalid, usedFallback };
}
