// Shared fixtures of the state-transition differential tests (test/differential/{block,operations,epoch,upgrade,
// genesis}.*.test.ts), for either preset (everything preset-dependent comes from the chain config or the state):
//   - fork schedules (`chainAtFork`) and hand-built states: `stateSkeleton` (the fields every hand-built state fills
//     alike), `activeValidator`, `withdrawalCredentials`, and the block tests' state `blockTestState`;
//   - loading a fixture into both implementations (`loadFixture`) and comparing states by root, naming the
//     differing top-level fields on a mismatch (`assertSameState`, `assertSameStateRoot`);
//   - running a step: `ruleOf` (the spec rule a TransitionError names), `blockContext`, `verifySets`, `toOracle`
//     (an SSZ value of ours as the oracle's), `oracleFork`;
//   - blocks: `blockFor` (a default block on the state), `randaoReveal`, `syncAggregateFor`, `sweepValidators`
//     (validators set up for the withdrawal sweep), `oracleProcessBlockMatches`;
//   - process_epoch in both implementations (`processEpochBoth`).
import assert from "node:assert/strict";
import { type SignatureSet, verifySignatureSets } from "@sextant/consensus/bls/batch";
import { aggregatePublicKeys, aggregateSignatures } from "@sextant/consensus/bls/verify";
import { type ChainConfig, FORK_NAMES, type ForkName, ForkSeq } from "@sextant/consensus/params/index";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import { DOMAIN_RANDAO, DOMAIN_SYNC_COMMITTEE } from "@sextant/consensus/signing/domainTypes";
import { stateDomain } from "@sextant/consensus/state/accessors";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { TransitionError } from "@sextant/consensus/state/errors";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import { processEpoch } from "@sextant/consensus/transition/epoch/index";
import { acceptingExecutionEngine, type ExecutionEngine } from "@sextant/consensus/transition/execution";
import type { BlockContext } from "@sextant/consensus/transition/options";
import { beaconConfigOf, type DualState, hex, loadDualState } from "./dualState.ts";
import { Rng } from "./random.ts";
import {
  type BuiltState,
  buildState,
  differingFields,
  forkData,
  interopKey,
  lastSlotOfEpoch,
  randomBlockHeader,
  type StateBuildOptions,
} from "./stateBuilder.ts";

// biome-ignore lint/suspicious/noExplicitAny: SSZ values and the oracle are used generically across forks
type Any = any;

/** One ether in Gwei. */
export const ETH = 1_000_000_000;
const FAR = Number.POSITIVE_INFINITY;
/** deposit_requests_start_index before any deposit request (UNSET_DEPOSIT_REQUESTS_START_INDEX). */
export const UNSET_INDEX = 2n ** 64n - 1n;

// --- fork schedules and hand-built states

/**
 * `base` with every fork before `fork` at genesis, `fork` at `forkEpoch` (default genesis too) and every later
 * fork unscheduled.
 */
export function chainAtFork(base: ChainConfig, fork: ForkName, forkEpoch = 0): ChainConfig {
  const c: Record<string, unknown> = { ...base };
  const target = FORK_NAMES.indexOf(fork);
  for (let i = 1; i < FORK_NAMES.length; i++) {
    c[`${FORK_NAMES[i].toUpperCase()}_FORK_EPOCH`] = i < target ? 0 : i === target ? forkEpoch : FAR;
  }
  return c as unknown as ChainConfig;
}

/** A hand-built state: its chain config, fork and BeaconState value (ours: camelCase fields). */
export interface Fixture {
  chain: ChainConfig;
  readonly fork: ForkName;
  readonly value: Any;
}

/**
 * A default `fork` BeaconState value at `slot` with what every hand-built state fills alike, drawn from `rng` in
 * this order: genesis time and validators root, the fork field (since genesis), a latest block header at slot - 1
 * by one of `validators`, random block roots, state roots and randao mixes, and eth1 data counting `validators`
 * deposits, all of them processed.
 */
export function stateSkeleton(chain: ChainConfig, fork: ForkName, slot: number, validators: number, rng: Rng): Any {
  const { types, preset } = beaconConfigOf(chain);
  const v = (types[fork] as Any).BeaconState.defaultValue();
  v.genesisTime = 1_600_000_000;
  v.genesisValidatorsRoot = rng.bytes(32);
  v.slot = slot;
  v.fork = forkData(chain, fork);
  v.latestBlockHeader = randomBlockHeader(slot - 1, validators, rng);
  v.blockRoots = Array.from({ length: preset.SLOTS_PER_HISTORICAL_ROOT }, () => rng.bytes(32));
  v.stateRoots = Array.from({ length: preset.SLOTS_PER_HISTORICAL_ROOT }, () => rng.bytes(32));
  v.randaoMixes = v.randaoMixes.map(() => rng.bytes(32));
  v.eth1Data = { depositRoot: rng.bytes(32), depositCount: validators, blockHash: rng.bytes(32) };
  v.eth1DepositIndex = validators;
  return v;
}

