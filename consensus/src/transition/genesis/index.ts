// Genesis: phase0 `initialize_beacon_state_from_eth1` with each later fork's genesis layout (the fork versions,
// sync committees, execution payload header, electra's deposit fields, fulu's proposer lookahead) as interop
// tooling and Lodestar build it, the interop "mocked start" (`createInteropGenesisState`), `is_valid_genesis_state`
// and loading a genesis state from SSZ bytes with the checks a node needs before trusting it.
import type { ValueOf } from "@chainsafe/ssz";
import { SextantError } from "@sextant/common/errors";
import { publicKeyFromBytes } from "../../bls/keys.ts";
import { aggregatePublicKeys } from "../../bls/verify.ts";
import { computeSeed, randaoMixIndexForSeed } from "../../committees/seed.ts";
import { computeSyncCommitteeIndices } from "../../committees/selection.ts";
import {
  COMPOUNDING_WITHDRAWAL_PREFIX,
  FAR_FUTURE_EPOCH,
  GENESIS_EPOCH,
  GENESIS_SLOT,
  UNSET_DEPOSIT_REQUESTS_START_INDEX,
} from "../../params/constants.ts";
import { type ForkName, isForkAtLeast } from "../../params/forkName.ts";
import { forkNameAtEpoch, forkVersion } from "../../params/forkSchedule.ts";
import { DOMAIN_SYNC_COMMITTEE } from "../../signing/domainTypes.ts";
import { type CachedState, createCachedState, forkOfStateBytes, loadCachedState } from "../../state/cachedState.ts";
import type { PubkeyCache } from "../../state/pubkeyCache.ts";
import type { AnyState, BeaconConfig, StateFulu } from "../../state/types.ts";
import type { SszTypes } from "../../types/sszTypes.ts";
import { toHex } from "../../util/hex.ts";
import {
  type DepositData,
  depositDataListRoot,
  depositDomain,
  interopDepositData,
  isValidDepositSignature,
} from "./deposits.ts";

export {
  blsWithdrawalCredentials,
  type DepositData,
  depositDataListRoot,
  depositDomain,
  interopDepositData,
  isValidDepositSignature,
} from "./deposits.ts";

import { bytesEqual } from "../../util/bytes.ts";

/** The interop mocked start's eth1 block hash (0x42 repeated) and timestamp (2**40). */
export const INTEROP_ETH1_BLOCK_HASH: Uint8Array = new Uint8Array(32).fill(0x42);
export const INTEROP_ETH1_TIMESTAMP = 2 ** 40;

export type GenesisErrorCode = "INVALID_GENESIS_STATE" | "INVALID_GENESIS_REQUEST";

/** A genesis state that cannot be built or does not hold what a genesis state must. */
export class GenesisError extends SextantError<GenesisErrorCode> {
  constructor(code: GenesisErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
    this.name = "GenesisError";
  }
}

/** An execution payload header of any merged fork, as a plain value. */
export type ExecutionPayloadHeaderValue = ValueOf<SszTypes["deneb"]["ExecutionPayloadHeader"]> | object;

export interface Eth1GenesisOptions {
  readonly eth1BlockHash: Uint8Array;
  readonly eth1Timestamp: number;
  /** The deposits in deposit-contract order (their Merkle proofs are not needed: the root is computed here). */
  readonly deposits: readonly DepositData[];
  /** The genesis state's fork; default the fork in effect at epoch 0 of the config. */
  readonly fork?: ForkName;
  /** latest_execution_payload_header for bellatrix and later (default: the empty header). */
  readonly executionPayloadHeader?: ExecutionPayloadHeaderValue;
  /**
   * Check each new validator's deposit signature as `apply_deposit` does (default true). Interop deposits, signed
   * here, skip it.
   */
  readonly verifyDepositSignatures?: boolean;
  /** Overrides genesis_time (eth1_timestamp + GENESIS_DELAY by default), as the interop mocked start does. */
  readonly genesisTime?: number;
  /** The chain's shared pubkey cache, if any. */
  readonly pubkeys?: PubkeyCache;
}

