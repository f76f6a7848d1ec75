// process_sync_aggregate (altair beacon-chain.md, unchanged through fulu): the current sync committee's aggregate
// signature over the previous slot's block root (a signature set for the block's batch), then the participant
// rewards, the proposer's share and the non-participant penalties.
import type { SignatureSet } from "../../bls/batch.ts";
import {
  G2_POINT_AT_INFINITY,
  PROPOSER_WEIGHT,
  SYNC_REWARD_WEIGHT,
  WEIGHT_DENOMINATOR,
} from "../../params/constants.ts";
import { computeSigningRoot } from "../../signing/domain.ts";
import { DOMAIN_SYNC_COMMITTEE } from "../../signing/domainTypes.ts";
import { epochOf, getBlockRootAtSlot, stateDomain } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { statePubkeyReader } from "../../state/epochContext.ts";
import { check, TransitionError } from "../../state/errors.ts";
import type { BeaconBlockBodyOf } from "../blockTypes.ts";
import type { BlockContext } from "../options.ts";

/** A SyncAggregate value (altair and later). */
export type SyncAggregate = BeaconBlockBodyOf<"altair">["syncAggregate"];

function isInfinitySignature(signature: Uint8Array): boolean {
  if (signature.length !== G2_POINT_AT_INFINITY.length) return false;
  for (let i = 0; i < signature.length; i++) if (signature[i] !== G2_POINT_AT_INFINITY[i]) return false;
  return true;
}

/** The committee positions whose bit is set. */
function participantPositions(cs: CachedState, aggregate: SyncAggregate): number[] {
  const size = cs.config.preset.SYNC_COMMITTEE_SIZE;
  const bits = aggregate.syncCommitteeBits;
  check(bits.bitLen === size, "process_sync_aggregate: len(sync_committee_bits) == SYNC_COMMITTEE_SIZE");
  return bits.getTrueBitIndexes();
}

/**
 * The sync aggregate's signature as a set (the participants' keys over the previous slot's block root with
 * DOMAIN_SYNC_COMMITTEE), or null when nobody participated — then `eth_fast_aggregate_verify` accepts only the
 * point at infinity, checked here (INVALID_SIGNATURE otherwise).
 */
export function syncAggregateSignatureSet(cs: CachedState, aggregate: SyncAggregate): SignatureSet | null {
  const committee = cs.ctx.currentSyncCommittee;
  if (committee === undefined) throw new Error("process_sync_aggregate: the state has no sync committee cache");
  const positions = participantPositions(cs, aggregate);
  const previousSlot = Math.max(cs.state.slot, 1) - 1;
  if (positions.length === 0) {
    if (!isInfinitySignature(aggregate.syncCommitteeSignature)) {
      throw new TransitionError(
        "INVALID_SIGNATURE",
        "process_sync_aggregate: eth_fast_aggregate_verify(participant_pubkeys, signing_root, sync_committee_signature)",
        "no participants: the signature must be the point at infinity",
      );
    }
    return null;
  }
  const domain = stateDomain(cs, DOMAIN_SYNC_COMMITTEE, epochOf(cs, previousSlot));
  const message = computeSigningRoot(getBlockRootAtSlot(cs, previousSlot), domain);
  const read = statePubkeyReader(cs.state);
  const publicKey = positions.map((p) => cs.ctx.pubkeys.publicKey(committee.indices[p], read));
  return { publicKey, message, signature: aggregate.syncCommitteeSignature };
}

/**
 * `process_sync_aggregate(state, sync_aggregate)`: pushes the signature set (when signatures are checked), then
 * rewards each participating position with `participant_reward` and the proposer with `proposer_reward`, and
 * penalizes each non-participating position by `participant_reward`, in committee order (a validator may hold
 * several positions; penalties stop at zero, so the order matters and is kept).
 */
export function processSyncAggregate(cs: CachedState, aggregate: SyncAggregate, bc: BlockContext): void {
  const { preset } = cs.config;
  const committee = cs.ctx.currentSyncCommittee;
  if (committee === undefined) throw new Error("process_sync_aggregate: the state has no sync committee cache");
  if (bc.signatureSets) {
    const set = syncAggregateSignatureSet(cs, aggregate);
    if (set) bc.signatureSets.push(set);
  } else {
    participantPositions(cs, aggregate);
  }

  // total_base_rewards can pass 2**53 only with absurd totals; compute exactly anyway.
  const totalBaseRewards = BigInt(cs.ctx.baseRewardPerIncrement) * BigInt(cs.ctx.totalActiveIncrements);
  const maxParticipantRewards =
    (totalBaseRewards * BigInt(SYNC_REWARD_WEIGHT)) / BigInt(WEIGHT_DENOMINATOR) / BigInt(preset.SLOTS_PER_EPOCH);
  const participantReward = Number(maxParticipantRewards / BigInt(preset.SYNC_COMMITTEE_SIZE));
  const proposerReward = Math.floor((participantReward * PROPOSER_WEIGHT) / (WEIGHT_DENOMINATOR - PROPOSER_WEIGHT));
  if (participantReward === 0 && proposerReward === 0) return;

  const proposer = cs.ctx.getBeaconProposer(cs.state.slot);
  const balancesView = cs.state.balances;
  // Balances touched, read once and written back once.
  const balances = new Map<number, number>();
  const read = (index: number): number => {
    let b = balances.get(index);
    if (b === undefined) {
      b = balancesView.get(index);
      balances.set(index, b);
    }
    return b;
  };
  const bits = aggregate.syncCommitteeBits;
  const indices = committee.indices;
  for (let p = 0; p < indices.length; p++) {
    const index = indices[p];
    if (bits.get(p)) {
      balances.set(index, read(index) + participantReward);
      balances.set(proposer, read(proposer) + proposerReward);
    } else {
      const balance = read(index);
      balances.set(index, participantReward > balance ? 0 : balance - participantReward);
    }
  }
  for (const [index, balance] of balances) balancesView.set(index, balance);
}
