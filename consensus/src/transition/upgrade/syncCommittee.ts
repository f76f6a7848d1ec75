// altair's `get_next_sync_committee(state)` on the caches a CachedState (or genesis) already has: the committee's
// validator indices sampled by effective balance from the next epoch's active set, their pubkeys and the
// aggregate pubkey. Used by the altair upgrade and by genesis at altair or later.
import type { ValueOf } from "@chainsafe/ssz";
import { aggregatePublicKeys, type PublicKey } from "../../bls/index.ts";
import { computeSeed, randaoMixIndexForSeed } from "../../committees/seed.ts";
import { computeSyncCommitteeIndices } from "../../committees/selection.ts";
import type { ForkName } from "../../params/forkName.ts";
import { DOMAIN_SYNC_COMMITTEE } from "../../signing/domainTypes.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { statePubkeyReader } from "../../state/epochContext.ts";
import type { BeaconConfig } from "../../state/types.ts";
import type { SszTypes } from "../../types/sszTypes.ts";

/** A SyncCommittee value. */
export type SyncCommitteeValue = ValueOf<SszTypes["altair"]["SyncCommittee"]>;

/** What `get_next_sync_committee` reads, as plain inputs. */
export interface SyncCommitteeInputs {
  /** The state's current epoch plus one. */
  readonly epoch: number;
  /** `get_active_validator_indices(state, epoch)`. */
  readonly activeIndices: ArrayLike<number>;
  /** Effective balances in Gwei by validator index. */
  readonly effectiveBalances: ArrayLike<number>;
  /** `state.randao_mixes[i]`. */
  readonly randaoMix: (index: number) => Uint8Array;
  /** Pubkey bytes and the deserialized key of validator `index`. */
  readonly pubkey: (index: number) => Uint8Array;
  readonly publicKey: (index: number) => PublicKey;
}

/** `get_next_sync_committee` on plain inputs: the committee value and its validator indices. */
export function computeNextSyncCommittee(
  config: BeaconConfig,
  fork: ForkName,
  inputs: SyncCommitteeInputs,
): { committee: SyncCommitteeValue; indices: Uint32Array } {
  const { preset } = config;
  const mix = inputs.randaoMix(randaoMixIndexForSeed(inputs.epoch, preset));
  const seed = computeSeed(mix, DOMAIN_SYNC_COMMITTEE, inputs.epoch);
  const indices = computeSyncCommitteeIndices(inputs.effectiveBalances, inputs.activeIndices, seed, fork, preset);
  const pubkeys = Array.from(indices, (i) => inputs.pubkey(i));
  const aggregate = aggregatePublicKeys(Array.from(indices, (i) => inputs.publicKey(i)));
  return { committee: { pubkeys, aggregatePubkey: aggregate.toBytes(true) }, indices };
}

/** `get_next_sync_committee(state)` for a CachedState of altair or later (its next epoch's cached active set). */
export function getNextSyncCommittee(cs: CachedState): { committee: SyncCommitteeValue; indices: Uint32Array } {
  const { state, ctx } = cs;
  const read = statePubkeyReader(state);
  return computeNextSyncCommittee(cs.config, cs.fork, {
    epoch: ctx.epoch + 1,
    activeIndices: ctx.activeIndicesAt(state, ctx.epoch + 1),
    effectiveBalances: ctx.effectiveBalancesGwei(),
    randaoMix: (i) => state.randaoMixes.get(i),
    pubkey: (i) => state.validators.getReadonly(i).pubkey,
    publicKey: (i) => ctx.pubkeys.publicKey(i, read),
  });
}
