// process_bls_to_execution_change (capella beacon-chain.md, unchanged through fulu): a validator with BLS (0x00)
// withdrawal credentials switches to an execution address (0x01), signed by the BLS withdrawal key whose hash the
// credentials commit to. The signature (fork-agnostic domain) goes to the block's signature batch.
import { digest } from "@chainsafe/as-sha256";
import type { ValueOf } from "@chainsafe/ssz";
import { publicKeyFromBytes } from "../../../bls/keys.ts";
import { BLS_WITHDRAWAL_PREFIX, ETH1_ADDRESS_WITHDRAWAL_PREFIX } from "../../../params/constants.ts";
import { computeSigningRoot } from "../../../signing/domain.ts";
import { DOMAIN_BLS_TO_EXECUTION_CHANGE } from "../../../signing/domainTypes.ts";
import { currentEpoch, stateDomain } from "../../../state/accessors.ts";
import type { CachedState } from "../../../state/cachedState.ts";
import { check, TransitionError } from "../../../state/errors.ts";
import type { SszTypes } from "../../../types/sszTypes.ts";
import type { BlockContext } from "../../options.ts";

/** A SignedBLSToExecutionChange value. */
export type SignedBlsToExecutionChange = ValueOf<SszTypes["capella"]["SignedBLSToExecutionChange"]>;

const SIGNATURE_RULE =
  "process_bls_to_execution_change: bls.Verify(address_change.from_bls_pubkey, signing_root, signed_address_change.signature)";

/**
 * `process_bls_to_execution_change(state, signed_address_change)`: checks the index, the 0x00 prefix and that the
 * credentials are the hash of `from_bls_pubkey`, pushes the signature set to `bc.signatureSets` (when signatures are
 * checked; a `from_bls_pubkey` that is not a valid key fails at once with INVALID_SIGNATURE) and sets the
 * credentials to 0x01 ‖ 11 zero bytes ‖ `to_execution_address`. Throws INVALID_BLOCK naming the failed rule.
 */
export function processBlsToExecutionChange(
  cs: CachedState,
  signed: SignedBlsToExecutionChange,
  bc: BlockContext,
): void {
  const change = signed.message;
  const index = change.validatorIndex;
  const validators = cs.state.validators;
  check(
    index < validators.length,
    "process_bls_to_execution_change: address_change.validator_index < len(state.validators)",
    `validator index ${index}, ${validators.length} validators`,
  );
  const credentials = validators.getReadonly(index).withdrawalCredentials;
  check(
    credentials[0] === BLS_WITHDRAWAL_PREFIX,
    "process_bls_to_execution_change: validator.withdrawal_credentials[:1] == BLS_WITHDRAWAL_PREFIX",
    `validator ${index} has prefix 0x${credentials[0].toString(16).padStart(2, "0")}`,
  );
  const pubkeyHash = digest(change.fromBlsPubkey);
  let matches = true;
  for (let i = 1; i < 32; i++) if (credentials[i] !== pubkeyHash[i]) matches = false;
  check(
    matches,
    "process_bls_to_execution_change: validator.withdrawal_credentials[1:] == hash(address_change.from_bls_pubkey)[1:]",
    `validator ${index}`,
  );
  if (bc.signatureSets) {
    let publicKey: ReturnType<typeof publicKeyFromBytes>;
    try {
      publicKey = publicKeyFromBytes(change.fromBlsPubkey);
    } catch (e) {
      throw new TransitionError("INVALID_SIGNATURE", SIGNATURE_RULE, `from_bls_pubkey is not a valid public key: ${e}`);
    }
    const domain = stateDomain(cs, DOMAIN_BLS_TO_EXECUTION_CHANGE, currentEpoch(cs));
    const root = cs.config.types.capella.BLSToExecutionChange.hashTreeRoot(change);
    bc.signatureSets.push({ publicKey, message: computeSigningRoot(root, domain), signature: signed.signature });
  }
  const updated = new Uint8Array(32);
  updated[0] = ETH1_ADDRESS_WITHDRAWAL_PREFIX;
  updated.set(change.toExecutionAddress, 12);
  validators.get(index).withdrawalCredentials = updated;
}
