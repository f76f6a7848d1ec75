// Pruning old history without weakening protection.
//
// For each validator, the blocks below the cut slot are replaced by ONE synthetic block at the highest pruned slot,
// and the attestations with a target below the cut epoch by ONE synthetic attestation (highest pruned source,
// highest pruned target), both with an unknown signing root. That record is the watermark, kept as data:
// - blocks: every remaining slot is above it, so the lowest slot on record is the synthetic one and nothing at or
//   below a pruned slot can be signed (condition 2);
// - attestations: a new vote needs target > T* (the lowest target on record is T*), so it cannot double-vote or be
//   surrounded by a pruned vote (their targets are ≤ T*), and to surround a pruned vote (s', t') it would need a
//   source < s' ≤ S*, which surrounds the synthetic (S*, T*) and is refused.
// Because the watermark is an ordinary record, an export after pruning carries the same protection to any client.
import type { SlashingProtection, Tx } from "./database.ts";
import { toUint } from "./types.ts";

/** Validators handled per write transaction: keeps each lock short so that signing is not held up. */
const DEFAULT_VALIDATORS_PER_TRANSACTION = 1_000;

export interface PruneOptions {
  /** Attestations with target_epoch below this epoch are pruned. */
  beforeEpoch: number;
  /** Blocks with slot below beforeEpoch × slotsPerEpoch are pruned. */
  slotsPerEpoch: number;
  validatorsPerTransaction?: number;
}

export interface PruneSummary {
  /** Validators whose history changed. */
  validators: number;
  /** Rows removed, net of the synthetic rows added. */
  blocksRemoved: number;
  attestationsRemoved: number;
}

/** Prunes every validator's history below the cut (see the file comment), a chunk of validators per transaction. */
export function pruneHistory(sp: SlashingProtection, options: PruneOptions): PruneSummary {
  const cutEpoch = toUint(options.beforeEpoch, "beforeEpoch");
  const cutSlot = toUint(cutEpoch * toUint(options.slotsPerEpoch, "slotsPerEpoch"), "beforeEpoch × slotsPerEpoch");
  const chunk = Math.max(1, options.validatorsPerTransaction ?? DEFAULT_VALIDATORS_PER_TRANSACTION);
  const ids = sp.read((tx) => tx.q.validators().map((v) => v.id));
  const summary: PruneSummary = { validators: 0, blocksRemoved: 0, attestationsRemoved: 0 };
  for (let i = 0; i < ids.length; i += chunk) {
    sp.write((tx) => {
      for (const id of ids.slice(i, i + chunk)) {
        const blocks = pruneBlocks(tx, id, cutSlot);
        const attestations = pruneAttestations(tx, id, cutEpoch);
        if (blocks > 0 || attestations > 0) summary.validators++;
        summary.blocksRemoved += blocks;
        summary.attestationsRemoved += attestations;
      }
    });
  }
  return summary;
}

function pruneBlocks(tx: Tx, id: number, cutSlot: number): number {
  const below = tx.q.blocksBelow(id, cutSlot);
  if (below.count === 0 || (below.count === 1 && tx.q.hasBlock(id, below.maxSlot, null))) return 0;
  tx.q.deleteBlocksBelow(id, cutSlot);
  tx.q.insertBlock(id, below.maxSlot, null);
  return below.count - 1;
}

function pruneAttestations(tx: Tx, id: number, cutEpoch: number): number {
  const below = tx.q.attestationsBelow(id, cutEpoch);
  if (below.count === 0) return 0;
  if (below.count === 1 && tx.q.hasAttestation(id, below.maxSource, below.maxTarget, null)) return 0;
  tx.q.deleteAttestationsBelow(id, cutEpoch);
  tx.q.insertAttestation(id, below.maxSource, below.maxTarget, null);
  return below.count - 1;
}
