// process_attester_slashing (phase0 beacon-chain.md; electra only widens the IndexedAttestation lists): two
// conflicting attestations (a double or a surround vote) slash every slashable validator that signed both. Both
// aggregate signatures go to the block's signature batch.
import type { ValueOf } from "@chainsafe/ssz";
import {
  currentEpoch,
  type IndexedAttestation,
  indexedAttestationSignatureSet,
  isSlashableAttestationData,
  isSlashableValidator,
  type Validator,
} from "../../../state/accessors.ts";
import type { CachedState } from "../../../state/cachedState.ts";
import { check } from "../../../state/errors.ts";
import { slashValidator } from "../../../state/mutators.ts";
import type { SszTypes } from "../../../types/sszTypes.ts";
import type { BlockContext } from "../../options.ts";

/** An AttesterSlashing value of any fork (phase0's and electra's differ only in list limits). */
export type AttesterSlashing =
  | ValueOf<SszTypes["phase0"]["AttesterSlashing"]>
  | ValueOf<SszTypes["electra"]["AttesterSlashing"]>;

/** The ascending intersection of two ascending index lists. */
function sortedIntersection(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]);
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return out;
}

/**
 * `process_attester_slashing(state, attester_slashing)`: checks that the two attestations conflict and are valid
 * indexed attestations (signatures pushed to `bc.signatureSets` when checked), then slashes, in ascending order,
 * each validator in both that is slashable; at least one must be. Throws INVALID_BLOCK naming the failed rule.
 */
export function processAttesterSlashing(cs: CachedState, slashing: AttesterSlashing, bc: BlockContext): void {
  const attestation1 = slashing.attestation1 as IndexedAttestation;
  const attestation2 = slashing.attestation2 as IndexedAttestation;
  check(
    isSlashableAttestationData(attestation1.data, attestation2.data),
    "process_attester_slashing: is_slashable_attestation_data(attestation_1.data, attestation_2.data)",
  );
  // Validates both (non-empty, sorted, unique, in the registry) even when signatures are not checked.
  const set1 = indexedAttestationSignatureSet(
    cs,
    attestation1,
    "process_attester_slashing: is_valid_indexed_attestation(state, attestation_1)",
  );
  const set2 = indexedAttestationSignatureSet(
    cs,
    attestation2,
    "process_attester_slashing: is_valid_indexed_attestation(state, attestation_2)",
  );
  if (bc.signatureSets) bc.signatureSets.push(set1, set2);

  const epoch = currentEpoch(cs);
  let slashedAny = false;
  for (const index of sortedIntersection(attestation1.attestingIndices, attestation2.attestingIndices)) {
    const validator = cs.state.validators.getReadonly(index) as unknown as Validator;
    if (isSlashableValidator(validator, epoch)) {
      slashValidator(cs, index);
      slashedAny = true;
    }
  }
  check(slashedAny, "process_attester_slashing: slashed_any", "no validator in both attestations is slashable");
}
