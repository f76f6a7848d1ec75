// Large, realistic fulu (or deneb) BeaconStates (mainnet preset and chain config) for the state-transition and
// block-processing benchmarks, built as SSZ bytes both implementations load. Keys: validator i has secret key
// i + 1, so its public key is (i + 1)·G — one point addition per key (≈13 µs) instead of a scalar multiplication —
// and any committee's aggregate signature can be made with one signing by the sum of its members' secret keys.
import { randomFillSync } from "node:crypto";
import * as blst from "@chainsafe/blst";
import { aggregatePublicKeys } from "@sextant/consensus/bls/verify";
import { mainnetChainConfig } from "@sextant/consensus/params/index";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { Rng } from "../../support/random.ts";

export const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
/** The chain config of every bench state: mainnet's, whose schedule puts each bench epoch in the wanted fork. */
export const BENCH_CHAIN = mainnetChainConfig;
/** An epoch after fulu's activation on mainnet, so the schedule makes every state and block fulu. */
export const BENCH_EPOCH = mainnetChainConfig.FULU_FORK_EPOCH + 10_000;
/** An epoch between deneb's and electra's activation on mainnet: the schedule makes states and blocks deneb. */
export const BENCH_EPOCH_DENEB = mainnetChainConfig.ELECTRA_FORK_EPOCH - 10_000;

/** The forks a bench state can be built in: fulu, and deneb (the last fork before electra's operation limits). */
export type BenchFork = "fulu" | "deneb";

/** The epoch a bench state of `fork` enters at its next slot (the state sits at the last slot before it). */
export function benchEpoch(fork: BenchFork): number {
  return fork === "fulu" ? BENCH_EPOCH : BENCH_EPOCH_DENEB;
}
const SLOTS_PER_EPOCH = 32;
const SYNC_COMMITTEE_SIZE = 512;
const ETH = 1_000_000_000;

/** The secret key of validator `index` as a bigint (index + 1). */
export function benchSecretScalar(index: number): bigint {
  return BigInt(index + 1);
}

