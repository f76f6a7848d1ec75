// Liveness (POST /eth/v1/validator/liveness/{epoch}): a validator is live in an epoch when the node saw it act
// then — an attestation, aggregate or sync committee message accepted through the API (recorded by the validation
// commits, see common.ts markLive), a block it proposed in the epoch, or an attestation of the epoch included in a
// block of the fork choice (read from the blocks of the epoch and the next one, with committees from the block's
// cached post-state; blocks whose state is not cached are skipped: no regeneration for a request).
import { getAttestingIndices } from "@sextant/consensus/state/accessors";
import type { BeaconChain } from "../chain.ts";
import { isLive } from "./common.ts";

/** The validators seen live in `epoch` through blocks the fork choice holds (proposers and included attesters). */
export function liveFromBlocks(chain: BeaconChain, epoch: number): Set<number> {
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  const out = new Set<number>();
  for (const node of chain.forkChoice.protoArray.allNodes()) {
    const blockEpoch = Math.floor(node.slot / spe);
    if (node.slot === 0 || (blockEpoch !== epoch && blockEpoch !== epoch + 1)) continue;
    const found = chain.getBlockByRoot(node.blockRoot);
    if (!found) continue;
    const block = found.signed.message;
    if (blockEpoch === epoch) out.add(block.proposerIndex);
    const cs = chain.states.getBlockState(node.blockRoot);
    if (!cs) continue;
    for (const attestation of block.body.attestations) {
      if (attestation.data.target.epoch !== epoch) continue;
      try {
        for (const i of getAttestingIndices(cs, attestation)) out.add(i);
      } catch {
        // An imported block's attestations are valid; a committee the cached state lacks is skipped.
      }
    }
  }
  return out;
}

/** Liveness of each index in `epoch`. */
export function livenessOf(chain: BeaconChain, epoch: number, indices: readonly number[]): boolean[] {
  const fromBlocks = liveFromBlocks(chain, epoch);
  return indices.map((i) => fromBlocks.has(i) || isLive(chain, epoch, i));
}
