// REST handlers of the rewards endpoints. Sync committee rewards of a block are computed from its post-state's epoch
// values (altair beacon-chain.md process_sync_aggregate: participant reward from the total active balance and
// the base reward per increment, which only change at epoch boundaries). Block rewards (altair on) replay the
// block's slashings and attestations on a copy of its pre-state and measure the proposer's balance after each kind
// (the pre-state is the parent's state, or the checkpoint state the chain already computed when the block opens an
// epoch: a request never runs an epoch transition). Attestation rewards of epoch E (altair on) are read from the
// canonical state at the last slot of epoch E+1 (its previous epoch is E): on a copy, justification and finalization
// and the inactivity score updates run as the coming epoch transition would run them, then the flag and inactivity
// deltas of altair beacon-chain.md (get_flag_index_deltas, get_inactivity_penalty_deltas) are computed per validator.
import { ApiError } from "@sextant/api-spec/codec/errors";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import {
  PROPOSER_WEIGHT,
  SYNC_REWARD_WEIGHT,
  TIMELY_HEAD_WEIGHT,
  TIMELY_SOURCE_WEIGHT,
  TIMELY_TARGET_WEIGHT,
  WEIGHT_DENOMINATOR,
} from "@sextant/consensus/params/constants";
import { isForkAtLeast } from "@sextant/consensus/params/index";
import { type CachedState, cloneCachedState } from "@sextant/consensus/state/cachedState";
import { processAttestations } from "@sextant/consensus/transition/block/operations/attestation";
import { processAttesterSlashing } from "@sextant/consensus/transition/block/operations/attesterSlashing";
import { processProposerSlashing } from "@sextant/consensus/transition/block/operations/proposerSlashing";
import type { AnyBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import {
  FLAG_ELIGIBLE,
  FLAG_PREV_HEAD,
  FLAG_PREV_SOURCE,
  FLAG_PREV_TARGET,
} from "@sextant/consensus/transition/epoch/epochData";
import {
  collectEpochData,
  isInInactivityLeak,
  processInactivityUpdates,
  processJustificationAndFinalization,
} from "@sextant/consensus/transition/epoch/index";
import { acceptingExecutionEngine } from "@sextant/consensus/transition/execution";
import type { BlockContext } from "@sextant/consensus/transition/options";
import { processSlots } from "@sextant/consensus/transition/stateTransition";
import { toHex } from "@sextant/consensus/util/hex";
import type { BeaconChain } from "../../chain/chain.ts";
import type { ApiContext } from "../context.ts";
import { answer } from "../errors.ts";
import { resolveBlockId, resolveStateId } from "../stateId.ts";
import { resolveValidatorIds } from "./state.ts";

/** The reward of one sync committee participant for one slot (negative of the penalty of a non-participant). */
export function syncParticipantReward(cs: CachedState): number {
  const { preset } = cs.config;
  const totalBaseRewards = BigInt(cs.ctx.baseRewardPerIncrement) * BigInt(cs.ctx.totalActiveIncrements);
  const maxParticipantRewards =
    (totalBaseRewards * BigInt(SYNC_REWARD_WEIGHT)) / BigInt(WEIGHT_DENOMINATOR) / BigInt(preset.SLOTS_PER_EPOCH);
  return Number(maxParticipantRewards / BigInt(preset.SYNC_COMMITTEE_SIZE));
}

/** The proposer's rewards of a block, Gwei (Beacon API BlockRewards). */
export interface BlockRewards {
  proposerIndex: number;
  total: number;
  attestations: number;
  syncAggregate: number;
  proposerSlashings: number;
  attesterSlashings: number;
}

/**
 * The block's pre-state (its parent's state at the block's slot) without an epoch transition: the parent's block
 * state advanced within its epoch, or the chain's checkpoint state of the block's epoch; undefined when neither is
 * available without computing an epoch transition.
 */
function preStateOf(chain: BeaconChain, block: AnyBeaconBlock): CachedState | undefined {
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  const parent = toHex(block.parentRoot);
  if (!chain.forkChoice.hasBlock(parent)) return undefined;
  const epoch = Math.floor(block.slot / spe);
  let base: CachedState | undefined = chain.getBlockState(parent);
  if (Math.floor(base.state.slot / spe) !== epoch) base = chain.peekCheckpointState(epoch, parent);
  if (base === undefined || base.state.slot > block.slot) return undefined;
  const pre = cloneCachedState(base);
  if (pre.state.slot < block.slot) {
    processSlots(pre, block.slot, {
      onEpochTransition: () => {
        throw new Error("internal: an epoch transition within one epoch");
      },
    });
  }
  return pre;
}

/**
 * The proposer rewards of an altair-or-later block, from a copy of its pre-state: balance changes of the proposer
 * across its proposer slashings, attester slashings and attestations (in block order), and the sync aggregate's
 * proposer reward per participant. A proposer that slashes itself would see its penalty counted in.
 */
export function computeBlockRewards(pre: CachedState, block: AnyBeaconBlock): BlockRewards {
  const cs = cloneCachedState(pre);
  const proposer = block.proposerIndex;
  const bc: BlockContext = { executionEngine: acceptingExecutionEngine, signatureSets: null };
  const body = block.body as AnyBeaconBlock["body"] & {
    syncAggregate: { syncCommitteeBits: { getTrueBitIndexes(): number[] } };
  };
  const balance = () => cs.state.balances.get(proposer);
  let before = balance();
  for (const slashing of body.proposerSlashings) processProposerSlashing(cs, slashing, bc);
  const proposerSlashings = balance() - before;
  before = balance();
  for (const slashing of body.attesterSlashings) processAttesterSlashing(cs, slashing as never, bc);
  const attesterSlashings = balance() - before;
  before = balance();
  processAttestations(cs, body.attestations as never, bc);
  const attestations = balance() - before;
  const participantReward = syncParticipantReward(cs);
  const proposerReward = Math.floor((participantReward * PROPOSER_WEIGHT) / (WEIGHT_DENOMINATOR - PROPOSER_WEIGHT));
  const syncAggregate = proposerReward * body.syncAggregate.syncCommitteeBits.getTrueBitIndexes().length;
  return {
    proposerIndex: proposer,
    total: attestations + syncAggregate + proposerSlashings + attesterSlashings,
    attestations,
    syncAggregate,
    proposerSlashings,
    attesterSlashings,
  };
}

/** One validator's attestation rewards of an epoch, Gwei (negative: penalties). */
export interface AttestationReward {
  validatorIndex: number;
  head: number;
  target: number;
  source: number;
  inactivity: number;
}

/** Ideal attestation rewards of an effective balance (a validator that attested perfectly). */
export interface IdealReward {
  effectiveBalance: number;
  head: number;
  target: number;
  source: number;
  inactivity: number;
}

/** The fork's INACTIVITY_PENALTY_QUOTIENT (altair; bellatrix on). */
function inactivityPenaltyQuotient(cs: CachedState): number {
  const { preset } = cs.config;
  return isForkAtLeast(cs.fork, "bellatrix")
    ? preset.INACTIVITY_PENALTY_QUOTIENT_BELLATRIX
    : preset.INACTIVITY_PENALTY_QUOTIENT_ALTAIR;
}

/**
 * Attestation rewards of the previous epoch of `endState` (a state at the last slot of the epoch after it; not
 * modified): every eligible validator (or those of `indices`), and the ideal rewards per effective balance.
 */
export function computeAttestationRewards(
  endState: CachedState,
  indices: readonly number[] | undefined,
): { idealRewards: IdealReward[]; totalRewards: AttestationReward[] } {
  const cs = cloneCachedState(endState);
  const data = collectEpochData(cs);
  processJustificationAndFinalization(cs, data);
  const scores = processInactivityUpdates(cs, data) ?? [];
  const leak = isInInactivityLeak(cs, data);
  const { preset, chain } = cs.config;
  const activeIncrements = BigInt(cs.ctx.totalActiveIncrements);
  const perIncrement = BigInt(cs.ctx.baseRewardPerIncrement);
  const denominator = activeIncrements * BigInt(WEIGHT_DENOMINATOR);
  const participating = [data.prevSourceIncrements, data.prevTargetIncrements, data.prevHeadIncrements].map((n) =>
    BigInt(Math.max(1, n)),
  );
  const weights = [TIMELY_SOURCE_WEIGHT, TIMELY_TARGET_WEIGHT, TIMELY_HEAD_WEIGHT].map(BigInt);
  const reward = (inc: number, flag: number) =>
    leak ? 0 : Number((BigInt(inc) * perIncrement * weights[flag] * participating[flag]) / denominator);
  const penalty = (inc: number, flag: number) =>
    Number((BigInt(inc) * perIncrement * weights[flag]) / BigInt(WEIGHT_DENOMINATOR));
  const inactivityDenominator = BigInt(chain.INACTIVITY_SCORE_BIAS * inactivityPenaltyQuotient(cs));
  const ebi = preset.EFFECTIVE_BALANCE_INCREMENT;

  const wanted = indices ?? Array.from({ length: data.count }, (_, i) => i);
  const totalRewards: AttestationReward[] = [];
  const idealIncrements = new Set<number>();
  for (const i of wanted) {
    if (i >= data.count) continue;
    const f = data.flags[i];
    if ((f & FLAG_ELIGIBLE) === 0) continue;
    const inc = data.increments[i];
    idealIncrements.add(inc);
    const source = f & FLAG_PREV_SOURCE ? reward(inc, 0) : -penalty(inc, 0);
    const target = f & FLAG_PREV_TARGET ? reward(inc, 1) : -penalty(inc, 1);
    const head = f & FLAG_PREV_HEAD ? reward(inc, 2) : 0;
    const inactivity =
      f & FLAG_PREV_TARGET ? 0 : -Number((BigInt(inc * ebi) * BigInt(scores[i] ?? 0)) / inactivityDenominator);
    totalRewards.push({ validatorIndex: i, head, target, source, inactivity });
  }
  const idealRewards = [...idealIncrements]
    .sort((a, b) => a - b)
    .map((inc) => ({
      effectiveBalance: inc * ebi,
      head: reward(inc, 2),
      target: reward(inc, 1),
      source: reward(inc, 0),
      inactivity: 0,
    }));
  return { idealRewards, totalRewards };
}

/** Handlers of the rewards endpoints. */
export function rewardHandlers(ctx: ApiContext): Partial<Handlers<BeaconRoutes>> {
  const { chain } = ctx;
  return {
    getSyncCommitteeRewards: ({ blockId, body }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        if (!isForkAtLeast(b.fork, "altair")) {
          throw new ApiError(400, `block ${b.root} is of fork ${b.fork}: sync committees exist from altair on`);
        }
        if (!chain.forkChoice.hasBlock(b.root)) {
          throw new ApiError(
            404,
            `the state of block ${b.root} is not available: rewards are computed for blocks from the finalized checkpoint on`,
          );
        }
        const cs = chain.getBlockState(b.root);
        const committee = cs.ctx.currentSyncCommittee;
        if (committee === undefined || cs.state.slot !== b.signed.message.slot) {
          throw new ApiError(404, `block ${b.root}'s post-state is not available as it was after the block`);
        }
        const reward = syncParticipantReward(cs);
        const bits = (b.signed.message.body as { syncAggregate: { syncCommitteeBits: { get(i: number): boolean } } })
          .syncAggregate.syncCommitteeBits;
        // A validator may hold several committee positions: its rewards add up.
        const totals = new Map<number, number>();
        for (let p = 0; p < committee.indices.length; p++) {
          const index = committee.indices[p];
          totals.set(index, (totals.get(index) ?? 0) + (bits.get(p) ? reward : -reward));
        }
        const wanted = body === undefined || body.length === 0 ? undefined : new Set(resolveValidatorIds(cs, body));
        const data = [];
        for (const [validatorIndex, total] of totals) {
          if (wanted === undefined || wanted.has(validatorIndex)) data.push({ validatorIndex, reward: total });
        }
        return { data, meta: { executionOptimistic: b.executionOptimistic, finalized: b.finalized } };
      }),

    getBlockRewards: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        if (!isForkAtLeast(b.fork, "altair")) {
          throw new ApiError(
            400,
            `block ${b.root} is of fork ${b.fork}: before altair the proposer's attestation rewards are paid at the ` +
              "epoch transition and are not computed per block",
          );
        }
        const pre = preStateOf(chain, b.signed.message);
        if (pre === undefined) {
          throw new ApiError(
            404,
            `the pre-state of block ${b.root} is not available without an epoch transition the node has not ` +
              "computed (or its parent is older than the finalized checkpoint)",
          );
        }
        return {
          data: computeBlockRewards(pre, b.signed.message),
          meta: { executionOptimistic: b.executionOptimistic, finalized: b.finalized },
        };
      }),

    getAttestationsRewards: ({ epoch, body }) =>
      answer(() => {
        const spe = chain.config.preset.SLOTS_PER_EPOCH;
        const endSlot = (epoch + 2) * spe - 1;
        if (endSlot > chain.clock.currentSlot) {
          throw new ApiError(
            404,
            `attestation rewards of epoch ${epoch} are known once epoch ${epoch + 1} has ended (at slot ${endSlot}); ` +
              `the current slot is ${chain.clock.currentSlot}`,
          );
        }
        const r = resolveStateId(chain, endSlot);
        if (!isForkAtLeast(r.state.fork, "altair")) {
          throw new ApiError(
            400,
            `epoch ${epoch} is before altair: phase0 attestation rewards (pending attestations) are not computed`,
          );
        }
        const indices = body === undefined || body.length === 0 ? undefined : resolveValidatorIds(r.state, body);
        return {
          data: computeAttestationRewards(r.state, indices),
          meta: { executionOptimistic: r.executionOptimistic, finalized: r.finalized },
        };
      }),
  };
}
