// Block production helpers: advancing a copy of a state to a slot, the proposer and sync committee expected at a
// slot, an execution payload consistent with a state (dev chains and tests, with an accepting engine), and the
// assembly of an unsigned block whose state_root is the root after applying it (computed on a copy with signature
// checks off; the given state is never modified).

import { digest } from "@chainsafe/as-sha256";
import type { ValueOf } from "@chainsafe/ssz";
import type { ForkName } from "../../params/forkName.ts";
import { currentEpoch, getRandaoMix } from "../../state/accessors.ts";
import { type CachedState, cloneCachedState } from "../../state/cachedState.ts";
import type { SyncCommitteeIndices } from "../../state/epochContext.ts";
import { TransitionError } from "../../state/errors.ts";
import { atLeast, type BellatrixPlusState, type StateFulu } from "../../state/types.ts";
import type { SszTypes } from "../../types/sszTypes.ts";
import { processBlock } from "../block/index.ts";
import { getExpectedWithdrawals } from "../block/withdrawals.ts";
import type { AnyBeaconBlock, BeaconBlockOf } from "../blockTypes.ts";
import { acceptingExecutionEngine } from "../execution.ts";
import { processSlots } from "../stateTransition.ts";
import { computeSyncPeriod } from "./period.ts";

/**
 * A copy of `cs` advanced to `slot` (process_slots: epoch transitions and fork upgrades on the way). A state
 * already at `slot` is cloned as is; a slot before the state's throws INVALID_REQUEST.
 */
export function advanceToSlot(cs: CachedState, slot: number): CachedState {
  if (slot < cs.state.slot) {
    throw new TransitionError(
      "INVALID_REQUEST",
      "advance_to_slot: slot >= state.slot",
      `state at ${cs.state.slot}, asked for ${slot}`,
    );
  }
  const copy = cloneCachedState(cs);
  if (slot > copy.state.slot) processSlots(copy, slot);
  return copy;
}

/**
 * The proposer of `slot` as a block at that slot will be checked against: from the caches for the state's epoch,
 * from fulu's lookahead when it covers the slot, otherwise from a copy advanced to the slot's epoch.
 */
export function expectedProposer(cs: CachedState, slot: number): number {
  const slotsPerEpoch = cs.config.preset.SLOTS_PER_EPOCH;
  const epoch = Math.floor(slot / slotsPerEpoch);
  const stateEpoch = currentEpoch(cs);
  if (epoch < stateEpoch) {
    throw new TransitionError(
      "INVALID_REQUEST",
      "expected_proposer: slot is not before the state's epoch",
      `slot ${slot} is in epoch ${epoch}, the state in ${stateEpoch}`,
    );
  }
  if (epoch === stateEpoch) return cs.ctx.getBeaconProposer(slot);
  if (atLeast(cs.fork, "fulu")) {
    const offset = slot - stateEpoch * slotsPerEpoch;
    const lookahead = (cs.state as StateFulu).proposerLookahead;
    // The lookahead is valid as long as no fork upgrade in between changes the rules (none after fulu).
    if (offset < lookahead.length) return lookahead.get(offset);
  }
  return advanceToSlot(cs, epoch * slotsPerEpoch).ctx.getBeaconProposer(slot);
}

/**
 * The sync committee whose members sign at `slot`, as validator indices: the state's current committee for a
 * slot of its sync-committee period, the next committee for a slot of the following period. Throws before altair
 * and for any other period.
 */
export function syncCommitteeAt(cs: CachedState, slot: number): SyncCommitteeIndices {
  const { preset } = cs.config;
  if (
    !atLeast(cs.fork, "altair") ||
    cs.ctx.currentSyncCommittee === undefined ||
    cs.ctx.nextSyncCommittee === undefined
  ) {
    throw new TransitionError(
      "INVALID_REQUEST",
      "sync_committee_at: the state has sync committees",
      `${cs.fork} state`,
    );
  }
  const statePeriod = computeSyncPeriod(currentEpoch(cs), preset);
  const period = computeSyncPeriod(Math.floor(slot / preset.SLOTS_PER_EPOCH), preset);
  if (period === statePeriod) return cs.ctx.currentSyncCommittee;
  if (period === statePeriod + 1) return cs.ctx.nextSyncCommittee;
  throw new TransitionError(
    "INVALID_REQUEST",
    "sync_committee_at: slot in the state's sync committee period or the next",
    `slot ${slot} is in period ${period}, the state in ${statePeriod}`,
  );
}

/** An execution payload of any merged fork, as a plain value. */
export type AnyExecutionPayload =
  | ValueOf<SszTypes["bellatrix"]["ExecutionPayload"]>
  | ValueOf<SszTypes["capella"]["ExecutionPayload"]>
  | ValueOf<SszTypes["deneb"]["ExecutionPayload"]>;

/**
 * An execution payload a block at the state's slot passes the consensus checks with (dev chains and tests; an
 * accepting execution engine): child of the latest header (parent hash, number + 1, same gas limit), the current
 * RANDAO mix, the slot's timestamp, the expected withdrawals (capella+), no transactions. `cs` must already be at
 * the block's slot (see advanceToSlot). The block hash is a deterministic stand-in derived from those fields.
 */
