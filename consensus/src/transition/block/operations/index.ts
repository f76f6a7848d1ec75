// process_operations of every fork, for the operation lists of the block body: the deposit-count rule (electra:
// eth1 deposits stop at deposit_requests_start_index), then proposer slashings, attester slashings, attestations,
// deposits, voluntary exits and (capella+) BLS-to-execution changes, in that order. Electra's execution-layer
// requests (deposit, withdrawal and consolidation requests) come after these lists and are processed by the caller
// (block/index.ts), which calls this first.

import type { CachedState } from "../../../state/cachedState.ts";
import { check } from "../../../state/errors.ts";
import { atLeast, type ElectraPlusState } from "../../../state/types.ts";
import type { AnyBeaconBlockBody, BeaconBlockBodyOf } from "../../blockTypes.ts";
import type { BlockContext } from "../../options.ts";
import { type Attestation, processAttestations } from "./attestation.ts";
import { processAttesterSlashing } from "./attesterSlashing.ts";
import { processBlsToExecutionChange } from "./blsToExecutionChange.ts";
import { processDeposit } from "./deposit.ts";
import { processProposerSlashing } from "./proposerSlashing.ts";
import { processVoluntaryExit } from "./voluntaryExit.ts";

export { type Attestation, processAttestation, processAttestations } from "./attestation.ts";
export { type AttesterSlashing, processAttesterSlashing } from "./attesterSlashing.ts";
export { processBlsToExecutionChange, type SignedBlsToExecutionChange } from "./blsToExecutionChange.ts";
export {
  applyDeposit,
  type Deposit,
  isValidDepositSignature,
  isValidMerkleBranch,
  processDeposit,
} from "./deposit.ts";
export { type ProposerSlashing, processProposerSlashing } from "./proposerSlashing.ts";
export { processVoluntaryExit, type SignedVoluntaryExit } from "./voluntaryExit.ts";

const PHASE0_DEPOSITS_RULE =
  "process_operations: len(body.deposits) == min(MAX_DEPOSITS, state.eth1_data.deposit_count - state.eth1_deposit_index)";
const ELECTRA_DEPOSITS_RULE =
  "process_operations: len(body.deposits) == min(MAX_DEPOSITS, eth1_deposit_index_limit - state.eth1_deposit_index)";
const ELECTRA_NO_DEPOSITS_RULE = "process_operations: len(body.deposits) == 0";

/** How many deposits a block must carry, and the spec rule that says so. */
export interface DepositExpectation {
  readonly count: number;
  readonly rule: string;
}

/**
 * The number of deposits a block at this state must carry: phase0 … deneb
 * min(MAX_DEPOSITS, eth1_data.deposit_count - eth1_deposit_index); electra and later the same up to
 * eth1_deposit_index_limit = min(eth1_data.deposit_count, deposit_requests_start_index), and none once the index
 * reached that limit. Throws INVALID_BLOCK (phase0 … deneb) when deposit_count is below eth1_deposit_index, where
 * the spec's uint64 subtraction fails.
 */
export function expectedDeposits(cs: CachedState): DepositExpectation {
  const state = cs.state;
  const maxDeposits = cs.config.preset.MAX_DEPOSITS;
  const depositIndex = state.eth1DepositIndex;
  const depositCount = state.eth1Data.depositCount;
  if (atLeast(cs.fork, "electra")) {
    const startIndex = (state as ElectraPlusState).depositRequestsStartIndex;
    const limit = BigInt(depositCount) < startIndex ? BigInt(depositCount) : startIndex;
    if (BigInt(depositIndex) < limit) {
      const outstanding = limit - BigInt(depositIndex);
      return {
        count: outstanding < BigInt(maxDeposits) ? Number(outstanding) : maxDeposits,
        rule: ELECTRA_DEPOSITS_RULE,
      };
    }
    return { count: 0, rule: ELECTRA_NO_DEPOSITS_RULE };
  }
  check(
    depositCount >= depositIndex,
    PHASE0_DEPOSITS_RULE,
    `eth1_data.deposit_count ${depositCount} is below eth1_deposit_index ${depositIndex}`,
  );
  return { count: Math.min(maxDeposits, depositCount - depositIndex), rule: PHASE0_DEPOSITS_RULE };
}

/**
 * `process_operations(state, body)` for the state's fork, except electra's execution requests (see the file
 * comment): checks the number of deposits, then applies every operation list in the spec's order. Signature sets
 * of slashings, attestations, exits and BLS changes go to `bc.signatureSets` when non-null; deposit signatures are
 * checked at once. Throws INVALID_BLOCK naming the failed rule.
 */
export function processOperations(cs: CachedState, body: AnyBeaconBlockBody, bc: BlockContext): void {
  const expected = expectedDeposits(cs);
  check(
    body.deposits.length === expected.count,
    expected.rule,
    `${body.deposits.length} deposits, expected ${expected.count}`,
  );

  for (const slashing of body.proposerSlashings) processProposerSlashing(cs, slashing, bc);
  for (const slashing of body.attesterSlashings) processAttesterSlashing(cs, slashing, bc);
  processAttestations(cs, body.attestations as readonly Attestation[], bc);
  for (const deposit of body.deposits) processDeposit(cs, deposit);
  for (const exit of body.voluntaryExits) processVoluntaryExit(cs, exit, bc);
  if (atLeast(cs.fork, "capella")) {
    for (const change of (body as BeaconBlockBodyOf<"capella">).blsToExecutionChanges) {
      processBlsToExecutionChange(cs, change, bc);
    }
  }
}