/**
 * `initialize_beacon_state_from_eth1(eth1_block_hash, eth1_timestamp, deposits)` for a genesis state of `fork`:
 * the deposits applied in order (a new key's deposit with an invalid signature is skipped, a known key's deposit
 * tops it up; electra and later queue them as pending deposits and apply the queue at once, which gives the same
 * balances), validators with a full effective balance activated at GENESIS_EPOCH, and the fork's own genesis
 * fields: fork version (previous and current both the genesis fork's, as interop tooling writes it), sync
 * committees, execution payload header, deposit_requests_start_index unset, proposer lookahead.
 */
export function initializeBeaconStateFromEth1(config: BeaconConfig, opts: Eth1GenesisOptions): CachedState {
  const { chain, preset, types } = config;
  const fork = opts.fork ?? forkNameAtEpoch(chain, GENESIS_EPOCH);
  const electra = isForkAtLeast(fork, "electra");
  if (opts.eth1BlockHash.length !== 32) {
    throw new GenesisError(
      "INVALID_GENESIS_REQUEST",
      `eth1 block hash must be 32 bytes, got ${opts.eth1BlockHash.length}`,
    );
  }
  const verifySignatures = opts.verifyDepositSignatures ?? true;
  const domain = depositDomain(config);

  // Process deposits (apply_deposit): new keys append a validator, known keys add to its balance.
  const indexByPubkey = new Map<string, number>();
  const pubkeys: Uint8Array[] = [];
  const credentials: Uint8Array[] = [];
  const balances: number[] = [];
  for (const deposit of opts.deposits) {
    const key = toHex(deposit.pubkey);
    const index = indexByPubkey.get(key);
    if (index !== undefined) {
      balances[index] += deposit.amount;
      continue;
    }
    if (verifySignatures && !isValidDepositSignature(config, deposit, domain)) continue;
    indexByPubkey.set(key, pubkeys.length);
    pubkeys.push(deposit.pubkey);
    credentials.push(deposit.withdrawalCredentials);
    balances.push(deposit.amount);
  }

  // Process activations: effective balance from the balance, activation when it is full.
  const count = pubkeys.length;
  const effectiveBalances = new Float64Array(count);
  const validators = new Array(count);
  const active: number[] = [];
  for (let i = 0; i < count; i++) {
    const balance = balances[i];
    const maxEffective =
      electra && credentials[i][0] === COMPOUNDING_WITHDRAWAL_PREFIX
        ? preset.MAX_EFFECTIVE_BALANCE_ELECTRA
        : preset.MAX_EFFECTIVE_BALANCE;
    const effectiveBalance = Math.min(balance - (balance % preset.EFFECTIVE_BALANCE_INCREMENT), maxEffective);
    const activated = effectiveBalance >= preset.MAX_EFFECTIVE_BALANCE;
    effectiveBalances[i] = effectiveBalance;
    if (activated) active.push(i);
    validators[i] = {
      pubkey: pubkeys[i],
      withdrawalCredentials: credentials[i],
      effectiveBalance,
      slashed: false,
      activationEligibilityEpoch: activated ? GENESIS_EPOCH : FAR_FUTURE_EPOCH,
      activationEpoch: activated ? GENESIS_EPOCH : FAR_FUTURE_EPOCH,
      exitEpoch: FAR_FUTURE_EPOCH,
      withdrawableEpoch: FAR_FUTURE_EPOCH,
    };
  }

  const stateType = types[fork].BeaconState;
  // biome-ignore lint/suspicious/noExplicitAny: the fields of every fork's BeaconState are set one by one
  const s: any = stateType.defaultValue();
  const version = forkVersion(chain, fork);
  s.genesisTime = opts.genesisTime ?? opts.eth1Timestamp + chain.GENESIS_DELAY;
  s.slot = GENESIS_SLOT;
  s.fork = { previousVersion: version, currentVersion: version, epoch: GENESIS_EPOCH };
  s.latestBlockHeader = {
    slot: GENESIS_SLOT,
    proposerIndex: 0,
    parentRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    bodyRoot: types[fork].BeaconBlockBody.hashTreeRoot(types[fork].BeaconBlockBody.defaultValue() as never),
  };
  s.eth1Data = {
    depositRoot: depositDataListRoot(config, opts.deposits),
    depositCount: opts.deposits.length,
    blockHash: opts.eth1BlockHash,
  };
  s.eth1DepositIndex = opts.deposits.length;
  s.validators = validators;
  s.balances = balances;
  s.randaoMixes = Array.from({ length: preset.EPOCHS_PER_HISTORICAL_VECTOR }, () => opts.eth1BlockHash);
  if (isForkAtLeast(fork, "altair")) {
    s.previousEpochParticipation = new Array<number>(count).fill(0);
    s.currentEpochParticipation = new Array<number>(count).fill(0);
    s.inactivityScores = new Array<number>(count).fill(0);
    // get_next_sync_committee at genesis: the active set of epoch 1 is the genesis one (nothing exits at genesis).
    const epoch = GENESIS_EPOCH + 1;
    const seed = computeSeed(s.randaoMixes[randaoMixIndexForSeed(epoch, preset)], DOMAIN_SYNC_COMMITTEE, epoch);
    const indices = computeSyncCommitteeIndices(effectiveBalances, active, seed, fork, preset);
    const committeeKeys = Array.from(indices, (i) => pubkeys[i]);
    const aggregate = aggregatePublicKeys(committeeKeys.map((k) => publicKeyFromBytes(k)));
    const committee = { pubkeys: committeeKeys, aggregatePubkey: aggregate.toBytes(true) };
    s.currentSyncCommittee = committee;
    s.nextSyncCommittee = committee;
  }
  if (isForkAtLeast(fork, "bellatrix") && opts.executionPayloadHeader !== undefined) {
    s.latestExecutionPayloadHeader = opts.executionPayloadHeader;
  }
  if (electra) s.depositRequestsStartIndex = UNSET_DEPOSIT_REQUESTS_START_INDEX;

  const view = stateType.toViewDU(s) as AnyState;
  view.genesisValidatorsRoot = view.validators.hashTreeRoot();
  view.commit();
  const cs = createCachedState(config, view, fork, opts.pubkeys);
  if (isForkAtLeast(fork, "fulu")) {
    const state = cs.state as StateFulu;
    state.proposerLookahead = types.fulu.ProposerLookahead.toViewDU(Array.from(cs.ctx.initialProposerLookahead(state)));
    state.commit();
    // The proposers the caches hold come from the lookahead.
    cs.ctx.onForkUpgrade(cs.state, fork);
  }
  return cs;
}

