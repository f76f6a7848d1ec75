// Validation of voluntary exits, proposer and attester slashings and BLS-to-execution changes submitted through the
// API: each is applied to a copy of the head state with the block-processing rule of its kind (process_voluntary_exit
// …: the same checks a block carrying it would pass, signatures included), then offered to the operation pool (its
// own checks: duplicates are "already known, accepted"). Accepted items emit their SSE event; an attester slashing
// also marks the equivocating validators in the fork choice.

import { isSextantError } from "@sextant/common/errors";
import { verifySignatureSets } from "@sextant/consensus/bls/index";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { cloneCachedState } from "@sextant/consensus/state/cachedState";
import {
  type AttesterSlashing,
  type ProposerSlashing,
  processAttesterSlashing,
  processBlsToExecutionChange,
  processProposerSlashing,
  processVoluntaryExit,
  type SignedBlsToExecutionChange,
  type SignedVoluntaryExit,
} from "@sextant/consensus/transition/block/operations/index";
import { acceptingExecutionEngine } from "@sextant/consensus/transition/execution";
import type { BlockContext } from "@sextant/consensus/transition/options";
import type { BeaconChain } from "../chain.ts";
import { invalid } from "./common.ts";

export type { AttesterSlashing, ProposerSlashing, SignedBlsToExecutionChange, SignedVoluntaryExit };

/** What an accepted operation did: "added" to the pool, or "known" (the pool already held one like it). */
export type OperationOutcome = "added" | "known";

/**
 * The state operations are checked against: the head's checkpoint state of the clock's epoch when the clock has
 * already pre-advanced the head into it (an exit of the current epoch is then valid), else the head block's state.
 * Never advanced here.
 */
function operationState(chain: BeaconChain): CachedState {
  const epoch = Math.floor(chain.clock.currentSlot / chain.config.preset.SLOTS_PER_EPOCH);
  return chain.peekCheckpointState(epoch, chain.head().root) ?? chain.headState();
}

/** Runs a block-processing rule on a copy of the operation state, with signatures checked; refusals become 400s. */
function checkOnHeadState(chain: BeaconChain, what: string, apply: (cs: CachedState, bc: BlockContext) => void): void {
  const cs = cloneCachedState(operationState(chain));
  const bc: BlockContext = { executionEngine: acceptingExecutionEngine, signatureSets: [] };
  try {
    apply(cs, bc);
  } catch (e) {
    if (isSextantError(e)) throw invalid(`${what} is invalid: ${e.message}`);
    throw e;
  }
  const sets = bc.signatureSets ?? [];
  if (sets.length > 0 && !verifySignatureSets(sets).valid) throw invalid(`${what}: invalid signature`);
}

/** Offers an item to an OpPool adder whose structural refusals (OpPoolError) become 400s. */
function addToPool(what: string, add: () => boolean): OperationOutcome {
  try {
    return add() ? "added" : "known";
  } catch (e) {
    if (isSextantError(e)) throw invalid(`${what} is invalid: ${e.message}`);
    throw e;
  }
}

/** Validates and pools a SignedVoluntaryExit; emits `voluntary_exit` when new. */
export function submitVoluntaryExit(chain: BeaconChain, exit: SignedVoluntaryExit): OperationOutcome {
  checkOnHeadState(chain, "voluntary exit", (cs, bc) => processVoluntaryExit(cs, exit, bc));
  const outcome = addToPool("voluntary exit", () => chain.opPool.addVoluntaryExit(exit));
  if (outcome === "added") chain.events.emit({ topic: "voluntary_exit", data: exit });
  return outcome;
}

/** Validates and pools a ProposerSlashing; emits `proposer_slashing` when new. */
export function submitProposerSlashing(chain: BeaconChain, slashing: ProposerSlashing): OperationOutcome {
  checkOnHeadState(chain, "proposer slashing", (cs, bc) => processProposerSlashing(cs, slashing, bc));
  const outcome = addToPool("proposer slashing", () => chain.opPool.addProposerSlashing(slashing));
  if (outcome === "added") chain.events.emit({ topic: "proposer_slashing", data: slashing });
  return outcome;
}

/**
 * Validates and pools an AttesterSlashing (phase0 or electra shape); tells the fork choice about the equivocating
 * validators and emits `attester_slashing` when new.
 */
export function submitAttesterSlashing(chain: BeaconChain, slashing: AttesterSlashing): OperationOutcome {
  checkOnHeadState(chain, "attester slashing", (cs, bc) => processAttesterSlashing(cs, slashing, bc));
  const outcome = addToPool("attester slashing", () => chain.opPool.addAttesterSlashing(slashing));
  if (outcome === "added") {
    chain.forkChoice.onAttesterSlashing(slashing.attestation1.attestingIndices, slashing.attestation2.attestingIndices);
    chain.events.emit({ topic: "attester_slashing", data: slashing as never });
  }
  return outcome;
}

/** Validates and pools a SignedBLSToExecutionChange (capella on); emits `bls_to_execution_change` when new. */
export function submitBlsToExecutionChange(chain: BeaconChain, change: SignedBlsToExecutionChange): OperationOutcome {
  const head = operationState(chain);
  if (head.fork === "phase0" || head.fork === "altair" || head.fork === "bellatrix") {
    throw invalid(`BLS-to-execution changes are accepted from capella on (head state is ${head.fork})`);
  }
  checkOnHeadState(chain, "BLS-to-execution change", (cs, bc) => processBlsToExecutionChange(cs, change, bc));
  const outcome = addToPool("BLS-to-execution change", () => chain.opPool.addBlsToExecutionChange(change));
  if (outcome === "added") chain.events.emit({ topic: "bls_to_execution_change", data: change });
  return outcome;
}
