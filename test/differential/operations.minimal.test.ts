// Differential tests of the block operations (consensus/src/transition/block/operations/) against the Lodestar
// oracle, minimal preset, for every fork phase0 → fulu: proposer and attester slashings, attestations, deposits,
// voluntary exits, BLS-to-execution changes and process_operations as a whole. Each case runs the same operation
// on the same state in both implementations and compares the post-state roots; invalid operations must be rejected
// by both, ours naming the spec rule. The signature sets ours pushes must verify for valid operations and fail for
// tampered ones.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { digest } from "@chainsafe/as-sha256";
import { BitArray } from "@chainsafe/ssz";
import type { SignatureSet } from "@sextant/consensus/bls/batch";
import { verifySignatureSets } from "@sextant/consensus/bls/batch";
import { aggregateSignatures } from "@sextant/consensus/bls/verify";
import { G2_POINT_AT_INFINITY } from "@sextant/consensus/params/constants";
import { FORK_NAMES, type ForkName, ForkSeq, minimalChainConfig } from "@sextant/consensus/params/index";
import { computeDomain, computeSigningRoot, ZERO_ROOT } from "@sextant/consensus/signing/domain";
import {
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_BLS_TO_EXECUTION_CHANGE,
  DOMAIN_DEPOSIT,
  DOMAIN_VOLUNTARY_EXIT,
  type DomainType,
} from "@sextant/consensus/signing/domainTypes";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { TransitionError } from "@sextant/consensus/state/errors";
import {
  isValidMerkleBranch,
  processAttestations,
  processAttesterSlashing,
  processBlsToExecutionChange,
  processDeposit,
  processOperations,
  processProposerSlashing,
  processVoluntaryExit,
} from "@sextant/consensus/transition/block/operations/index";
import { acceptingExecutionEngine } from "@sextant/consensus/transition/execution";
import type { BlockContext } from "@sextant/consensus/transition/options";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { type DualState, hex } from "../support/dualState.ts";
import { oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";
import { type InteropKey, interopKey as key } from "../support/stateBuilder.ts";
import {
  activeValidator,
  assertSameState,
  type Fixture as Built,
  blockContext,
  chainAtFork,
  ETH,
  loadFixture as load,
  oracleFork,
  stateSkeleton,
  toOracle,
  UNSET_INDEX,
} from "../support/transitionFixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: SSZ values and the oracle are used generically across forks
type Any = any;

const skip = oracleSkip();
const types = getSszTypes("minimal");
const SLOTS_PER_EPOCH = 8;
const SLOTS_PER_HISTORICAL_ROOT = 64;
const SYNC_COMMITTEE_SIZE = 32;
/** Validators of every test state: 2 committees of 4 per slot in the minimal preset. */
const N = 64;
/** The state's epoch: past SHARD_COMMITTEE_PERIOD (64 in minimal) so validators active since genesis may exit. */
const EPOCH = 70;
/** The state's slot: the 6th slot of EPOCH. */
const SLOT = EPOCH * SLOTS_PER_EPOCH + 5;

// Roles of particular validators in every state.
const SLASHED = 5;
const EXITING = 6;
const RECENT = 7;
const PENDING_WITHDRAWAL = 9;

/** The BLS withdrawal key of validator i (validators with i % 4 == 0 have 0x00 credentials from it). */
function withdrawalKey(i: number): InteropKey {
  return key(1000 + i);
}

function credentialsOf(fork: ForkName, i: number): Uint8Array {
  if (i % 4 === 0) {
    const c = digest(withdrawalKey(i).pubkey);
    c[0] = 0x00;
    return c;
  }
  const c = new Uint8Array(32);
  c[0] = ForkSeq[fork] >= ForkSeq.electra && i % 8 === 1 ? 0x02 : 0x01;
  c[12] = 0xee;
  c[31] = i;
  return c;
}

/** A `fork` state at SLOT with N validators (a few in special roles), random participation and history. */
function buildState(fork: ForkName, seed: number, tweak?: (v: Any, rng: Rng) => void): Built {
  const rng = new Rng(seed);
  const chain = chainAtFork(minimalChainConfig, fork);
  const v = stateSkeleton(chain, fork, SLOT, N, rng);
  v.validators = [];
  v.balances = [];
  for (let i = 0; i < N; i++) {
    const compounding = credentialsOf(fork, i)[0] === 0x02;
    v.validators.push(activeValidator(key(i).pubkey, credentialsOf(fork, i), compounding ? 64 * ETH : 32 * ETH));
    v.balances.push((compounding ? 64 : 32) * ETH + rng.int(ETH / 2) - ETH / 4);
  }
  Object.assign(v.validators[SLASHED], { slashed: true, exitEpoch: EPOCH + 5, withdrawableEpoch: EPOCH + 64 });
  Object.assign(v.validators[EXITING], { exitEpoch: EPOCH + 5, withdrawableEpoch: EPOCH + 261 });
  Object.assign(v.validators[RECENT], { activationEligibilityEpoch: EPOCH - 12, activationEpoch: EPOCH - 10 });
  v.slashings = v.slashings.map(() => rng.int(4) * ETH);
  v.previousJustifiedCheckpoint = { epoch: EPOCH - 2, root: rng.bytes(32) };
  v.currentJustifiedCheckpoint = { epoch: EPOCH - 1, root: rng.bytes(32) };
  v.finalizedCheckpoint = { epoch: EPOCH - 3, root: rng.bytes(32) };
  if (ForkSeq[fork] >= ForkSeq.altair) {
    v.previousEpochParticipation = Array.from({ length: N }, () => rng.int(8));
    v.currentEpochParticipation = Array.from({ length: N }, () => (rng.bool() ? 0 : rng.int(8)));
    v.inactivityScores = Array.from({ length: N }, () => rng.int(10));
    const committee = (offset: number) => ({
      pubkeys: Array.from({ length: SYNC_COMMITTEE_SIZE }, (_, i) => key((i * 7 + offset) % N).pubkey),
      aggregatePubkey: key(0).pubkey,
    });
    v.currentSyncCommittee = committee(0);
    v.nextSyncCommittee = committee(3);
  }
  if (ForkSeq[fork] >= ForkSeq.bellatrix) {
    v.latestExecutionPayloadHeader = { ...v.latestExecutionPayloadHeader, blockHash: rng.bytes(32), blockNumber: 9 };
  }
  if (ForkSeq[fork] >= ForkSeq.electra) {
    v.depositRequestsStartIndex = UNSET_INDEX;
    v.earliestExitEpoch = EPOCH + 5;
    v.exitBalanceToConsume = 40 * ETH;
    v.earliestConsolidationEpoch = 0;
    v.pendingPartialWithdrawals = [{ validatorIndex: PENDING_WITHDRAWAL, amount: ETH, withdrawableEpoch: EPOCH + 2 }];
  }
  if (ForkSeq[fork] >= ForkSeq.fulu) {
    v.proposerLookahead = v.proposerLookahead.map(() => rng.int(N));
  }
  tweak?.(v, rng);
  return { chain, fork, value: v };
}

/** An operation kind as each implementation runs it (signatures verified or collected). */
interface Operation {
  /** Ours, pushing its signature sets into `bc`. */
  ours(cs: CachedState, op: Any, bc: BlockContext): void;
  /** The oracle's, on `d.oracle`, verifying signatures. */
  theirs(d: DualState, op: Any): void;
}

const PROPOSER_SLASHING: Operation = {
  ours: (cs, op, bc) => processProposerSlashing(cs, op, bc),
  theirs: (d, op) =>
    d.oracleModule.stBlock.processProposerSlashing(oracleFork(d), d.oracle, toOracle(d, "ProposerSlashing", op), true),
};
const ATTESTER_SLASHING: Operation = {
  ours: (cs, op, bc) => processAttesterSlashing(cs, op, bc),
  theirs: (d, op) =>
    d.oracleModule.stBlock.processAttesterSlashing(oracleFork(d), d.oracle, toOracle(d, "AttesterSlashing", op), true),
};
/** A list of attestations (one block's). */
const ATTESTATIONS: Operation = {
  ours: (cs, atts, bc) => processAttestations(cs, atts, bc),
  theirs: (d, atts) =>
    d.oracleModule.stBlock.processAttestations(
      oracleFork(d),
      d.oracle,
      atts.map((a: Any) => toOracle(d, "Attestation", a)),
      null,
      true,
    ),
};
const DEPOSIT: Operation = {
  ours: (cs, op) => processDeposit(cs, op),
  theirs: (d, op) => d.oracleModule.stBlock.processDeposit(oracleFork(d), d.oracle, toOracle(d, "Deposit", op)),
};
const VOLUNTARY_EXIT: Operation = {
  ours: (cs, op, bc) => processVoluntaryExit(cs, op, bc),
  theirs: (d, op) =>
    d.oracleModule.stBlock.processVoluntaryExit(oracleFork(d), d.oracle, toOracle(d, "SignedVoluntaryExit", op), true),
};
const BLS_CHANGE: Operation = {
  ours: (cs, op, bc) => processBlsToExecutionChange(cs, op, bc),
  theirs: (d, op) =>
    d.oracleModule.stBlock.processBlsToExecutionChange(d.oracle, toOracle(d, "SignedBLSToExecutionChange", op)),
};
/** A whole block body. */
const OPERATIONS: Operation = {
  ours: (cs, body, bc) => processOperations(cs, body, bc),
  theirs: (d, body) =>
    d.oracleModule.stBlock.processOperations(oracleFork(d), d.oracle, toOracle(d, "BeaconBlockBody", body), null, {
      verifySignatures: true,
    }),
};

/**
 * Runs the operations `ops` of `kind` in ours (one block context), then in the oracle; they must agree on the
 * post-state. Returns our signature sets.
 */
function runBoth(d: DualState, what: string, kind: Operation, ...ops: Any[]): SignatureSet[] {
  const bc = blockContext();
  for (const op of ops) kind.ours(d.ours, op, bc);
  for (const op of ops) kind.theirs(d, op);
  assertSameState(d, what);
  return bc.signatureSets;
}

/** Both implementations reject the operation; ours names `rule` (a substring of the rule text). */
function bothReject(d: DualState, what: string, rule: string, kind: Operation, op: Any): void {
  assert.throws(
    () => kind.ours(d.ours, op, blockContext()),
    (e: unknown) => {
      assert.ok(e instanceof TransitionError, `${d.fork} ${what}: ours threw ${e}`);
      assert.ok(
        e.context.rule.includes(rule),
        `${d.fork} ${what}: ours names "${e.context.rule}", expected a rule with "${rule}"`,
      );
      return true;
    },
    `${d.fork} ${what}: ours accepted`,
  );
  assert.throws(() => kind.theirs(d, op), `${d.fork} ${what}: the oracle accepted`);
}

/** A tampered signature: ours accepts the operation but pushes a set that fails; the oracle rejects it. */
function tamperedRejected(d: DualState, what: string, kind: Operation, op: Any): void {
  const bc = blockContext();
  kind.ours(d.ours, op, bc);
  assertSetsInvalid(bc.signatureSets, what);
  assert.throws(() => kind.theirs(d, op));
}

function assertSetsValid(sets: readonly SignatureSet[], what: string, count?: number): void {
  if (count !== undefined) assert.equal(sets.length, count, `${what}: signature sets pushed`);
  const result = verifySignatureSets(sets);
  assert.ok(result.valid, `${what}: signature sets ${result.invalid.join(",")} do not verify`);
}

function assertSetsInvalid(sets: readonly SignatureSet[], what: string): void {
  assert.ok(!verifySignatureSets(sets).valid, `${what}: tampered signature sets verify`);
}

// --- signing (independently of ours: compute_domain from the state's values)

function domainOf(b: Built, type: DomainType, epoch: number): Uint8Array {
  const fork = b.value.fork;
  return computeDomain(
    type,
    epoch < fork.epoch ? fork.previousVersion : fork.currentVersion,
    b.value.genesisValidatorsRoot,
  );
}

function signRoot(sk: InteropKey["sk"], objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  return sk.sign(computeSigningRoot(objectRoot, domain)).toBytes();
}

function signedHeader(b: Built, proposer: number, slot: number, bodyRoot: Uint8Array): Any {
  const message = { slot, proposerIndex: proposer, parentRoot: new Uint8Array(32), stateRoot: ZERO_ROOT, bodyRoot };
  const domain = domainOf(b, DOMAIN_BEACON_PROPOSER, Math.floor(slot / SLOTS_PER_EPOCH));
  const signature = signRoot(key(proposer).sk, types.phase0.BeaconBlockHeader.hashTreeRoot(message), domain);
  return { message, signature };
}

function proposerSlashing(b: Built, proposer: number, slot = SLOT - 3): Any {
  return {
    signedHeader1: signedHeader(b, proposer, slot, new Uint8Array(32).fill(1)),
    signedHeader2: signedHeader(b, proposer, slot, new Uint8Array(32).fill(2)),
  };
}

function attestationData(b: Built, slot: number, targetOk = true, headOk = true, index = 0): Any {
  const targetEpoch = Math.floor(slot / SLOTS_PER_EPOCH);
  const roots = b.value.blockRoots;
  const targetRoot = roots[(targetEpoch * SLOTS_PER_EPOCH) % SLOTS_PER_HISTORICAL_ROOT];
  return {
    slot,
    index,
    beaconBlockRoot: headOk ? roots[slot % SLOTS_PER_HISTORICAL_ROOT] : new Uint8Array(32).fill(7),
    source: targetEpoch === EPOCH ? b.value.currentJustifiedCheckpoint : b.value.previousJustifiedCheckpoint,
    target: { epoch: targetEpoch, root: targetOk ? targetRoot : new Uint8Array(32).fill(9) },
  };
}

function signData(b: Built, signers: readonly number[], data: Any): Uint8Array {
  const domain = domainOf(b, DOMAIN_BEACON_ATTESTER, data.target.epoch);
  const root = computeSigningRoot(types.phase0.AttestationData.hashTreeRoot(data), domain);
  if (signers.length === 0) return G2_POINT_AT_INFINITY;
  return aggregateSignatures(signers.map((i) => key(i).sk.sign(root))).toBytes();
}

function indexedAttestation(b: Built, indices: number[], data: Any): Any {
  return { attestingIndices: indices, data, signature: signData(b, indices, data) };
}

/**
 * An attestation of `fork` for `slot` by the members of the given committees whose `pick` is true (electra: one
 * attestation over all of them; before: committees[0] only, at data.index = committees[0]).
 */
function attestation(
  d: DualState,
  b: Built,
  slot: number,
  committees: number[],
  pick: (member: number, position: number) => boolean,
  dataOptions: { targetOk?: boolean; headOk?: boolean } = {},
): Any {
  const electra = ForkSeq[d.fork] >= ForkSeq.electra;
  const data = attestationData(b, slot, dataOptions.targetOk, dataOptions.headOk, electra ? 0 : committees[0]);
  const members = (electra ? committees : committees.slice(0, 1)).map((c) => d.ours.ctx.getBeaconCommittee(slot, c));
  const total = members.reduce((n, m) => n + m.length, 0);
  const bits = BitArray.fromBitLen(total);
  const signers: number[] = [];
  let offset = 0;
  for (const committee of members) {
    committee.forEach((member, position) => {
      if (pick(member, position)) {
        bits.set(offset + position, true);
        signers.push(member);
      }
    });
    offset += committee.length;
  }
  const value: Any = { aggregationBits: bits, data, signature: signData(b, signers, data) };
  if (electra) {
    value.committeeBits = BitArray.fromBitLen(4);
    for (const c of committees) value.committeeBits.set(c, true);
  }
  return value;
}

function voluntaryExit(b: Built, validator: number, epoch = EPOCH - 1): Any {
  const message = { epoch, validatorIndex: validator };
  const domain =
    ForkSeq[b.fork] >= ForkSeq.deneb
      ? computeDomain(DOMAIN_VOLUNTARY_EXIT, b.chain.CAPELLA_FORK_VERSION, b.value.genesisValidatorsRoot)
      : domainOf(b, DOMAIN_VOLUNTARY_EXIT, epoch);
  return { message, signature: signRoot(key(validator).sk, types.phase0.VoluntaryExit.hashTreeRoot(message), domain) };
}

function blsChange(b: Built, validator: number, fromKey = withdrawalKey(validator)): Any {
  const message = {
    validatorIndex: validator,
    fromBlsPubkey: fromKey.pubkey,
    toExecutionAddress: new Uint8Array(20).fill(0xab),
  };
  const domain = computeDomain(
    DOMAIN_BLS_TO_EXECUTION_CHANGE,
    b.chain.GENESIS_FORK_VERSION,
    b.value.genesisValidatorsRoot,
  );
  const root = types.capella.BLSToExecutionChange.hashTreeRoot(message);
  return { message, signature: signRoot(fromKey.sk, root, domain) };
}

// --- deposits: an incremental deposit tree of depth 32 with the length mix-in

const ZERO_HASHES: Uint8Array[] = [new Uint8Array(32)];
for (let i = 1; i <= 32; i++) ZERO_HASHES.push(digest(concat(ZERO_HASHES[i - 1], ZERO_HASHES[i - 1])));

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  out.set(a, 0);
  out.set(b, 32);
  return out;
}