export function devExecutionPayload(
  cs: CachedState,
  overrides: Partial<Record<string, unknown>> = {},
): AnyExecutionPayload {
  if (!atLeast(cs.fork, "bellatrix")) {
    throw new TransitionError("INVALID_REQUEST", "dev_execution_payload: a merged fork", `${cs.fork} state`);
  }
  const { types, chain } = cs.config;
  const fork = cs.fork as Exclude<ForkName, "phase0" | "altair">;
  const state = cs.state as BellatrixPlusState;
  const header = state.latestExecutionPayloadHeader;
  // biome-ignore lint/suspicious/noExplicitAny: the payload fields of every merged fork are set one by one
  const payload: any = types[fork].ExecutionPayload.defaultValue();
  payload.parentHash = header.blockHash;
  payload.feeRecipient = header.feeRecipient;
  payload.prevRandao = getRandaoMix(cs, currentEpoch(cs));
  payload.blockNumber = header.blockNumber + 1;
  payload.gasLimit = header.gasLimit;
  payload.timestamp = state.genesisTime + state.slot * chain.SECONDS_PER_SLOT;
  payload.baseFeePerGas = header.baseFeePerGas;
  if (atLeast(fork, "capella")) payload.withdrawals = getExpectedWithdrawals(cs).withdrawals;
  Object.assign(payload, overrides);
  if (overrides.blockHash === undefined) {
    const seed = new Uint8Array(72);
    seed.set(payload.parentHash, 0);
    seed.set(payload.prevRandao, 32);
    new DataView(seed.buffer).setFloat64(64, payload.timestamp, true);
    payload.blockHash = digest(seed);
  }
  return payload;
}

/** What a block's body is made of; omitted lists are empty, omitted fields take the values noted. */
export interface BlockContents {
  readonly slot: number;
  readonly randaoReveal: Uint8Array;
  /** Default 32 zero bytes. */
  readonly graffiti?: Uint8Array;
  /** Default: the state's eth1_data (no vote for a new one). */
  readonly eth1Data?: ValueOf<SszTypes["phase0"]["Eth1Data"]>;
  readonly proposerSlashings?: readonly unknown[];
  readonly attesterSlashings?: readonly unknown[];
  readonly attestations?: readonly unknown[];
  readonly deposits?: readonly unknown[];
  readonly voluntaryExits?: readonly unknown[];
  /** altair+; default: no participants and the G2 point at infinity. */
  readonly syncAggregate?: ValueOf<SszTypes["altair"]["SyncAggregate"]>;
  /** bellatrix+; default: the empty payload (valid only before the merge completes in bellatrix). */
  readonly executionPayload?: AnyExecutionPayload;
  readonly blsToExecutionChanges?: readonly unknown[];
  readonly blobKzgCommitments?: readonly Uint8Array[];
  readonly executionRequests?: ValueOf<SszTypes["electra"]["ExecutionRequests"]>;
}

/**
 * An unsigned block at `contents.slot` on `cs`: proposer and parent root from the state advanced to that slot,
 * the body from `contents` (in the fork of that slot), and state_root = the root after process_block with
 * signature checks off. `cs` is not modified. Throws the TransitionError of the first rule the contents break.
 */
export function assembleBlock(cs: CachedState, contents: BlockContents): AnyBeaconBlock {
  const pre = advanceToSlot(cs, contents.slot);
  const { types } = pre.config;
  const fork = pre.fork;
  // biome-ignore lint/suspicious/noExplicitAny: the body fields of every fork are set one by one
  const body: any = types[fork].BeaconBlockBody.defaultValue();
  body.randaoReveal = contents.randaoReveal;
  body.eth1Data = contents.eth1Data ?? pre.state.eth1Data.toValue();
  if (contents.graffiti) body.graffiti = contents.graffiti;
  // Lists are copied, single values taken as they are; a field the fork's body lacks is a caller error.
  const fields = [
    "proposerSlashings",
    "attesterSlashings",
    "attestations",
    "deposits",
    "voluntaryExits",
    "blsToExecutionChanges",
    "blobKzgCommitments",
    "syncAggregate",
    "executionPayload",
    "executionRequests",
  ] as const;
  for (const key of fields) {
    const value = contents[key];
    if (value === undefined) continue;
    if (!(key in body)) {
      throw new TransitionError(
        "INVALID_REQUEST",
        `assemble_block: ${key} in a ${fork} block body`,
        `${fork} has no ${key}`,
      );
    }
    body[key] = Array.isArray(value) ? [...value] : value;
  }
  if (atLeast(fork, "altair") && contents.syncAggregate === undefined) {
    // No participants: the signature is the G2 point at infinity (0xc0 then zeros).
    const signature = new Uint8Array(96);
    signature[0] = 0xc0;
    body.syncAggregate = { syncCommitteeBits: body.syncAggregate.syncCommitteeBits, syncCommitteeSignature: signature };
  }
  const block = {
    slot: contents.slot,
    proposerIndex: pre.ctx.getBeaconProposer(contents.slot),
    parentRoot: pre.state.latestBlockHeader.hashTreeRoot(),
    stateRoot: new Uint8Array(32),
    body,
  } as BeaconBlockOf<typeof fork>;
  processBlock(pre, block as AnyBeaconBlock, { executionEngine: acceptingExecutionEngine, signatureSets: null });
  block.stateRoot = pre.state.hashTreeRoot();
  return block as AnyBeaconBlock;
}
