// The signing rules of EIP-3076 with the "complete" strategy: every signed message is kept, a message is refused
// only when it is slashable with respect to one on record or below the validator's low watermarks (the lowest
// slot / source / target on record: conditions 2, 4 and 5), and re-signing an identical message is allowed.
import { SlashingProtectionError } from "./errors.ts";
import type { Queries } from "./queries.ts";
import { rootHex, type StoredAttestation, type StoredBlock, sameRoot, type Verdict } from "./types.ts";

/**
 * Decides whether a block may be signed.
 * @param minSlot the validator's block low watermark (lowest slot on record) to apply, or null for none; read
 *   only when needed.
 */
export function judgeBlock(
  q: Queries,
  validatorId: number,
  slot: number,
  root: Uint8Array | null,
  minSlot: () => number | null,
): Verdict<StoredBlock> {
  // Fast path, the usual case: above every stored slot, nothing can conflict and every watermark is below.
  const maxSlot = q.maxBlockSlot(validatorId);
  if (maxSlot === null || slot > maxSlot) return { kind: "new" };
  const atSlot = q.blocksAtSlot(validatorId, slot);
  // Same slot, same known root: the same block, harmless to sign again (even at the watermark).
  if (atSlot.some((b) => sameRoot(b.signingRoot, root))) return { kind: "repeat" };
  if (atSlot.length > 0) return { kind: "refuse", code: "DOUBLE_BLOCK", existing: atSlot[0] };
  const low = minSlot();
  if (low !== null && slot <= low) return { kind: "refuse", code: "BLOCK_BELOW_WATERMARK", watermark: low };
  return { kind: "new" };
}

/**
 * Decides whether an attestation may be signed.
 * @param minima the validator's attestation low watermarks to apply (null fields: none); read only when needed.
 */
export function judgeAttestation(
  q: Queries,
  validatorId: number,
  source: number,
  target: number,
  root: Uint8Array | null,
  minima: () => { minSource: number | null; minTarget: number | null },
): Verdict<StoredAttestation> {
  if (source > target) return { kind: "refuse", code: "INVALID_ATTESTATION" };
  // Fast path, the usual case: source ≥ every stored source and target > every stored target. Then no stored vote
  // has this target (no double vote, no repeat), none has a larger target (none surrounds it), none has a larger
  // source (it surrounds none), and both watermarks (minima ≤ maxima) are passed.
  const max = q.attestationMaxima(validatorId);
  if (max.maxTarget === null || (source >= max.maxSource! && target > max.maxTarget)) return { kind: "new" };
  const atTarget = q.attestationsAtTarget(validatorId, target);
  if (atTarget.some((a) => a.sourceEpoch === source && sameRoot(a.signingRoot, root))) return { kind: "repeat" };
  if (atTarget.length > 0) return { kind: "refuse", code: "DOUBLE_VOTE", existing: atTarget[0] };
  const surrounding = q.findSurrounding(validatorId, source, target);
  if (surrounding !== undefined) return { kind: "refuse", code: "SURROUNDED_VOTE", existing: surrounding };
  const surrounded = q.findSurrounded(validatorId, source, target);
  if (surrounded !== undefined) return { kind: "refuse", code: "SURROUNDING_VOTE", existing: surrounded };
  const { minSource, minTarget } = minima();
  if (minSource !== null && source < minSource) {
    return { kind: "refuse", code: "SOURCE_BELOW_WATERMARK", watermark: minSource };
  }
  if (minTarget !== null && target <= minTarget) {
    return { kind: "refuse", code: "TARGET_BELOW_WATERMARK", watermark: minTarget };
  }
  return { kind: "new" };
}

const BLOCK_REASONS = {
  DOUBLE_BLOCK: "another block (or one with an unknown signing root) was already signed at this slot",
  BLOCK_BELOW_WATERMARK: "the slot is at or below the lowest slot on record for this validator",
} as const;

const ATTESTATION_REASONS = {
  INVALID_ATTESTATION: "the source epoch is after the target epoch",
  DOUBLE_VOTE: "another attestation (or one with an unknown signing root) already has this target epoch",
  SURROUNDED_VOTE: "it would be surrounded by an attestation already signed",
  SURROUNDING_VOTE: "it would surround an attestation already signed",
  SOURCE_BELOW_WATERMARK: "the source epoch is below the lowest source epoch on record for this validator",
  TARGET_BELOW_WATERMARK: "the target epoch is at or below the lowest target epoch on record for this validator",
} as const;

function describeStored(row: StoredBlock | StoredAttestation): Record<string, unknown> {
  return "slot" in row
    ? { slot: row.slot, signingRoot: rootHex(row.signingRoot) }
    : { sourceEpoch: row.sourceEpoch, targetEpoch: row.targetEpoch, signingRoot: rootHex(row.signingRoot) };
}

/** The typed error for a refused block. */
export function blockRefusal(
  verdict: Extract<Verdict<StoredBlock>, { kind: "refuse" }>,
  pubkey: string,
  slot: number,
  root: Uint8Array | null,
): SlashingProtectionError {
  const reason = BLOCK_REASONS[verdict.code as keyof typeof BLOCK_REASONS];
  return new SlashingProtectionError(verdict.code, `refusing to sign block at slot ${slot} for ${pubkey}: ${reason}`, {
    pubkey,
    slot,
    signingRoot: rootHex(root),
    ...(verdict.existing === undefined ? {} : { existing: describeStored(verdict.existing) }),
    ...(verdict.watermark === undefined ? {} : { watermark: verdict.watermark }),
  });
}

/** The typed error for a refused attestation. */
export function attestationRefusal(
  verdict: Extract<Verdict<StoredAttestation>, { kind: "refuse" }>,
  pubkey: string,
  source: number,
  target: number,
  root: Uint8Array | null,
): SlashingProtectionError {
  const reason = ATTESTATION_REASONS[verdict.code as keyof typeof ATTESTATION_REASONS];
  return new SlashingProtectionError(
    verdict.code,
    `refusing to sign attestation (source ${source}, target ${target}) for ${pubkey}: ${reason}`,
    {
      pubkey,
      sourceEpoch: source,
      targetEpoch: target,
      signingRoot: rootHex(root),
      ...(verdict.existing === undefined ? {} : { existing: describeStored(verdict.existing) }),
      ...(verdict.watermark === undefined ? {} : { watermark: verdict.watermark }),
    },
  );
}
