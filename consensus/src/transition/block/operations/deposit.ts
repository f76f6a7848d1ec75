// process_deposit (phase0 beacon-chain.md; electra's apply_deposit queues the amount as a pending deposit): a deposit
// from the eth1 deposit contract, proven against state.eth1_data.deposit_root, either registers a new validator
// (when its proof-of-possession signature verifies; otherwise the deposit is consumed and ignored) or tops up an
// existing one. Deposit signatures are verified here, one by one, because their outcome changes the state rather
// than the block's validity.
import { digest2Bytes32 } from "@chainsafe/as-sha256";
import type { ValueOf } from "@chainsafe/ssz";
import { publicKeyFromBytes } from "../../../bls/keys.ts";
import { verify } from "../../../bls/verify.ts";
import { DEPOSIT_CONTRACT_TREE_DEPTH, GENESIS_SLOT } from "../../../params/constants.ts";
import { computeSigningRoot } from "../../../signing/domain.ts";
import { DOMAIN_DEPOSIT } from "../../../signing/domainTypes.ts";
import { currentEpoch, stateDomain } from "../../../state/accessors.ts";
import type { CachedState } from "../../../state/cachedState.ts";
import { statePubkeyReader } from "../../../state/epochContext.ts";
import { check } from "../../../state/errors.ts";
import { addValidatorToRegistry, increaseBalance } from "../../../state/mutators.ts";
import { atLeast, type ElectraPlusState } from "../../../state/types.ts";
import type { SszTypes } from "../../../types/sszTypes.ts";
import { bytesEqual } from "../../../util/bytes.ts";

/** A Deposit value (Merkle proof and DepositData). */
export type Deposit = ValueOf<SszTypes["phase0"]["Deposit"]>;

/**
 * `is_valid_merkle_branch(leaf, branch, depth, index, root)`: whether `leaf` sits at `index` of a tree of `depth`
 * levels with root `root`, given the sibling of each level in `branch`.
 */
export function isValidMerkleBranch(
  leaf: Uint8Array,
  branch: readonly Uint8Array[],
  depth: number,
  index: number,
  root: Uint8Array,
): boolean {
  if (branch.length < depth) return false;
  let value = leaf;
  let position = index;
  for (let i = 0; i < depth; i++) {
    value = position % 2 === 1 ? digest2Bytes32(branch[i], value) : digest2Bytes32(value, branch[i]);
    position = Math.floor(position / 2);
  }
  return bytesEqual(value, root);
}

/**
 * `is_valid_deposit_signature(pubkey, withdrawal_credentials, amount, signature)`: the proof of possession over the
 * DepositMessage with the fork-agnostic deposit domain. An undecodable pubkey or signature is simply invalid.
 */
export function isValidDepositSignature(
  cs: CachedState,
  pubkey: Uint8Array,
  withdrawalCredentials: Uint8Array,
  amount: number,
  signature: Uint8Array,
): boolean {
  let publicKey: ReturnType<typeof publicKeyFromBytes>;
  try {
    publicKey = publicKeyFromBytes(pubkey);
  } catch {
    return false;
  }
  const messageRoot = cs.config.types.phase0.DepositMessage.hashTreeRoot({ pubkey, withdrawalCredentials, amount });
  const domain = stateDomain(cs, DOMAIN_DEPOSIT, currentEpoch(cs));
  return verify(publicKey, computeSigningRoot(messageRoot, domain), signature);
}

/**
 * `apply_deposit(state, pubkey, withdrawal_credentials, amount, signature)` of the state's fork. phase0 … deneb: a new
 * pubkey with a valid signature becomes a validator with `amount`, a known pubkey gets `amount` added. Electra and
 * later: a new pubkey with a valid signature becomes a validator with zero balance, and the amount (new or top-up)
 * is queued in `pending_deposits`. A new pubkey with an invalid signature changes nothing.
 */
export function applyDeposit(
  cs: CachedState,
  pubkey: Uint8Array,
  withdrawalCredentials: Uint8Array,
  amount: number,
  signature: Uint8Array,
): void {
  const state = cs.state;
  const index = cs.ctx.pubkeys.indexOf(pubkey, state.validators.length, statePubkeyReader(state));
  const electra = atLeast(cs.fork, "electra");
  if (index === undefined) {
    if (!isValidDepositSignature(cs, pubkey, withdrawalCredentials, amount, signature)) return;
    addValidatorToRegistry(cs, pubkey, withdrawalCredentials, electra ? 0 : amount);
    if (!electra) return;
  } else if (!electra) {
    increaseBalance(cs, index, amount);
    return;
  }
  (state as ElectraPlusState).pendingDeposits.push(
    cs.config.types.electra.PendingDeposit.toViewDU({
      pubkey,
      withdrawalCredentials,
      amount,
      signature,
      slot: GENESIS_SLOT,
    }),
  );
}

/**
 * `process_deposit(state, deposit)`: verifies the Merkle branch of `deposit.data` at `state.eth1_deposit_index`
 * against `state.eth1_data.deposit_root` (depth DEPOSIT_CONTRACT_TREE_DEPTH + 1 for the length mix-in), advances
 * the index and applies the deposit. Throws INVALID_BLOCK when the proof does not verify.
 */
export function processDeposit(cs: CachedState, deposit: Deposit): void {
  const state = cs.state;
  const leaf = cs.config.types.phase0.DepositData.hashTreeRoot(deposit.data);
  check(
    isValidMerkleBranch(
      leaf,
      deposit.proof,
      DEPOSIT_CONTRACT_TREE_DEPTH + 1,
      state.eth1DepositIndex,
      state.eth1Data.depositRoot,
    ),
    "process_deposit: is_valid_merkle_branch(leaf=hash_tree_root(deposit.data), branch=deposit.proof, " +
      "depth=DEPOSIT_CONTRACT_TREE_DEPTH + 1, index=state.eth1_deposit_index, root=state.eth1_data.deposit_root)",
    `deposit index ${state.eth1DepositIndex}`,
  );
  state.eth1DepositIndex = state.eth1DepositIndex + 1;
  const { pubkey, withdrawalCredentials, amount, signature } = deposit.data;
  applyDeposit(cs, pubkey, withdrawalCredentials, amount, signature);
}