/** A blst secret key from a scalar in [1, r). */
export function secretKeyOfScalar(scalar: bigint): blst.SecretKey {
  const bytes = new Uint8Array(32);
  let x = scalar % CURVE_ORDER;
  for (let i = 31; i >= 0; i--) {
    bytes[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return blst.SecretKey.fromBytes(bytes);
}

/** Compressed public keys of validators 0 … n-1, one 48-byte slice each of one buffer. */
export function benchPubkeys(n: number): Uint8Array[] {
  const one = new Uint8Array(32);
  one[31] = 1;
  const g = blst.SecretKey.fromBytes(one).toPublicKey();
  const buffer = new Uint8Array(n * 48);
  const out: Uint8Array[] = [];
  let pk = g;
  for (let i = 0; i < n; i++) {
    if (i > 0) pk = blst.aggregatePublicKeys([pk, g]);
    buffer.set(pk.toBytes(), i * 48);
    out.push(buffer.subarray(i * 48, (i + 1) * 48));
  }
  return out;
}

/** What buildBenchStateWithCommittees builds: the state's bytes and what signing for it needs. */
export interface BenchState {
  readonly fork: BenchFork;
  readonly bytes: Uint8Array;
  /** Validator index of each member of the current and next sync committee, in committee order. */
  readonly currentSyncCommittee: Uint32Array;
  readonly nextSyncCommittee: Uint32Array;
}

export interface BenchStateOptions {
  /** Seed of the state's pseudo-random contents (default 1). */
  readonly seed?: number;
  /** Default fulu. */
  readonly fork?: BenchFork;
}

/**
 * A fulu state with `n` active validators at the last slot of epoch BENCH_EPOCH - 1 (so the next process_slots
 * runs an epoch transition): ~1% slashed or exiting, balances around 32 ETH, 2% compounding at up to 64 ETH,
 * participation ~97% full, small inactivity scores, justified and finalized two epochs back, valid sync
 * committees, an execution payload header, electra's queues with a few entries.
 */
export function buildBenchState(n: number, pubkeys: Uint8Array[], seed = 1): Uint8Array {
  return buildBenchStateWithCommittees(n, pubkeys, { seed }).bytes;
}

/**
 * The state of buildBenchState in `fork` (default fulu), with the validator indices of its sync committees. A
 * deneb state sits at the last slot of epoch BENCH_EPOCH_DENEB - 1 and has what deneb has: no compounding
 * credentials (every effective balance 32 ETH), no electra queues, no proposer lookahead.
 */
export function buildBenchStateWithCommittees(
  n: number,
  pubkeys: Uint8Array[],
  options: BenchStateOptions = {},
): BenchState {
  const { seed = 1, fork = "fulu" } = options;
  if (pubkeys.length < n) throw new RangeError(`${n} validators need ${n} pubkeys, got ${pubkeys.length}`);
  const types = getSszTypes("mainnet");
  const fulu = fork === "fulu";
  const { BeaconState } = types.fulu;
  const rng = new Rng(seed);
  const epoch = benchEpoch(fork) - 1;
  // A deneb state is built as a fulu value and serialized with deneb's type, which reads only deneb's fields.
  const s = (fulu ? BeaconState : types.deneb.BeaconState).defaultValue() as ReturnType<
    typeof BeaconState.defaultValue
  >;
  s.genesisTime = 1_606_824_023;
  randomFillSync(s.genesisValidatorsRoot);
  s.slot = epoch * SLOTS_PER_EPOCH + SLOTS_PER_EPOCH - 1;
  s.fork = fulu
    ? {
        previousVersion: BENCH_CHAIN.ELECTRA_FORK_VERSION,
        currentVersion: BENCH_CHAIN.FULU_FORK_VERSION,
        epoch: BENCH_CHAIN.FULU_FORK_EPOCH,
      }
    : {
        previousVersion: BENCH_CHAIN.CAPELLA_FORK_VERSION,
        currentVersion: BENCH_CHAIN.DENEB_FORK_VERSION,
        epoch: BENCH_CHAIN.DENEB_FORK_EPOCH,
      };
  s.latestBlockHeader = {
    slot: s.slot,
    proposerIndex: rng.int(n),
    parentRoot: randomFillSync(new Uint8Array(32)),
    stateRoot: new Uint8Array(32),
    bodyRoot: randomFillSync(new Uint8Array(32)),
  };
  s.blockRoots = s.blockRoots.map(() => randomFillSync(new Uint8Array(32)));
  s.stateRoots = s.stateRoots.map(() => randomFillSync(new Uint8Array(32)));
  s.randaoMixes = s.randaoMixes.map(() => randomFillSync(new Uint8Array(32)));
  s.eth1Data = {
    depositRoot: randomFillSync(new Uint8Array(32)),
    depositCount: n,
    blockHash: randomFillSync(new Uint8Array(32)),
  };
  s.eth1DepositIndex = n;
  const exitEpoch = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const compounding = rng.int(50) === 0 && fulu;
    const credentials = new Uint8Array(32);
    credentials[0] = compounding ? 0x02 : 0x01;
    credentials[12] = i & 0xff;
    credentials[13] = (i >> 8) & 0xff;
    credentials[14] = (i >> 16) & 0xff;
    const slashed = rng.int(200) === 0;
    const exiting = !slashed && rng.int(200) === 0;
    const effective = compounding ? (32 + rng.int(33)) * ETH : 32 * ETH;
    s.validators.push({
      pubkey: pubkeys[i],
      withdrawalCredentials: credentials,
      effectiveBalance: effective,
      slashed,
      activationEligibilityEpoch: 0,
      activationEpoch: 0,
      exitEpoch: slashed || exiting ? epoch + 5 + rng.int(200) : exitEpoch,
      withdrawableEpoch: slashed ? epoch + 4096 : exiting ? epoch + 300 : exitEpoch,
    });
    s.balances.push(effective + rng.int(ETH) - ETH / 4);
    s.previousEpochParticipation.push(rng.int(100) < 97 ? 7 : rng.int(8));
    s.currentEpochParticipation.push(rng.int(100) < 97 ? 7 : rng.int(8));
    s.inactivityScores.push(rng.int(100) === 0 ? rng.int(50) : 0);
  }
  s.justificationBits.set(0, true);
  s.justificationBits.set(1, true);
  s.previousJustifiedCheckpoint = { epoch: epoch - 2, root: randomFillSync(new Uint8Array(32)) };
  s.currentJustifiedCheckpoint = { epoch: epoch - 1, root: randomFillSync(new Uint8Array(32)) };
  s.finalizedCheckpoint = { epoch: epoch - 2, root: randomFillSync(new Uint8Array(32)) };
  for (let i = 0; i < s.slashings.length; i++) s.slashings[i] = rng.int(100) === 0 ? 32 * ETH * rng.int(4) : 0;
  const committee = (indices: Uint32Array) => {
    for (let i = 0; i < indices.length; i++) indices[i] = rng.int(n);
    const members = Array.from(indices, (i) => pubkeys[i]);
    return {
      pubkeys: members,
      aggregatePubkey: aggregatePublicKeys(members.map((p) => blst.PublicKey.fromBytes(p))).toBytes(),
    };
  };
  const currentSyncCommittee = new Uint32Array(SYNC_COMMITTEE_SIZE);
  const nextSyncCommittee = new Uint32Array(SYNC_COMMITTEE_SIZE);
  s.currentSyncCommittee = committee(currentSyncCommittee);
  s.nextSyncCommittee = committee(nextSyncCommittee);
  const header = s.latestExecutionPayloadHeader;
  randomFillSync(header.parentHash);
  randomFillSync(header.blockHash);
  randomFillSync(header.stateRoot);
  header.blockNumber = 20_000_000;
  header.gasLimit = 36_000_000;
  header.timestamp = s.genesisTime + s.slot * 12;
  s.nextWithdrawalIndex = 90_000_000;
  s.nextWithdrawalValidatorIndex = rng.int(n);
  for (let i = 0; i < 100; i++) {
    s.historicalSummaries.push({
      blockSummaryRoot: randomFillSync(new Uint8Array(32)),
      stateSummaryRoot: randomFillSync(new Uint8Array(32)),
    });
  }
  if (!fulu) return { fork, bytes: types.deneb.BeaconState.serialize(s), currentSyncCommittee, nextSyncCommittee };
  s.depositRequestsStartIndex = BigInt(n);
  s.earliestExitEpoch = epoch + 6;
  s.earliestConsolidationEpoch = epoch + 6;
  for (let i = 0; i < 16; i++) {
    s.pendingPartialWithdrawals.push({
      validatorIndex: rng.int(n),
      amount: ETH,
      withdrawableEpoch: epoch + rng.int(4),
    });
  }
  // Proposers are never slashed validators (a slashed proposer's block would be invalid).
  for (let i = 0; i < s.proposerLookahead.length; i++) {
    let proposer = rng.int(n);
    while (s.validators[proposer].slashed) proposer = rng.int(n);
    s.proposerLookahead[i] = proposer;
  }
  return { fork, bytes: BeaconState.serialize(s), currentSyncCommittee, nextSyncCommittee };
}