/** A validator active since genesis, not slashed, not exiting. */
export function activeValidator(pubkey: Uint8Array, withdrawalCredentials: Uint8Array, effectiveBalance: number): Any {
  return {
    pubkey,
    withdrawalCredentials,
    effectiveBalance,
    slashed: false,
    activationEligibilityEpoch: 0,
    activationEpoch: 0,
    exitEpoch: FAR,
    withdrawableEpoch: FAR,
  };
}

/**
 * Withdrawal credentials of validator `i` with `prefix`: 0x00 with `i` in the last byte; otherwise an execution
 * address 0xee…(i as two bytes) (`withdrawalAddress`).
 */
export function withdrawalCredentials(prefix: number, i: number): Uint8Array {
  const c = new Uint8Array(32);
  c[0] = prefix;
  if (prefix !== 0) {
    c[12] = 0xee;
    c[31] = i & 0xff;
    c[30] = i >> 8;
  } else c[31] = i & 0xff;
  return c;
}

/** The withdrawal address of validator `i` (the last 20 bytes of its 0x01/0x02 credentials). */
export function withdrawalAddress(i: number): Uint8Array {
  return withdrawalCredentials(1, i).slice(12);
}

/** An edit of a state value being built, with the builder's random source. */
export type StateTweak = (v: Any, rng: Rng) => void;

/** Builds a fixture of `fork` at `slot` with `n` validators from `seed`, then applies `tweak`. */
export type FixtureBuilder = (fork: ForkName, n: number, slot: number, seed: number, tweak?: StateTweak) => Fixture;

/**
 * The block tests' state builder for the preset of `base`: a `fork` state at `slot` (every fork up to it at
 * genesis) with `n` active validators of 32 ETH (0x01 credentials), sync committees of real keys, random randao
 * mixes and a latest block header at slot-1 whose root is in block_roots; `tweak` edits the value.
 */
export function blockTestStates(base: ChainConfig): FixtureBuilder {
  return (fork, n, slot, seed, tweak) => blockTestState(base, fork, n, slot, seed, tweak);
}

function blockTestState(
  base: ChainConfig,
  fork: ForkName,
  n: number,
  slot: number,
  seed: number,
  tweak?: StateTweak,
): Fixture {
  const rng = new Rng(seed);
  const chain = chainAtFork(base, fork);
  const { types, preset } = beaconConfigOf(chain);
  const v = stateSkeleton(chain, fork, slot, n, rng);
  v.blockRoots[(slot - 1) % preset.SLOTS_PER_HISTORICAL_ROOT] = types.phase0.BeaconBlockHeader.hashTreeRoot(
    v.latestBlockHeader,
  );
  v.validators = [];
  v.balances = [];
  for (let i = 0; i < n; i++) {
    v.validators.push(activeValidator(interopKey(i).pubkey, withdrawalCredentials(1, i), 32 * ETH));
    v.balances.push(32 * ETH + rng.int(ETH / 2) - ETH / 4);
  }
  if (ForkSeq[fork] >= ForkSeq.altair) {
    v.previousEpochParticipation = new Array(n).fill(0);
    v.currentEpochParticipation = new Array(n).fill(0);
    v.inactivityScores = new Array(n).fill(0);
    const committee = (offset: number) => {
      const members = Array.from({ length: preset.SYNC_COMMITTEE_SIZE }, (_, i) => (i * 7 + offset) % n);
      return {
        pubkeys: members.map((m) => interopKey(m).pubkey),
        aggregatePubkey: aggregatePublicKeys(members.map((m) => interopKey(m).publicKey)).toBytes(),
      };
    };
    v.currentSyncCommittee = committee(0);
    v.nextSyncCommittee = committee(3);
  }
  if (ForkSeq[fork] >= ForkSeq.bellatrix) {
    v.latestExecutionPayloadHeader = {
      ...v.latestExecutionPayloadHeader,
      blockHash: rng.bytes(32),
      parentHash: rng.bytes(32),
      blockNumber: 100,
      timestamp: v.genesisTime + (slot - 1) * chain.SECONDS_PER_SLOT,
    };
  }
  if (ForkSeq[fork] >= ForkSeq.electra) {
    v.depositRequestsStartIndex = UNSET_INDEX;
    v.earliestExitEpoch = 0;
    v.earliestConsolidationEpoch = 0;
  }
  if (ForkSeq[fork] >= ForkSeq.fulu) {
    v.proposerLookahead = v.proposerLookahead.map(() => rng.int(n));
  }
  tweak?.(v, rng);
  return { chain, fork, value: v };
}

