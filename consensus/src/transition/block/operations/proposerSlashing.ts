// process_proposer_slashing (phase0 beacon-chain.md, unchanged through fulu; the slashing penalties and rewards change
// per fork inside slash_validator): two different signed headers for the same slot by the same proposer slash it.
// The two header signatures go to the block's signature batch.
import type { ValueOf } from "@chainsafe/ssz";
import { DOMAIN_BEACON_PROPOSER } from "../../../signing/domainTypes.ts";
import {
  currentEpoch,
  epochOf,
  isSlashableValidator,
  singleSignatureSet,
  stateDomain,
  validatorAt,
} from "../../../state/accessors.ts";
import type { CachedState } from "../../../state/cachedState.ts";
import { check } from "../../../state/errors.ts";
import { slashValidator } from "../../../state/mutators.ts";
import type { SszTypes } from "../../../types/sszTypes.ts";
import { bytesEqual } from "../../../util/bytes.ts";
import type { BlockContext } from "../../options.ts";

/** A ProposerSlashing value. */
export type ProposerSlashing = ValueOf<SszTypes["phase0"]["ProposerSlashing"]>;
type BeaconBlockHeader = ValueOf<SszTypes["phase0"]["BeaconBlockHeader"]>;

/** Two BeaconBlockHeader values are equal field by field. */
export function headersEqual(a: BeaconBlockHeader, b: BeaconBlockHeader): boolean {
  return (
    a.slot === b.slot &&
    a.proposerIndex === b.proposerIndex &&
    bytesEqual(a.parentRoot, b.parentRoot) &&
    bytesEqual(a.stateRoot, b.stateRoot) &&
    bytesEqual(a.bodyRoot, b.bodyRoot)
  );
}

/**
 * `process_proposer_slashing(state, proposer_slashing)`: checks the two headers (same slot, same proposer, not
 * equal, proposer slashable now), pushes both header signatures to `bc.signatureSets` (when signatures are checked)
 * and slashes the proposer. Throws INVALID_BLOCK naming the failed rule.
 */
export function processProposerSlashing(cs: CachedState, slashing: ProposerSlashing, bc: BlockContext): void {
  const header1 = slashing.signedHeader1.message;
  const header2 = slashing.signedHeader2.message;
  check(
    header1.slot === header2.slot,
    "process_proposer_slashing: header_1.slot == header_2.slot",
    `slots ${header1.slot} and ${header2.slot}`,
  );
  check(
    header1.proposerIndex === header2.proposerIndex,
    "process_proposer_slashing: header_1.proposer_index == header_2.proposer_index",
    `proposers ${header1.proposerIndex} and ${header2.proposerIndex}`,
  );
  check(!headersEqual(header1, header2), "process_proposer_slashing: header_1 != header_2");
  const index = header1.proposerIndex;
  const proposer = validatorAt(cs, index, "process_proposer_slashing: header_1.proposer_index < len(state.validators)");
  check(
    isSlashableValidator(proposer, currentEpoch(cs)),
    "process_proposer_slashing: is_slashable_validator(proposer, get_current_epoch(state))",
    `validator ${index}`,
  );
  if (bc.signatureSets) {
    const headerType = cs.config.types.phase0.BeaconBlockHeader;
    for (const signed of [slashing.signedHeader1, slashing.signedHeader2]) {
      const domain = stateDomain(cs, DOMAIN_BEACON_PROPOSER, epochOf(cs, signed.message.slot));
      bc.signatureSets.push(
        singleSignatureSet(cs, index, headerType.hashTreeRoot(signed.message), domain, signed.signature),
      );
    }
  }
  slashValidator(cs, index);
}
