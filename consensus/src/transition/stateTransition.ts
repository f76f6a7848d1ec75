// The state transition function (phase0 beacon-chain.md "Beacon chain state transition function", with each
// fork's upgrade at its epoch): process_slots, process_slot and state_transition. Blocks are checked in one
// signature batch after processing; a failing block leaves the CachedState it was applied to in an undefined
// state, so callers apply blocks to a clone (`cloneCachedState`) and keep the pre-state.

import type { SignatureSet } from "../bls/batch.ts";
import { verifySignatureSets } from "../bls/batch.ts";
import { FORK_NAMES, type ForkName } from "../params/forkName.ts";
import { forkEpoch } from "../params/forkSchedule.ts";
import { DOMAIN_BEACON_PROPOSER } from "../signing/domainTypes.ts";
import { singleSignatureSet, stateDomain } from "../state/accessors.ts";
import type { CachedState } from "../state/cachedState.ts";
import { TransitionError } from "../state/errors.ts";
import { bytesEqual, isZeroBytes } from "../util/bytes.ts";
import { toHex } from "../util/hex.ts";
import { processBlock } from "./block/index.ts";
import type { AnyBeaconBlock, AnySignedBeaconBlock } from "./blockTypes.ts";
import { processEpoch } from "./epoch/index.ts";
import { acceptingExecutionEngine } from "./execution.ts";
import type { BlockContext, TransitionOptions } from "./options.ts";
import { upgradeState } from "./upgrade/index.ts";

/** Hooks for metrics and tests: called after each epoch transition with the new epoch. */
export interface SlotHooks {
  onEpochTransition?: (epoch: number) => void;
}

/** `process_slot`: caches the previous state root and block root. */
export function processSlot(cs: CachedState): void {
  const { state } = cs;
  const history = cs.config.preset.SLOTS_PER_HISTORICAL_ROOT;
  const previousStateRoot = state.hashTreeRoot();
  state.stateRoots.set(state.slot % history, previousStateRoot);
  const header = state.latestBlockHeader;
  if (isZeroBytes(header.stateRoot)) header.stateRoot = previousStateRoot;
  const previousBlockRoot = header.hashTreeRoot();
  state.blockRoots.set(state.slot % history, previousBlockRoot);
}

/** The fork that activates exactly at `epoch`, the last of several sharing it; undefined when none does. */
function forkStartingAt(cs: CachedState, epoch: number): ForkName | undefined {
  let found: ForkName | undefined;
  for (const fork of FORK_NAMES) {
    if (fork !== "phase0" && forkEpoch(cs.config.chain, fork) === epoch) found = fork;
  }
  return found;
}

/**
 * `process_slots(state, slot)`: advances the state to `slot`, running the epoch transition at each epoch end and
 * each scheduled fork upgrade at its first slot. Throws INVALID_REQUEST when `slot` is not after the state's slot.
 */
export function processSlots(cs: CachedState, slot: number, hooks?: SlotHooks): void {
  if (!(slot > cs.state.slot)) {
    throw new TransitionError(
      "INVALID_REQUEST",
      "process_slots: state.slot < slot",
      `state at ${cs.state.slot}, asked for ${slot}`,
    );
  }
  const slotsPerEpoch = cs.config.preset.SLOTS_PER_EPOCH;
  while (cs.state.slot < slot) {
    processSlot(cs);
    const epochEnd = (cs.state.slot + 1) % slotsPerEpoch === 0;
    if (epochEnd) processEpoch(cs);
    cs.state.slot = cs.state.slot + 1;
    if (epochEnd) {
      const epoch = cs.state.slot / slotsPerEpoch;
      cs.ctx.afterEpochTransition(cs.state, cs.fork);
      const target = forkStartingAt(cs, epoch);
      if (target !== undefined) {
        // Every fork between the current one and the target upgrades in order (forks sharing an epoch).
        for (let i = FORK_NAMES.indexOf(cs.fork) + 1; i <= FORK_NAMES.indexOf(target); i++) {
          upgradeState(cs, FORK_NAMES[i]);
          cs.ctx.onForkUpgrade(cs.state, cs.fork);
        }
      }
      hooks?.onEpochTransition?.(epoch);
    }
  }
}

/** The proposer signature of a block as a signature set. */
export function blockSignatureSet(cs: CachedState, signed: AnySignedBeaconBlock): SignatureSet {
  const block = signed.message;
  const type = cs.config.types[cs.fork].BeaconBlock as { hashTreeRoot(v: unknown): Uint8Array };
  const domain = stateDomain(cs, DOMAIN_BEACON_PROPOSER, Math.floor(block.slot / cs.config.preset.SLOTS_PER_EPOCH));
  return singleSignatureSet(cs, block.proposerIndex, type.hashTreeRoot(block), domain, signed.signature);
}

/**
 * `state_transition(state, signed_block, validate_result)`: advances `cs` to the block's slot, processes the block
 * and checks the proposer signature, every signature inside the block (one batch) and the state root. Mutates
 * `cs`; on a throw, discard it. Returns `cs` for chaining.
 */
export function stateTransition(
  cs: CachedState,
  signed: AnySignedBeaconBlock,
  options: TransitionOptions = {},
  hooks?: SlotHooks,
): CachedState {
  const block = signed.message as AnyBeaconBlock;
  const verifySignatures = options.verifySignatures ?? true;
  if (block.slot > cs.state.slot) processSlots(cs, block.slot, hooks);
  const context: BlockContext = {
    executionEngine: options.executionEngine ?? acceptingExecutionEngine,
    signatureSets: verifySignatures ? [] : null,
  };
  processBlock(cs, block, context);
  if (context.signatureSets) {
    const sets = [blockSignatureSet(cs, signed), ...context.signatureSets];
    const result = verifySignatureSets(sets);
    if (!result.valid) {
      const first = result.invalid[0];
      throw new TransitionError(
        "INVALID_SIGNATURE",
        first === 0 ? "verify_block_signature: proposer signature" : "block signature batch: a signature in the block",
        `${result.invalid.length} of ${sets.length} signature sets invalid`,
        { invalidSets: result.invalid },
      );
    }
  }
  if (options.verifyStateRoot ?? true) {
    const root = cs.state.hashTreeRoot();
    if (!bytesEqual(root, block.stateRoot)) {
      throw new TransitionError(
        "STATE_ROOT_MISMATCH",
        "state_transition: block.state_root == hash_tree_root(state)",
        undefined,
        {
          expected: toHex(block.stateRoot),
          actual: toHex(root),
        },
      );
    }
  }
  return cs;
}