/**
 * Sets up the validators of a state value for the withdrawal sweep: a random `kinds`-sided draw per validator
 * makes it fully withdrawable (0), partially withdrawable (1), BLS-credentialed (2) or, from electra, compounding
 * with an excess (3); other draws leave it as it is.
 */
export function sweepValidators(v: Any, rng: Rng, fork: ForkName, kinds: number): void {
  for (let i = 0; i < v.validators.length; i++) {
    const r = rng.int(kinds);
    if (r === 0) {
      v.validators[i].exitEpoch = 1;
      v.validators[i].withdrawableEpoch = 2;
    } else if (r === 1) v.balances[i] = 32 * ETH + rng.int(3 * ETH) + 1;
    else if (r === 2) v.validators[i].withdrawalCredentials = withdrawalCredentials(0, i);
    else if (r === 3 && ForkSeq[fork] >= ForkSeq.electra) {
      v.validators[i].withdrawalCredentials = withdrawalCredentials(2, i);
      v.validators[i].effectiveBalance = 2048 * ETH;
      v.balances[i] = 2048 * ETH + rng.int(2 * ETH);
    }
  }
}

// --- both implementations, compared by root

/** Loads a fixture into both implementations. */
export async function loadFixture(f: Fixture): Promise<DualState> {
  const bytes = (beaconConfigOf(f.chain).types[f.fork] as Any).BeaconState.serialize(f.value);
  return loadDualState(f.chain, f.fork, bytes);
}

/** A state view of either implementation. */
interface StateView {
  hashTreeRoot(): Uint8Array;
  serialize(): Uint8Array;
}

/**
 * Fails unless two `fork` state views (ours and the oracle's) have the same root, naming the top-level fields
 * that differ.
 */
export function assertSameStateRoot(
  config: BeaconConfig,
  fork: ForkName,
  ours: StateView,
  theirs: StateView,
  what: string,
): void {
  if (hex(ours.hashTreeRoot()) === hex(theirs.hashTreeRoot())) return;
  const fields = differingFields(config, fork, ours.serialize(), theirs.serialize());
  assert.fail(`${what}: state roots differ in ${fields.join("; ")}`);
}

/** Fails unless both states of `d` have the same root, naming the top-level fields that differ. */
export function assertSameState(d: DualState, what: string): void {
  assertSameStateRoot(d.ours.config, d.fork, d.ours.state, d.oracle, `${d.fork} ${what}`);
}

/** Runs `fn` and returns the rule of the TransitionError it throws (fails on other errors or no error). */
export function ruleOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransitionError) return e.context.rule;
    throw e;
  }
  assert.fail("expected a TransitionError");
}

/** A block context collecting signature sets, with an engine accepting every payload unless given another. */
export function blockContext(
  engine: ExecutionEngine = acceptingExecutionEngine,
): BlockContext & { signatureSets: SignatureSet[] } {
  return { executionEngine: engine, signatureSets: [] };
}

/** Whether every set verifies (none collected counts as valid). */
export function verifySets(sets: readonly SignatureSet[] | null): boolean {
  return verifySignatureSets(sets ?? []).valid;
}

/** Our SSZ value of `typeName` (of `fork`, default the state's) as the oracle's value, through SSZ bytes. */
export function toOracle(d: DualState, typeName: string, value: Any, fork: ForkName = d.fork): Any {
  const bytes = (d.ours.config.types[fork] as Any)[typeName].serialize(value);
  return d.oracleModule.types.ssz[fork][typeName].deserialize(bytes);
}

/** The oracle's ForkSeq of the state's fork. */
export function oracleFork(d: DualState): number {
  return d.oracleModule.params.ForkSeq[d.fork];
}

// --- blocks

/** A default block of the state's fork at its slot, proposed by the right proposer on top of its header. */
export function blockFor(cs: CachedState): Any {
  const block = (cs.config.types[cs.fork] as Any).BeaconBlock.defaultValue();
  block.slot = cs.state.slot;
  block.proposerIndex = cs.ctx.getBeaconProposer(cs.state.slot);
  block.parentRoot = cs.state.latestBlockHeader.hashTreeRoot();
  return block;
}

