// process_randao (phase0 beacon-chain.md, unchanged through fulu): the proposer's RANDAO reveal (a signature over the
// epoch with DOMAIN_RANDAO) is mixed into the epoch's randao mix. The signature goes to the block's batch.
import { digest } from "@chainsafe/as-sha256";
import type { SignatureSet } from "../../bls/batch.ts";
import { DOMAIN_RANDAO } from "../../signing/domainTypes.ts";
import { currentEpoch, getRandaoMix, singleSignatureSet, stateDomain } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import type { AnyBeaconBlockBody } from "../blockTypes.ts";
import type { BlockContext } from "../options.ts";

/** `hash_tree_root(uint64)`: the little-endian value in a 32-byte chunk. */
function uint64Root(value: number): Uint8Array {
  const root = new Uint8Array(32);
  const view = new DataView(root.buffer);
  view.setUint32(0, value % 2 ** 32, true);
  view.setUint32(4, Math.floor(value / 2 ** 32), true);
  return root;
}

/** The RANDAO reveal of `body` as a signature set: the current proposer's signature over the current epoch. */
export function randaoSignatureSet(cs: CachedState, body: AnyBeaconBlockBody): SignatureSet {
  const epoch = currentEpoch(cs);
  const proposer = cs.ctx.getBeaconProposer(cs.state.slot);
  return singleSignatureSet(cs, proposer, uint64Root(epoch), stateDomain(cs, DOMAIN_RANDAO, epoch), body.randaoReveal);
}

/**
 * `process_randao(state, body)`: pushes the reveal's signature set to `bc.signatureSets` (when signatures are
 * checked) and sets `randao_mixes[epoch % EPOCHS_PER_HISTORICAL_VECTOR]` to the mix xor hash(reveal).
 */
export function processRandao(cs: CachedState, body: AnyBeaconBlockBody, bc: BlockContext): void {
  const epoch = currentEpoch(cs);
  if (bc.signatureSets) bc.signatureSets.push(randaoSignatureSet(cs, body));
  const mix = getRandaoMix(cs, epoch);
  const revealHash = digest(body.randaoReveal);
  const next = new Uint8Array(32);
  for (let i = 0; i < 32; i++) next[i] = mix[i] ^ revealHash[i];
  cs.state.randaoMixes.set(epoch % cs.config.preset.EPOCHS_PER_HISTORICAL_VECTOR, next);
}
