// The spec's helper functions that read a state (beacon-chain.md "Helper functions", every fork): epochs, block
// roots, RANDAO mixes, validator predicates, attesting indices, indexed attestations, domains and signature sets.
// Functions take the CachedState so they can use its caches; the state itself is never modified here.
import type { ValueOf } from "@chainsafe/ssz";
import type { SignatureSet } from "../bls/batch.ts";
import {
  COMPOUNDING_WITHDRAWAL_PREFIX,
  ETH1_ADDRESS_WITHDRAWAL_PREFIX,
  FAR_FUTURE_EPOCH,
} from "../params/constants.ts";
import { computeSigningRoot, DomainCache, fixedDomainInputs } from "../signing/domain.ts";
import { DOMAIN_BEACON_ATTESTER, type DomainType } from "../signing/domainTypes.ts";
import type { SszTypes } from "../types/sszTypes.ts";
import { bytesEqual } from "../util/bytes.ts";
import type { CachedState } from "./cachedState.ts";
import { statePubkeyReader } from "./epochContext.ts";
import { check } from "./errors.ts";
import { type AnyState, atLeast, type StateElectra } from "./types.ts";

/** A Validator record as plain values. */
export type Validator = ValueOf<SszTypes["phase0"]["Validator"]>;
export type AttestationData = ValueOf<SszTypes["phase0"]["AttestationData"]>;
export type IndexedAttestation = ValueOf<SszTypes["phase0"]["IndexedAttestation"]>;
export type Phase0Attestation = ValueOf<SszTypes["phase0"]["Attestation"]>;
export type ElectraAttestation = ValueOf<SszTypes["electra"]["Attestation"]>;

// --- Epochs and history

/** `get_current_epoch(state)`. */
export function currentEpoch(cs: CachedState): number {
  return Math.floor(cs.state.slot / cs.config.preset.SLOTS_PER_EPOCH);
}

/** `get_previous_epoch(state)`: the current epoch minus one, or genesis. */
export function previousEpoch(cs: CachedState): number {
  const epoch = currentEpoch(cs);
  return epoch === 0 ? 0 : epoch - 1;
}

/** `compute_start_slot_at_epoch`. */
export function startSlot(cs: CachedState, epoch: number): number {
  return epoch * cs.config.preset.SLOTS_PER_EPOCH;
}

/** `compute_epoch_at_slot`. */
export function epochOf(cs: CachedState, slot: number): number {
  return Math.floor(slot / cs.config.preset.SLOTS_PER_EPOCH);
}

/** `compute_activation_exit_epoch(epoch)`: epoch + 1 + MAX_SEED_LOOKAHEAD. */
export function computeActivationExitEpoch(cs: CachedState, epoch: number): number {
  return epoch + 1 + cs.config.preset.MAX_SEED_LOOKAHEAD;
}

/** `get_randao_mix(state, epoch)`. */
export function getRandaoMix(cs: CachedState, epoch: number): Uint8Array {
  return cs.state.randaoMixes.get(epoch % cs.config.preset.EPOCHS_PER_HISTORICAL_VECTOR);
}

/** `get_block_root_at_slot(state, slot)`: asserts slot < state.slot <= slot + SLOTS_PER_HISTORICAL_ROOT. */
export function getBlockRootAtSlot(cs: CachedState, slot: number): Uint8Array {
  const history = cs.config.preset.SLOTS_PER_HISTORICAL_ROOT;
  check(
    slot < cs.state.slot && cs.state.slot <= slot + history,
    "get_block_root_at_slot: slot < state.slot <= slot + SLOTS_PER_HISTORICAL_ROOT",
    `slot ${slot}, state slot ${cs.state.slot}`,
  );
  return cs.state.blockRoots.get(slot % history);
}

/** `get_block_root(state, epoch)`: the root of the epoch's first slot. */
export function getBlockRoot(cs: CachedState, epoch: number): Uint8Array {
  return getBlockRootAtSlot(cs, startSlot(cs, epoch));
}

// --- Validator predicates

/** `is_active_validator`. */
export function isActiveValidator(v: Validator, epoch: number): boolean {
  return v.activationEpoch <= epoch && epoch < v.exitEpoch;
}

/** `is_slashable_validator`. */
export function isSlashableValidator(v: Validator, epoch: number): boolean {
  return !v.slashed && v.activationEpoch <= epoch && epoch < v.withdrawableEpoch;
}