/** The RANDAO reveal of interop key `proposer` for the state's epoch. */
export function randaoReveal(cs: CachedState, proposer: number): Uint8Array {
  const epoch = Math.floor(cs.state.slot / cs.config.preset.SLOTS_PER_EPOCH);
  const epochRoot = new Uint8Array(32);
  new DataView(epochRoot.buffer).setUint32(0, epoch, true);
  return interopKey(proposer)
    .sk.sign(computeSigningRoot(epochRoot, stateDomain(cs, DOMAIN_RANDAO, epoch)))
    .toBytes();
}

/** The signing root a sync aggregate at the state's slot signs: the previous slot's block root. */
export function syncSigningRoot(cs: CachedState): Uint8Array {
  const { preset } = cs.config;
  const previous = cs.state.slot - 1;
  return computeSigningRoot(
    cs.state.blockRoots.get(previous % preset.SLOTS_PER_HISTORICAL_ROOT),
    stateDomain(cs, DOMAIN_SYNC_COMMITTEE, Math.floor(previous / preset.SLOTS_PER_EPOCH)),
  );
}

/** A sync aggregate where the positions `on(p)` of the current sync committee sign (`syncSigningRoot`). */
export function syncAggregateFor(cs: CachedState, on: (p: number) => boolean): Any {
  const committee = cs.ctx.currentSyncCommittee?.indices ?? new Uint32Array(0);
  const bits = cs.config.types.altair.SyncAggregate.fields.syncCommitteeBits.defaultValue();
  const root = syncSigningRoot(cs);
  // Positions of the same validator sign once each (the aggregate holds a signature per position).
  const signatures = new Map<number, Uint8Array>();
  const parts: Uint8Array[] = [];
  for (let p = 0; p < cs.config.preset.SYNC_COMMITTEE_SIZE; p++) {
    if (!on(p)) continue;
    bits.set(p, true);
    const index = committee[p];
    let sig = signatures.get(index);
    if (sig === undefined) {
      sig = interopKey(index).sk.sign(root).toBytes();
      signatures.set(index, sig);
    }
    parts.push(sig);
  }
  const signature =
    parts.length === 0 ? Uint8Array.from([0xc0, ...new Uint8Array(95)]) : aggregateSignatures(parts).toBytes();
  return { syncCommitteeBits: bits, syncCommitteeSignature: signature };
}

/**
 * Runs the oracle's processBlock on our `block` (payload valid, data available, signatures verified) and fails
 * unless its post-state equals ours (which the caller has already processed).
 */
export function oracleProcessBlockMatches(d: DualState, block: Any): void {
  d.oracleModule.stBlock.processBlock(
    oracleFork(d),
    d.oracle,
    toOracle(d, "BeaconBlock", block),
    { executionPayloadStatus: "valid", dataAvailabilityStatus: "Available", verifySignatures: true },
    { verifySignatures: true },
  );
  assertSameState(d, "process_block");
}

// --- epoch processing

/**
 * Builds a random-but-valid `fork` state (test/support/stateBuilder.ts) at the last slot of `epoch` under `chain`,
 * runs process_epoch in both implementations and fails unless the post-states are equal (naming the differing
 * fields). Returns the built pre-state and our post-state's value.
 */
export async function processEpochBoth(
  chain: ChainConfig,
  fork: ForkName,
  epoch: number,
  options: Omit<StateBuildOptions, "chain" | "fork" | "slot">,
): Promise<{ built: BuiltState; post: Any }> {
  const built = buildState({ chain, fork, slot: lastSlotOfEpoch(beaconConfigOf(chain).preset, epoch), ...options });
  const dual = await loadDualState(chain, fork, built.bytes);
  processEpoch(dual.ours);
  const o = dual.oracleModule;
  const cache = o.stateTransition.beforeProcessEpoch(dual.oracle);
  o.stEpoch.processEpoch(o.params.ForkSeq[fork], dual.oracle, cache);
  const ours = dual.ours.state.serialize();
  const diff = differingFields(built.config, fork, ours, dual.oracle.serialize());
  assert.deepEqual(diff, [], `${fork} epoch ${epoch} seed ${options.seed}: fields differ: ${diff.join("; ")}`);
  assert.deepEqual(dual.ours.state.hashTreeRoot(), dual.oracle.hashTreeRoot());
  return { built, post: built.config.types[fork].BeaconState.deserialize(ours) };
}