function lengthChunk(n: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

/** The deposit root of `leaves` and the proof (33 nodes) of each leaf. */
function depositTree(leaves: Uint8Array[]): { root: Uint8Array; proof: (i: number) => Uint8Array[] } {
  const layers: Uint8Array[][] = [leaves];
  for (let depth = 0; depth < 32; depth++) {
    const below = layers[depth];
    const layer: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2) {
      layer.push(digest(concat(below[i], below[i + 1] ?? ZERO_HASHES[depth])));
    }
    if (layer.length === 0) layer.push(ZERO_HASHES[depth + 1]);
    layers.push(layer);
  }
  const root = digest(concat(layers[32][0], lengthChunk(leaves.length)));
  const proof = (index: number) => {
    const out: Uint8Array[] = [];
    let position = index;
    for (let depth = 0; depth < 32; depth++) {
      out.push(layers[depth][position ^ 1] ?? ZERO_HASHES[depth]);
      position >>= 1;
    }
    out.push(lengthChunk(leaves.length));
    return out;
  };
  return { root, proof };
}

function depositData(keyIndex: number, amount: number, signer = keyIndex, credentials?: Uint8Array): Any {
  const pubkey = key(keyIndex).pubkey;
  const withdrawalCredentials = credentials ?? credentialsOf("phase0", keyIndex + 1);
  const message = { pubkey, withdrawalCredentials, amount };
  const domain = computeDomain(DOMAIN_DEPOSIT, minimalChainConfig.GENESIS_FORK_VERSION, ZERO_ROOT);
  const signature = signRoot(key(signer).sk, types.phase0.DepositMessage.hashTreeRoot(message), domain);
  return { pubkey, withdrawalCredentials, amount, signature };
}