/** The execution-layer values of the interop dev genesis header: gas limit and base fee per gas. */
export const INTEROP_GENESIS_GAS_LIMIT = 30_000_000;
export const INTEROP_GENESIS_BASE_FEE_PER_GAS = 1_000_000_000n;

/**
 * The latest_execution_payload_header dev chains start a merged fork with (as Lodestar's dev genesis writes it): the
 * eth1 block hash as block hash and prev_randao, the eth1 timestamp, INTEROP_GENESIS_GAS_LIMIT and
 * INTEROP_GENESIS_BASE_FEE_PER_GAS; everything else zero. The merge is then complete from genesis.
 */
export function interopExecutionPayloadHeader(
  config: BeaconConfig,
  fork: ForkName,
  eth1BlockHash: Uint8Array = INTEROP_ETH1_BLOCK_HASH,
  eth1Timestamp: number = INTEROP_ETH1_TIMESTAMP,
): ExecutionPayloadHeaderValue {
  if (!isForkAtLeast(fork, "bellatrix")) {
    throw new GenesisError("INVALID_GENESIS_REQUEST", `${fork} has no execution payload header`);
  }
  const type = config.types[fork as "bellatrix"].ExecutionPayloadHeader;
  return {
    ...type.defaultValue(),
    blockHash: eth1BlockHash,
    prevRandao: eth1BlockHash,
    timestamp: eth1Timestamp,
    gasLimit: INTEROP_GENESIS_GAS_LIMIT,
    baseFeePerGas: INTEROP_GENESIS_BASE_FEE_PER_GAS,
  };
}

export interface InteropGenesisOptions {
  readonly validatorCount: number;
  readonly genesisTime: number;
  /** Default 0x42 × 32 (the mocked start's). */
  readonly eth1BlockHash?: Uint8Array;
  /** Default 2**40 (the mocked start's). */
  readonly eth1Timestamp?: number;
  /** Default: the fork in effect at epoch 0 of the config. */
  readonly fork?: ForkName;
  readonly executionPayloadHeader?: ExecutionPayloadHeaderValue;
  readonly pubkeys?: PubkeyCache;
}