/** `is_slashable_attestation_data`: a double vote or a surround vote. */
export function isSlashableAttestationData(a: AttestationData, b: AttestationData): boolean {
  const doubleVote = !attestationDataEqual(a, b) && a.target.epoch === b.target.epoch;
  const surroundVote = a.source.epoch < b.source.epoch && b.target.epoch < a.target.epoch;
  return doubleVote || surroundVote;
}

/** Two AttestationData values are the same (field by field). */
export function attestationDataEqual(a: AttestationData, b: AttestationData): boolean {
  return (
    a.slot === b.slot &&
    a.index === b.index &&
    bytesEqual(a.beaconBlockRoot, b.beaconBlockRoot) &&
    a.source.epoch === b.source.epoch &&
    bytesEqual(a.source.root, b.source.root) &&
    a.target.epoch === b.target.epoch &&
    bytesEqual(a.target.root, b.target.root)
  );
}

/** `has_eth1_withdrawal_credential` (0x01). */
export function hasEth1WithdrawalCredential(v: Pick<Validator, "withdrawalCredentials">): boolean {
  return v.withdrawalCredentials[0] === ETH1_ADDRESS_WITHDRAWAL_PREFIX;
}

/** `has_compounding_withdrawal_credential` (0x02, electra). */
export function hasCompoundingWithdrawalCredential(v: Pick<Validator, "withdrawalCredentials">): boolean {
  return v.withdrawalCredentials[0] === COMPOUNDING_WITHDRAWAL_PREFIX;
}

/** `has_execution_withdrawal_credential`: 0x01, or (electra) 0x02. */
export function hasExecutionWithdrawalCredential(
  v: Pick<Validator, "withdrawalCredentials">,
  cs: CachedState,
): boolean {
  return hasEth1WithdrawalCredential(v) || (atLeast(cs.fork, "electra") && hasCompoundingWithdrawalCredential(v));
}

/** `get_max_effective_balance(validator)`: 2048 ETH for compounding validators from electra, else 32 ETH. */
export function getMaxEffectiveBalance(cs: CachedState, v: Pick<Validator, "withdrawalCredentials">): number {
  const { preset } = cs.config;
  return atLeast(cs.fork, "electra") && hasCompoundingWithdrawalCredential(v)
    ? preset.MAX_EFFECTIVE_BALANCE_ELECTRA
    : preset.MAX_EFFECTIVE_BALANCE;
}

/** `is_eligible_for_activation_queue` (electra: balance ≥ MIN_ACTIVATION_BALANCE). */
export function isEligibleForActivationQueue(cs: CachedState, v: Validator): boolean {
  const { preset } = cs.config;
  const threshold = atLeast(cs.fork, "electra") ? preset.MIN_ACTIVATION_BALANCE : preset.MAX_EFFECTIVE_BALANCE;
  return v.activationEligibilityEpoch === FAR_FUTURE_EPOCH && v.effectiveBalance >= threshold;
}

/** `is_eligible_for_activation`: queued and finalized. */
export function isEligibleForActivation(cs: CachedState, v: Validator): boolean {
  return v.activationEligibilityEpoch <= cs.state.finalizedCheckpoint.epoch && v.activationEpoch === FAR_FUTURE_EPOCH;
}

/** Validator `index` as plain values (throws INVALID_BLOCK when out of range). */
export function validatorAt(cs: CachedState, index: number, rule: string): Validator {
  check(
    Number.isInteger(index) && index >= 0 && index < cs.state.validators.length,
    rule,
    `validator index ${index} out of range`,
  );
  return cs.state.validators.getReadonly(index) as unknown as Validator;
}

/** electra's `get_pending_balance_to_withdraw(state, validator_index)`. */
export function getPendingBalanceToWithdraw(cs: CachedState, index: number): number {
  let total = 0;
  for (const w of (cs.state as StateElectra).pendingPartialWithdrawals.getAllReadonly()) {
    if (w.validatorIndex === index) total += w.amount;
  }
  return total;
}

// --- Attestations

/**
 * `get_attesting_indices(state, attestation)`: phase0 … deneb from the committee of data.index; electra and later
 * from every committee named by committee_bits, in committee order. Asserts the bit-list lengths.
 */