/** Deposits appended after the state's N (whose leaves are arbitrary), with eth1_data updated to commit to them. */
function withDeposits(b: Built, datas: Any[]): Any[] {
  const rng = new Rng(99);
  const leaves = Array.from({ length: N }, () => rng.bytes(32));
  for (const data of datas) leaves.push(types.phase0.DepositData.hashTreeRoot(data));
  const tree = depositTree(leaves);
  b.value.eth1Data = { ...b.value.eth1Data, depositRoot: tree.root, depositCount: leaves.length };
  return datas.map((data, i) => ({ proof: tree.proof(N + i), data }));
}

// --- the tests

const FORKS = FORK_NAMES.filter((f) => ForkSeq[f] <= ForkSeq.fulu);

describe("block operations match the oracle (minimal preset)", { skip }, () => {
  it("the deposit tree helper and isValidMerkleBranch agree", () => {
    const rng = new Rng(5);
    const leaves = Array.from({ length: 5 }, () => rng.bytes(32));
    const tree = depositTree(leaves);
    for (let i = 0; i < 5; i++) assert.ok(isValidMerkleBranch(leaves[i], tree.proof(i), 33, i, tree.root));
    assert.ok(!isValidMerkleBranch(leaves[1], tree.proof(2), 33, 2, tree.root));
    assert.ok(!isValidMerkleBranch(leaves[2], tree.proof(2), 33, 3, tree.root));
  });

  for (const fork of FORKS) {
    describe(fork, () => {
      it("process_proposer_slashing: valid, tampered, and rejected", async () => {
        const b = buildState(fork, 1);
        const d = await load(b);
        const sets = runBoth(d, "proposer slashing", PROPOSER_SLASHING, proposerSlashing(b, 10));
        assertSetsValid(sets, "proposer slashing", 2);
        assert.equal(d.ours.state.validators.getReadonly(10).slashed, true);

        // A second slashing of the same proposer in the same block: no longer slashable.
        bothReject(
          d,
          "double proposer slashing",
          "process_proposer_slashing: is_slashable_validator",
          PROPOSER_SLASHING,
          proposerSlashing(b, 10, SLOT - 4),
        );

        const tampered = proposerSlashing(b, 11);
        tampered.signedHeader2.signature = tampered.signedHeader1.signature;
        tamperedRejected(await load(b), "proposer slashing with a wrong signature", PROPOSER_SLASHING, tampered);

        const d2 = await load(b);
        const reject = (what: string, rule: string, op: Any) => bothReject(d2, what, rule, PROPOSER_SLASHING, op);
        reject(
          "already slashed proposer",
          "process_proposer_slashing: is_slashable_validator",
          proposerSlashing(b, SLASHED),
        );
        const same = proposerSlashing(b, 12);
        same.signedHeader2 = same.signedHeader1;
        reject("identical headers", "process_proposer_slashing: header_1 != header_2", same);
        const slots = proposerSlashing(b, 12);
        slots.signedHeader2 = signedHeader(b, 12, SLOT - 2, new Uint8Array(32).fill(2));
        reject("different slots", "process_proposer_slashing: header_1.slot == header_2.slot", slots);
        const outOfRange = proposerSlashing(b, 3);
        outOfRange.signedHeader1.message.proposerIndex = N + 50;
        outOfRange.signedHeader2.message.proposerIndex = N + 50;
        reject("proposer index out of range", "process_proposer_slashing: header_1.proposer_index", outOfRange);
        assertSameState(d2, "after rejected proposer slashings");
      });

      it("process_attester_slashing: double and surround votes, tampered, and rejected", async () => {
        const b = buildState(fork, 2);
        const d = await load(b);
        const dataA = attestationData(b, SLOT - 3);
        const dataB = { ...dataA, beaconBlockRoot: new Uint8Array(32).fill(3) };
        const double = {
          attestation1: indexedAttestation(b, [SLASHED, 11, 12, 13, 40], dataA),
          attestation2: indexedAttestation(b, [SLASHED, 12, 13, 14, 40], dataB),
        };
        const sets = runBoth(d, "double vote", ATTESTER_SLASHING, double);
        assertSetsValid(sets, "attester slashing", 2);
        for (const i of [12, 13, 40]) assert.equal(d.ours.state.validators.getReadonly(i).slashed, true);
        assert.equal(d.ours.state.validators.getReadonly(11).slashed, false);

        // Surround vote: source earlier and target later than the other's.
        const outer = {
          ...attestationData(b, SLOT - 1),
          source: { epoch: EPOCH - 3, root: new Uint8Array(32).fill(4) },
        };
        const inner = attestationData(b, SLOT - 9);
        const surround = {
          attestation1: indexedAttestation(b, [20, 21, 22], outer),
          attestation2: indexedAttestation(b, [21, 22, 23], inner),
        };
        runBoth(d, "surround vote", ATTESTER_SLASHING, surround);

        const reject = (what: string, rule: string, op: Any) => bothReject(d, what, rule, ATTESTER_SLASHING, op);
        reject("the same slashing again", "process_attester_slashing: slashed_any", double);
        reject("identical data", "process_attester_slashing: is_slashable_attestation_data", {
          attestation1: indexedAttestation(b, [30, 31], dataA),
          attestation2: indexedAttestation(b, [30, 31], dataA),
        });
        reject("unsorted indices", "process_attester_slashing: is_valid_indexed_attestation(state, attestation_1)", {
          attestation1: indexedAttestation(b, [31, 30], dataA),
          attestation2: indexedAttestation(b, [30, 31], dataB),
        });
        reject("empty indices", "process_attester_slashing: is_valid_indexed_attestation(state, attestation_2)", {
          attestation1: indexedAttestation(b, [30, 31], dataA),
          attestation2: { attestingIndices: [], data: dataB, signature: signData(b, [30], dataB) },
        });
        reject("index out of range", "process_attester_slashing: is_valid_indexed_attestation(state, attestation_1)", {
          attestation1: { ...indexedAttestation(b, [30, 31], dataA), attestingIndices: [30, N + 5] },
          attestation2: indexedAttestation(b, [30, 31], dataB),
        });
        assertSameState(d, "after rejected attester slashings");

        // A wrong signature: ours pushes a set that fails; the oracle rejects.
        const tampered = {
          attestation1: indexedAttestation(b, [50, 51], dataA),
          attestation2: { ...indexedAttestation(b, [50, 51], dataB), signature: signData(b, [50, 51], dataA) },
        };
        tamperedRejected(await load(b), "attester slashing with a wrong signature", ATTESTER_SLASHING, tampered);
      });

      it("process_attestation: a block's worth, signatures, and rejections", async () => {
        const b = buildState(fork, 3);
        const d = await load(b);
        const rng = new Rng(33);
        const electra = ForkSeq[fork] >= ForkSeq.electra;
        const deneb = ForkSeq[fork] >= ForkSeq.deneb;
        // Slots in the inclusion window: pre-deneb the last SLOTS_PER_EPOCH slots, deneb+ the whole previous epoch.
        const first = deneb ? (EPOCH - 1) * SLOTS_PER_EPOCH : SLOT - SLOTS_PER_EPOCH;
        const atts: Any[] = [];
        for (let slot = first; slot < SLOT; slot++) {
          for (const committees of electra ? [[0, 1], [1]] : [[0], [1]]) {
            const targetOk = rng.int(5) !== 0;
            const headOk = rng.int(3) !== 0;
            atts.push(attestation(d, b, slot, committees, (_, p) => p === 0 || rng.int(3) !== 0, { targetOk, headOk }));
          }
        }
        // Overlapping aggregates of the same committee (flags already set by the first).
        atts.push(attestation(d, b, SLOT - 1, [0], () => true));
        atts.push(attestation(d, b, SLOT - 1, [0], () => true));
        const proposer = d.ours.ctx.getBeaconProposer(SLOT);
        const before = d.ours.state.balances.get(proposer);
        const sets = runBoth(d, "attestations", ATTESTATIONS, atts);
        assertSetsValid(sets, "attestations", atts.length);
        if (fork === "phase0") {
          const s = d.ours.state as Any;
          assert.equal(s.currentEpochAttestations.length + s.previousEpochAttestations.length, atts.length);
        } else {
          assert.ok(d.ours.state.balances.get(proposer) > before, "the proposer is rewarded");
        }

        // One tampered signature among valid ones: the batch fails on that set only.
        const d2 = await load(b);
        const good = attestation(d2, b, SLOT - 2, [0], () => true);
        const bad = attestation(d2, b, SLOT - 2, [1], () => true);
        bad.signature = good.signature;
        const bc = blockContext();
        processAttestations(d2.ours, [good, bad], bc);
        const result = verifySignatureSets(bc.signatureSets);
        assert.deepEqual(result.invalid, [1], "only the tampered attestation's set fails");
        assert.throws(() => ATTESTATIONS.theirs(d2, [good, bad]));

        const d3 = await load(b);
        const reject = (what: string, rule: string, att: Any) => bothReject(d3, what, rule, ATTESTATIONS, [att]);
        const all = () => true;
        // Each rejected attestation: built for a slot and committees, edited, and the rule ours names.
        const cases: [string, number, number[], ((att: Any) => void) | null, string][] = [
          [
            "target two epochs back", // too old: deneb+ only the target epoch bounds it; before, the slot window
            SLOT - 2,
            [0],
            (att) => {
              att.data = attestationData(b, (EPOCH - 2) * SLOTS_PER_EPOCH + 7, true, true, att.data.index);
            },
            "process_attestation: data.target.epoch in (get_previous_epoch",
          ],
        ];
        if (!deneb) {
          cases.push([
            "included too late",
            SLOT - SLOTS_PER_EPOCH - 1,
            [0],
            null,
            "process_attestation: data.slot + MIN_ATTESTATION_INCLUSION_DELAY <= state.slot <=",
          ]);
        }
        cases.push(
          [
            "included in its own slot",
            SLOT,
            [0],
            null,
            "process_attestation: data.slot + MIN_ATTESTATION_INCLUSION_DELAY <= state.slot",
          ],
          [
            "target epoch not the slot's",
            SLOT - 2,
            [0],
            (att) => {
              att.data = { ...att.data, target: { ...att.data.target, epoch: EPOCH - 1 } };
            },
            "process_attestation: data.target.epoch == compute_epoch_at_slot",
          ],
          [
            "source not the justified checkpoint",
            SLOT - 2,
            [0],
            (att) => {
              att.data = { ...att.data, source: b.value.previousJustifiedCheckpoint };
            },
            fork === "phase0"
              ? "process_attestation: data.source == state.current_justified_checkpoint"
              : "get_attestation_participation_flag_indices: is_matching_source",
          ],
        );
        for (const [what, slot, committees, edit, rule] of cases) {
          const att = attestation(d3, b, slot, committees, all);
          edit?.(att);
          reject(what, rule, att);
        }
        const empty = attestation(d3, b, SLOT - 2, [0], () => false);
        if (electra) {
          reject("a committee without attesters", "process_attestation: len(committee_attesters) > 0", empty);
          const index1 = attestation(d3, b, SLOT - 2, [0], all);
          index1.data = { ...index1.data, index: 1 };
          reject("data.index != 0", "process_attestation: data.index == 0", index1);
          const outOfRange = attestation(d3, b, SLOT - 2, [0], all);
          outOfRange.committeeBits.set(3, true);
          reject(
            "committee bit beyond the slot's committees",
            "process_attestation: committee_index < get_committee_count_per_slot",
            outOfRange,
          );
          const shortBits = attestation(d3, b, SLOT - 2, [0, 1], all);
          shortBits.committeeBits = BitArray.fromBitLen(4);
          shortBits.committeeBits.set(0, true);
          reject(
            "bits longer than the committees",
            "process_attestation: len(attestation.aggregation_bits) == committee_offset",
            shortBits,
          );
        } else {
          reject("no attesters", "process_attestation: is_valid_indexed_attestation", empty);
          const index3 = attestation(d3, b, SLOT - 2, [0], all);
          index3.data = { ...index3.data, index: 3 };
          reject(
            "committee index out of range",
            "process_attestation: data.index < get_committee_count_per_slot",
            index3,
          );
          const bits = attestation(d3, b, SLOT - 2, [0], all);
          bits.aggregationBits = BitArray.fromBitLen(bits.aggregationBits.bitLen + 1);
          bits.aggregationBits.set(0, true);
          reject(
            "bit list longer than the committee",
            "process_attestation: len(attestation.aggregation_bits) == len(committee)",
            bits,
          );
        }
        assertSameState(d3, "after rejected attestations");
      });

      it("process_deposit: new, top-up, invalid signature, and a bad proof", async () => {
        const b = buildState(fork, 4);
        const deposits = withDeposits(b, [
          depositData(N, 32 * ETH),
          depositData(3, 2 * ETH, 999), // top-up: the signature is not checked
          depositData(N + 1, 32 * ETH, N + 2), // new key, signed by another key: ignored
          depositData(N + 3, 17 * ETH + 5),
          depositData(N, 5 * ETH, 999), // top-up of the validator added above
        ]);
        const d = await load(b);
        for (const [i, deposit] of deposits.entries()) runBoth(d, `deposit ${i}`, DEPOSIT, deposit);
        assert.equal(d.ours.state.validators.length, N + 2, "two validators added, the bad signature ignored");
        assert.equal(d.ours.state.eth1DepositIndex, N + 5);
        if (ForkSeq[fork] >= ForkSeq.electra) {
          assert.equal((d.ours.state as Any).pendingDeposits.length, 4);
          assert.equal(d.ours.state.balances.get(N), 0);
        } else {
          assert.equal(d.ours.state.balances.get(N), 37 * ETH);
        }

        const b2 = buildState(fork, 4);
        const [first, second] = withDeposits(b2, [depositData(N, 32 * ETH), depositData(N + 1, 32 * ETH)]);
        const d2 = await load(b2);
        const reject = (what: string, deposit: Any) =>
          bothReject(d2, what, "process_deposit: is_valid_merkle_branch", DEPOSIT, deposit);
        reject("out of order", second);
        const badProof = {
          ...first,
          proof: first.proof.map((p: Uint8Array, i: number) => (i === 5 ? new Uint8Array(32).fill(1) : p)),
        };
        reject("a wrong proof node", badProof);
        reject("different data", { ...first, data: { ...first.data, amount: 33 * ETH } });
        assertSameState(d2, "after rejected deposits");
      });

      it("process_voluntary_exit: valid, tampered, and rejected", async () => {
        const b = buildState(fork, 5);
        const d = await load(b);
        const sets = runBoth(d, "exit", VOLUNTARY_EXIT, voluntaryExit(b, 20), voluntaryExit(b, 21, 3));
        assertSetsValid(sets, "exits", 2);
        assert.notEqual(d.ours.state.validators.getReadonly(20).exitEpoch, Infinity);

        const tampered = voluntaryExit(b, 22);
        tampered.signature = voluntaryExit(b, 23).signature;
        tamperedRejected(await load(b), "exit with another validator's signature", VOLUNTARY_EXIT, tampered);

        const reject = (what: string, rule: string, exit: Any) => bothReject(d, what, rule, VOLUNTARY_EXIT, exit);
        const cases: [string, string, Any][] = [
          [
            "already exiting",
            "process_voluntary_exit: validator.exit_epoch == FAR_FUTURE_EPOCH",
            voluntaryExit(b, EXITING),
          ],
          [
            "exited in this block",
            "process_voluntary_exit: validator.exit_epoch == FAR_FUTURE_EPOCH",
            voluntaryExit(b, 20),
          ],
          [
            "exit epoch in the future",
            "process_voluntary_exit: get_current_epoch(state) >= voluntary_exit.epoch",
            voluntaryExit(b, 24, EPOCH + 1),
          ],
          ["active too briefly", "SHARD_COMMITTEE_PERIOD", voluntaryExit(b, RECENT)],
        ];
        for (const [what, rule, exit] of cases) reject(what, rule, exit);
        const outOfRange = voluntaryExit(b, 25);
        outOfRange.message.validatorIndex = N + 3;
        reject("validator index out of range", "process_voluntary_exit: voluntary_exit.validator_index", outOfRange);
        if (ForkSeq[fork] >= ForkSeq.electra) {
          reject(
            "pending partial withdrawal",
            "process_voluntary_exit: get_pending_balance_to_withdraw",
            voluntaryExit(b, PENDING_WITHDRAWAL),
          );
        }
        assertSameState(d, "after rejected exits");
      });

      if (ForkSeq[fork] >= ForkSeq.capella) {
        it("process_bls_to_execution_change: valid, tampered, and rejected", async () => {
          const b = buildState(fork, 6);
          const d = await load(b);
          const sets = runBoth(d, "BLS change", BLS_CHANGE, blsChange(b, 0));
          assertSetsValid(sets, "BLS change", 1);
          assert.equal(d.ours.state.validators.getReadonly(0).withdrawalCredentials[0], 0x01);

          // The tampered change runs on ours after the valid one, on a fresh oracle state (d2 stays equal in both).
          const tampered = blsChange(b, 4);
          tampered.signature = blsChange(b, 8).signature;
          const bc = blockContext();
          processBlsToExecutionChange(d.ours, tampered, bc);
          assertSetsInvalid(bc.signatureSets, "BLS change with a wrong signature");
          const d2 = await load(b);
          assert.throws(() => BLS_CHANGE.theirs(d2, tampered));

          const reject = (what: string, rule: string, op: Any) => bothReject(d2, what, rule, BLS_CHANGE, op);
          reject(
            "0x01 credentials",
            "process_bls_to_execution_change: validator.withdrawal_credentials[:1] == BLS_WITHDRAWAL_PREFIX",
            blsChange(b, 2, withdrawalKey(2)),
          );
          reject(
            "another key's hash",
            "process_bls_to_execution_change: validator.withdrawal_credentials[1:] == hash",
            blsChange(b, 8, withdrawalKey(12)),
          );
          const outOfRange = blsChange(b, 12);
          outOfRange.message.validatorIndex = N;
          reject(
            "validator index out of range",
            "process_bls_to_execution_change: address_change.validator_index < len",
            outOfRange,
          );
          assertSameState(d2, "after rejected BLS changes");
        });
      }

      it("process_operations: a body with every list, and the deposit-count rule", async () => {
        // The oracle (a later Lodestar) refuses eth1 deposits from fulu on, which spec v1.6.1 still processes
        // under electra's rule: give the fulu body no outstanding deposits.
        const withDeposit = fork !== "fulu";
        const b = buildState(fork, 7);
        const deposits = withDeposit ? withDeposits(b, [depositData(N, 32 * ETH)]) : [];
        const d = await load(b);
        const body: Any = (types[fork] as Any).BeaconBlockBody.defaultValue();
        body.proposerSlashings = [proposerSlashing(b, 30)];
        const dataA = attestationData(b, SLOT - 3);
        body.attesterSlashings = [
          {
            attestation1: indexedAttestation(b, [31, 32], dataA),
            attestation2: indexedAttestation(b, [31, 32], { ...dataA, beaconBlockRoot: new Uint8Array(32).fill(5) }),
          },
        ];
        body.attestations = [
          attestation(d, b, SLOT - 1, [0], () => true),
          attestation(d, b, SLOT - 2, [1], () => true),
        ];
        body.deposits = deposits;
        body.voluntaryExits = [voluntaryExit(b, 33)];
        if (ForkSeq[fork] >= ForkSeq.capella) body.blsToExecutionChanges = [blsChange(b, 36)];
        const sets = runBoth(d, "process_operations", OPERATIONS, body);
        assertSetsValid(sets, "process_operations");
        assert.ok(sets.length >= 7, "slashings, attestations, exit (and BLS change) pushed their sets");

        // Signatures not checked (trusted input): the same post-state, nothing collected.
        const unchecked = await load(b);
        processOperations(unchecked.ours, body, { executionEngine: acceptingExecutionEngine, signatureSets: null });
        unchecked.oracleModule.stBlock.processOperations(
          oracleFork(unchecked),
          unchecked.oracle,
          toOracle(unchecked, "BeaconBlockBody", body),
          null,
          { verifySignatures: false },
        );
        assertSameState(unchecked, "process_operations without signature checks");
        assert.equal(hex(unchecked.ours.state.hashTreeRoot()), hex(d.ours.state.hashTreeRoot()));

        const expected = withDeposit ? 1 : 0;
        const wrongCount = {
          ...body,
          deposits: withDeposit ? [] : [{ proof: new Array(33).fill(new Uint8Array(32)), data: depositData(N, ETH) }],
        };
        bothReject(
          await load(b),
          `${1 - expected} deposits where ${expected} are due`,
          "process_operations: len(body.deposits) ==",
          OPERATIONS,
          wrongCount,
        );
        if (fork === "electra") {
          // Once deposit requests started at the current eth1 index, eth1 deposits are over.
          const b3 = buildState(fork, 7, (v) => {
            v.depositRequestsStartIndex = BigInt(N);
          });
          const body3 = { ...body, deposits: withDeposits(b3, [depositData(N, 32 * ETH)]) };
          bothReject(
            await load(b3),
            "an eth1 deposit after deposit_requests_start_index",
            "process_operations: len(body.deposits) == 0",
            OPERATIONS,
            body3,
          );
        }
      });
    });
  }
});