/**
 * The interop "mocked start" genesis: `initialize_beacon_state_from_eth1` over the interop deposits of validators
 * 0 … validatorCount-1, with genesis_time replaced by `genesisTime`.
 */
export function createInteropGenesisState(config: BeaconConfig, opts: InteropGenesisOptions): CachedState {
  if (!Number.isSafeInteger(opts.validatorCount) || opts.validatorCount <= 0) {
    throw new GenesisError(
      "INVALID_GENESIS_REQUEST",
      `validator count must be a positive integer, got ${opts.validatorCount}`,
    );
  }
  return initializeBeaconStateFromEth1(config, {
    eth1BlockHash: opts.eth1BlockHash ?? INTEROP_ETH1_BLOCK_HASH,
    eth1Timestamp: opts.eth1Timestamp ?? INTEROP_ETH1_TIMESTAMP,
    deposits: interopDepositData(config, opts.validatorCount),
    fork: opts.fork,
    executionPayloadHeader: opts.executionPayloadHeader,
    verifyDepositSignatures: false,
    genesisTime: opts.genesisTime,
    pubkeys: opts.pubkeys,
  });
}

/** `is_valid_genesis_state(state)`: late enough and enough validators active at genesis. */
export function isValidGenesisState(config: BeaconConfig, state: AnyState): boolean {
  if (state.genesisTime < config.chain.MIN_GENESIS_TIME) return false;
  let active = 0;
  for (const v of state.validators.getAllReadonlyValues()) {
    if (v.activationEpoch <= GENESIS_EPOCH && GENESIS_EPOCH < v.exitEpoch) active++;
  }
  return active >= config.chain.MIN_GENESIS_ACTIVE_VALIDATOR_COUNT;
}

/**
 * Loads a genesis state from SSZ bytes (as `loadCachedState`) after checking what makes it a genesis state of this
 * config: slot GENESIS_SLOT, the fork version of epoch 0 as current version at fork epoch 0, a genesis block header
 * at slot 0 and genesis_validators_root equal to the registry's root. Throws GenesisError saying which fails.
 */
export function genesisStateFromBytes(config: BeaconConfig, bytes: Uint8Array, pubkeys?: PubkeyCache): CachedState {
  const fork = forkOfStateBytes(config, bytes);
  let cs: CachedState;
  try {
    cs = loadCachedState(config, bytes, fork, pubkeys);
  } catch (e) {
    throw new GenesisError(
      "INVALID_GENESIS_STATE",
      `genesis state does not deserialize as a ${fork} BeaconState: ${(e as Error).message}`,
      { fork, length: bytes.length },
    );
  }
  const { state } = cs;
  const fail = (message: string, context: Record<string, unknown> = {}): never => {
    throw new GenesisError("INVALID_GENESIS_STATE", `genesis state: ${message}`, { fork, ...context });
  };
  if (state.slot !== GENESIS_SLOT) fail(`slot is ${state.slot}, a genesis state is at slot ${GENESIS_SLOT}`);
  const expected = forkVersion(config.chain, fork);
  if (!bytesEqual(state.fork.currentVersion, expected)) {
    fail(
      `fork.current_version ${toHex(state.fork.currentVersion)} is not the config's ${fork} version ${toHex(expected)}`,
    );
  }
  if (state.fork.epoch !== GENESIS_EPOCH) fail(`fork.epoch is ${state.fork.epoch}, not ${GENESIS_EPOCH}`);
  if (state.latestBlockHeader.slot !== GENESIS_SLOT) {
    fail(`latest_block_header.slot is ${state.latestBlockHeader.slot}, not ${GENESIS_SLOT}`);
  }
  const validatorsRoot = state.validators.hashTreeRoot();
  if (!bytesEqual(state.genesisValidatorsRoot, validatorsRoot)) {
    fail(
      `genesis_validators_root ${toHex(state.genesisValidatorsRoot)} is not hash_tree_root(validators) ${toHex(validatorsRoot)}`,
    );
  }
  if (state.validators.length === 0) fail("the registry is empty");
  return cs;
}