export function getAttestingIndices(cs: CachedState, attestation: Phase0Attestation | ElectraAttestation): number[] {
  const { data } = attestation;
  const bits = attestation.aggregationBits;
  const out: number[] = [];
  if (atLeast(cs.fork, "electra")) {
    const committeeBits = (attestation as ElectraAttestation).committeeBits;
    const committeesPerSlot = cs.ctx.getCommitteeCountPerSlot(epochOf(cs, data.slot));
    let offset = 0;
    for (const index of committeeBits.getTrueBitIndexes()) {
      check(
        index < committeesPerSlot,
        "process_attestation: committee_index < get_committee_count_per_slot",
        `committee ${index}`,
      );
      const committee = cs.ctx.getBeaconCommittee(data.slot, index);
      for (let i = 0; i < committee.length; i++) if (bits.get(offset + i)) out.push(committee[i]);
      offset += committee.length;
    }
    check(
      bits.bitLen === offset,
      "process_attestation: len(attestation.aggregation_bits) == committee_offset",
      `${bits.bitLen} bits for ${offset} members`,
    );
    return out;
  }
  const committee = cs.ctx.getBeaconCommittee(data.slot, data.index);
  check(
    bits.bitLen === committee.length,
    "process_attestation: len(attestation.aggregation_bits) == len(committee)",
    `${bits.bitLen} bits for ${committee.length} members`,
  );
  for (let i = 0; i < committee.length; i++) if (bits.get(i)) out.push(committee[i]);
  return out;
}

/** `get_indexed_attestation(state, attestation)`: sorted attesting indices. */
export function getIndexedAttestation(
  cs: CachedState,
  attestation: Phase0Attestation | ElectraAttestation,
): IndexedAttestation {
  const indices = getAttestingIndices(cs, attestation);
  indices.sort((a, b) => a - b);
  return { attestingIndices: indices, data: attestation.data, signature: attestation.signature };
}

/**
 * `is_valid_indexed_attestation` without the signature check, which is returned as a set to verify in the block's
 * batch: non-empty, sorted and unique, every index in the registry. Throws INVALID_BLOCK naming `rule` otherwise.
 */
export function indexedAttestationSignatureSet(
  cs: CachedState,
  indexed: IndexedAttestation,
  rule: string,
): SignatureSet {
  const indices = indexed.attestingIndices;
  check(indices.length > 0, rule, "is_valid_indexed_attestation: attesting indices must not be empty");
  const count = cs.state.validators.length;
  for (let i = 0; i < indices.length; i++) {
    if (i > 0)
      check(indices[i - 1] < indices[i], rule, "is_valid_indexed_attestation: indices must be sorted and unique");
    check(indices[i] < count, rule, `is_valid_indexed_attestation: validator index ${indices[i]} out of range`);
  }
  const read = statePubkeyReader(cs.state);
  const domain = stateDomain(cs, DOMAIN_BEACON_ATTESTER, indexed.data.target.epoch);
  const root = computeSigningRoot(cs.config.types.phase0.AttestationData.hashTreeRoot(indexed.data), domain);
  return {
    publicKey: indices.map((i) => cs.ctx.pubkeys.publicKey(i, read)),
    message: root,
    signature: indexed.signature,
  };
}

// --- Domains and signatures

/** One DomainCache per chain (a chain is identified by its shared pubkey cache and has one genesis root). */
const domainCaches = new WeakMap<object, DomainCache>();

/**
 * `get_domain(state, domain_type, epoch)` from the state's own fork record, with the spec's fixed cases
 * (deposits, BLS-to-execution changes, deneb+ voluntary exits: `fixedDomainInputs`). Cached per chain.
 */
export function stateDomain(cs: CachedState, domainType: DomainType, epoch: number): Uint8Array {
  let cache = domainCaches.get(cs.ctx.pubkeys);
  if (cache === undefined) {
    cache = new DomainCache(cs.config.chain, cs.state.genesisValidatorsRoot);
    domainCaches.set(cs.ctx.pubkeys, cache);
  }
  const fixed = fixedDomainInputs(cs.config.chain, domainType, atLeast(cs.fork, "deneb"));
  if (fixed !== undefined) return cache.domainAt(domainType, fixed.forkVersion, fixed.withGenesisRoot);
  const fork = cs.state.fork;
  return cache.domainAt(domainType, epoch < fork.epoch ? fork.previousVersion : fork.currentVersion);
}

/** A signature set for one validator's signature over an object root. */
export function singleSignatureSet(
  cs: CachedState,
  index: number,
  objectRoot: Uint8Array,
  domain: Uint8Array,
  signature: Uint8Array,
): SignatureSet {
  return {
    publicKey: cs.ctx.pubkeys.publicKey(index, statePubkeyReader(cs.state)),
    message: computeSigningRoot(objectRoot, domain),
    signature,
  };
}

/** Every state's validator count, balance and flags live in the tree: this reads one balance. */
export function balanceOf(state: AnyState, index: number): number {
  return state.balances.get(index);
}
