// Differential tests of block processing (consensus/src/transition/block/) against the Lodestar oracle with the
// mainnet preset, where the sizes differ from minimal: 512-member sync committees, 16 withdrawals per payload and
// 8 pending partials per sweep, mainnet blob limits, 32-slot epochs. The broad case coverage (every invalid case,
// every request rule) is in block.minimal.test.ts; this file checks the same code at mainnet sizes.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { SignatureSet } from "@sextant/consensus/bls/batch";
import { verifySignatureSets } from "@sextant/consensus/bls/batch";
import { interopSecretKey } from "@sextant/consensus/bls/interop";
import { aggregatePublicKeys, aggregateSignatures } from "@sextant/consensus/bls/verify";
import {
  type ChainConfig,
  FORK_NAMES,
  type ForkName,
  ForkSeq,
  forkVersion,
  mainnetChainConfig,
} from "@sextant/consensus/params/index";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import { DOMAIN_RANDAO, DOMAIN_SYNC_COMMITTEE } from "@sextant/consensus/signing/domainTypes";
import { stateDomain } from "@sextant/consensus/state/accessors";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { TransitionError } from "@sextant/consensus/state/errors";
import { processExecutionPayload } from "@sextant/consensus/transition/block/executionPayload";
import { processSyncAggregate } from "@sextant/consensus/transition/block/syncAggregate";
import { getExpectedWithdrawals, processWithdrawals } from "@sextant/consensus/transition/block/withdrawals";
import type { ExecutionEngine } from "@sextant/consensus/transition/execution";
import type { BlockContext } from "@sextant/consensus/transition/options";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { type DualState, loadDualState } from "../support/dualState.ts";
import { oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";
import { PROJECT_ROOT } from "../support/reference.ts";

// biome-ignore lint/suspicious/noExplicitAny: SSZ values are built generically across forks
type Any = any;

const skip = oracleSkip();
const types = getSszTypes("mainnet");
const ETH = 1_000_000_000;
const SLOTS_PER_EPOCH = 32;
const SLOTS_PER_HISTORICAL_ROOT = 8192;
const EPOCHS_PER_HISTORICAL_VECTOR = 65536;
const SYNC_COMMITTEE_SIZE = 512;
const SECONDS_PER_SLOT = 12;
const UNSET_INDEX = 2n ** 64n - 1n;

const keyCache: { pubkey: Uint8Array; sk: ReturnType<typeof interopSecretKey> }[] = [];
function key(i: number): { pubkey: Uint8Array; sk: ReturnType<typeof interopSecretKey> } {
  while (keyCache.length <= i) {
    const sk = interopSecretKey(keyCache.length);
    keyCache.push({ sk, pubkey: sk.toPublicKey().toBytes() });
  }
  return keyCache[i];
}

/** The mainnet chain config with every fork up to `fork` at epoch 0 and the later ones unscheduled. */
function chainFor(fork: ForkName, extra: Partial<ChainConfig> = {}): ChainConfig {
  const c: Record<string, unknown> = { ...mainnetChainConfig };
  for (const f of FORK_NAMES) {
    if (f !== "phase0") c[`${f.toUpperCase()}_FORK_EPOCH`] = ForkSeq[f] <= ForkSeq[fork] ? 0 : Infinity;
  }
  return { ...(c as unknown as ChainConfig), ...extra };
}

function credentials(prefix: number, i: number): Uint8Array {
  const c = new Uint8Array(32);
  c[0] = prefix;
  if (prefix !== 0) {
    c[12] = 0xee;
    c[31] = i & 0xff;
    c[30] = i >> 8;
  } else c[31] = i & 0xff;
  return c;
}

interface Built {
  chain: ChainConfig;
  fork: ForkName;
  value: Any;
}

/**
 * A `fork` state at `slot` with `n` active validators of 32 ETH (0x01 credentials), sync committees of real keys,
 * random randao mixes and a latest block header at slot-1 whose root is in block_roots; `tweak` edits the value.
 */
function buildState(fork: ForkName, n: number, slot: number, seed: number, tweak?: (v: Any, rng: Rng) => void): Built {
  const rng = new Rng(seed);
  const chain = chainFor(fork);
  const t = types[fork] as Any;
  const v = t.BeaconState.defaultValue();
  v.genesisTime = 1_600_000_000;
  v.genesisValidatorsRoot = rng.bytes(32);
  v.slot = slot;
  const prevFork = FORK_NAMES[Math.max(0, FORK_NAMES.indexOf(fork) - 1)];
  v.fork = { previousVersion: forkVersion(chain, prevFork), currentVersion: forkVersion(chain, fork), epoch: 0 };
  v.latestBlockHeader = {
    slot: slot - 1,
    proposerIndex: rng.int(n),
    parentRoot: rng.bytes(32),
    stateRoot: rng.bytes(32),
    bodyRoot: rng.bytes(32),
  };
  v.blockRoots = Array.from({ length: SLOTS_PER_HISTORICAL_ROOT }, () => rng.bytes(32));
  v.stateRoots = Array.from({ length: SLOTS_PER_HISTORICAL_ROOT }, () => rng.bytes(32));
  v.blockRoots[(slot - 1) % SLOTS_PER_HISTORICAL_ROOT] = types.phase0.BeaconBlockHeader.hashTreeRoot(
    v.latestBlockHeader,
  );
  v.randaoMixes = v.randaoMixes.map(() => rng.bytes(32));
  v.eth1Data = { depositRoot: rng.bytes(32), depositCount: n, blockHash: rng.bytes(32) };
  v.eth1DepositIndex = n;
  v.validators = [];
  v.balances = [];
  for (let i = 0; i < n; i++) {
    v.validators.push({
      pubkey: key(i).pubkey,
      withdrawalCredentials: credentials(1, i),
      effectiveBalance: 32 * ETH,
      slashed: false,
      activationEligibilityEpoch: 0,
      activationEpoch: 0,
      exitEpoch: Infinity,
      withdrawableEpoch: Infinity,
    });
    v.balances.push(32 * ETH + rng.int(ETH / 2) - ETH / 4);
  }
  if (ForkSeq[fork] >= ForkSeq.altair) {
    v.previousEpochParticipation = new Array(n).fill(0);
    v.currentEpochParticipation = new Array(n).fill(0);
    v.inactivityScores = new Array(n).fill(0);
    const committee = (offset: number) => {
      const members = Array.from({ length: SYNC_COMMITTEE_SIZE }, (_, i) => (i * 7 + offset) % n);
      const pubkeys = members.map((m) => key(m).pubkey);
      return {
        pubkeys,
        aggregatePubkey: aggregatePublicKeys(members.map((m) => key(m).sk.toPublicKey())).toBytes(),
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
      timestamp: v.genesisTime + (slot - 1) * SECONDS_PER_SLOT,
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

async function load(b: Built): Promise<DualState> {
  const bytes = (types[b.fork] as Any).BeaconState.serialize(b.value);
  return loadDualState(b.chain, b.fork, bytes);
}

/** Names the top-level fields whose roots differ between the two states. */
function diffFields(d: DualState): string[] {
  const t = (types[d.fork] as Any).BeaconState;
  d.ours.state.commit();
  const ours = (d.ours.state as Any).toValue();
  const theirs = t.deserialize(d.oracle.serialize());
  const out: string[] = [];
  for (const [name, fieldType] of Object.entries(t.fields as Record<string, Any>)) {
    const a = fieldType.hashTreeRoot(ours[name]);
    const b = fieldType.hashTreeRoot(theirs[name]);
    if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) out.push(name);
  }
  return out;
}

function assertSameState(d: DualState, what: string): void {
  const a = Buffer.from(d.ours.state.hashTreeRoot()).toString("hex");
  const b = Buffer.from(d.oracle.hashTreeRoot()).toString("hex");
  if (a !== b) assert.fail(`${what}: state roots differ in ${diffFields(d).join(", ")}`);
}

/** Runs `fn` and returns the rule of the TransitionError it throws (fails on other errors or no error). */
function ruleOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransitionError) return e.context.rule;
    throw e;
  }
  assert.fail("expected a TransitionError");
}

function context(engine: ExecutionEngine = { verifyAndNotifyNewPayload: () => true }): BlockContext {
  return { executionEngine: engine, signatureSets: [] };
}

function verifySets(sets: SignatureSet[] | null): boolean {
  return verifySignatureSets(sets ?? []).valid;
}

/** A default block of the state's fork at its slot, proposed by the right proposer on top of its header. */
function blockFor(cs: CachedState): Any {
  const block = (types[cs.fork] as Any).BeaconBlock.defaultValue();
  block.slot = cs.state.slot;
  block.proposerIndex = cs.ctx.getBeaconProposer(cs.state.slot);
  block.parentRoot = cs.state.latestBlockHeader.hashTreeRoot();
  return block;
}

/** Our block value as the oracle's value (through SSZ bytes). */
function toOracle(d: DualState, typeName: string, value: Any, fork: ForkName = d.fork): Any {
  const bytes = (types[fork] as Any)[typeName].serialize(value);
  return d.oracleModule.types.ssz[fork][typeName].deserialize(bytes);
}

/** Validators set up for the withdrawal sweep: fully withdrawable, partially withdrawable, BLS credentials. */
function withdrawalTweak(fork: ForkName, cursor: number) {
  return (v: Any, rng: Rng) => {
    v.nextWithdrawalIndex = 77_000;
    v.nextWithdrawalValidatorIndex = cursor;
    for (let i = 0; i < v.validators.length; i++) {
      const r = rng.int(5);
      if (r === 0) {
        v.validators[i].exitEpoch = 1;
        v.validators[i].withdrawableEpoch = 2;
      } else if (r === 1) v.balances[i] = 32 * ETH + rng.int(3 * ETH) + 1;
      else if (r === 2) v.validators[i].withdrawalCredentials = credentials(0, i);
      else if (r === 3 && ForkSeq[fork] >= ForkSeq.electra) {
        v.validators[i].withdrawalCredentials = credentials(2, i);
        v.validators[i].effectiveBalance = 2048 * ETH;
        v.balances[i] = 2048 * ETH + rng.int(2 * ETH);
      }
    }
    if (ForkSeq[fork] >= ForkSeq.electra) {
      v.pendingPartialWithdrawals = Array.from({ length: 12 }, (_, i) => ({
        validatorIndex: (i * 13) % v.validators.length,
        amount: ETH + i,
        withdrawableEpoch: i < 10 ? 2 : 50,
      }));
    }
  };
}

function payloadFor(cs: CachedState, rng: Rng): Any {
  const p = (types[cs.fork] as Any).ExecutionPayload.defaultValue();
  const s = cs.state as Any;
  p.parentHash = s.latestExecutionPayloadHeader.blockHash;
  p.feeRecipient = rng.bytes(20);
  p.stateRoot = rng.bytes(32);
  p.receiptsRoot = rng.bytes(32);
  p.prevRandao = s.randaoMixes.get(Math.floor(s.slot / SLOTS_PER_EPOCH) % EPOCHS_PER_HISTORICAL_VECTOR);
  p.blockNumber = 19_000_000;
  p.gasLimit = 36_000_000;
  p.gasUsed = 12_345_678;
  p.timestamp = s.genesisTime + s.slot * SECONDS_PER_SLOT;
  p.baseFeePerGas = 3n * 10n ** 9n;
  p.blockHash = rng.bytes(32);
  p.transactions = [rng.bytes(120)];
  if (ForkSeq[cs.fork] >= ForkSeq.deneb) {
    p.blobGasUsed = 393216n;
    p.excessBlobGas = 10n ** 7n;
  }
  return p;
}

function randaoReveal(cs: CachedState, proposer: number): Uint8Array {
  const epoch = Math.floor(cs.state.slot / SLOTS_PER_EPOCH);
  const epochRoot = new Uint8Array(32);
  new DataView(epochRoot.buffer).setUint32(0, epoch, true);
  return key(proposer)
    .sk.sign(computeSigningRoot(epochRoot, stateDomain(cs, DOMAIN_RANDAO, epoch)))
    .toBytes();
}

/** A sync aggregate where the positions `on(p)` sign the previous slot's block root. */
function syncAggregateFor(cs: CachedState, on: (p: number) => boolean): Any {
  const committee = cs.ctx.currentSyncCommittee?.indices ?? new Uint32Array(0);
  const bits = types.altair.SyncAggregate.fields.syncCommitteeBits.defaultValue();
  const previous = cs.state.slot - 1;
  const root = computeSigningRoot(
    cs.state.blockRoots.get(previous % SLOTS_PER_HISTORICAL_ROOT),
    stateDomain(cs, DOMAIN_SYNC_COMMITTEE, Math.floor(previous / SLOTS_PER_EPOCH)),
  );
  // Positions of the same validator sign once each (the aggregate holds a signature per position).
  const signatures = new Map<number, Uint8Array>();
  const parts: Uint8Array[] = [];
  for (let p = 0; p < SYNC_COMMITTEE_SIZE; p++) {
    if (!on(p)) continue;
    bits.set(p, true);
    const index = committee[p];
    let sig = signatures.get(index);
    if (sig === undefined) {
      sig = key(index).sk.sign(root).toBytes();
      signatures.set(index, sig);
    }
    parts.push(sig);
  }
  const signature =
    parts.length === 0 ? Uint8Array.from([0xc0, ...new Uint8Array(95)]) : aggregateSignatures(parts).toBytes();
  return { syncCommitteeBits: bits, syncCommitteeSignature: signature };
}

const SLOT = 3 * SLOTS_PER_EPOCH + 5;

describe("sync aggregate (differential, mainnet)", { skip }, () => {
  for (const fork of ["altair", "electra"] as ForkName[]) {
    it(`${fork}: 512 positions, full, most and no participation`, async () => {
      const built = buildState(fork, 200, SLOT, 5 + ForkSeq[fork]);
      for (const [name, on] of [
        ["all", () => true],
        ["most", (p: number) => p % 9 !== 0],
        ["none", () => false],
      ] as [string, (p: number) => boolean][]) {
        const d = await load(built);
        const block = blockFor(d.ours);
        block.body.syncAggregate = syncAggregateFor(d.ours, on);
        const bc = context();
        processSyncAggregate(d.ours, block.body.syncAggregate, bc);
        assert.ok(verifySets(bc.signatureSets), `${name}: our set verifies`);
        d.oracleModule.stBlock.processSyncAggregate(d.oracle, toOracle(d, "BeaconBlock", block), true);
        assertSameState(d, `process_sync_aggregate (${name})`);
      }
    });
  }
});

describe("withdrawals (differential, mainnet)", { skip }, () => {
  for (const fork of ["capella", "electra", "fulu"] as ForkName[]) {
    it(`${fork}: 16 per payload, 8 pending partials per sweep`, async () => {
      for (const [seed, cursor, n] of [
        [1, 0, 300],
        [2, 250, 300],
        [3, 5, 40],
      ] as const) {
        const d = await load(buildState(fork, n, SLOT, 20 + seed + ForkSeq[fork], withdrawalTweak(fork, cursor)));
        const seq = d.oracleModule.params.ForkSeq[fork];
        const expected = getExpectedWithdrawals(d.ours);
        const theirs = d.oracleModule.stateTransition.getExpectedWithdrawals(seq, d.oracle);
        assert.deepEqual(
          expected.withdrawals.map((w) => [w.index, w.validatorIndex, w.amount]),
          theirs.expectedWithdrawals.map((w: Any) => [Number(w.index), w.validatorIndex, Number(w.amount)]),
        );
        assert.equal(expected.processedPartialWithdrawalsCount, theirs.processedPartialWithdrawalsCount);
        if (n === 300) assert.equal(expected.withdrawals.length, 16, "a full payload");
        // The queue stops at 8 withdrawals; ineligible entries are consumed without one, so more may be processed.
        if (ForkSeq[fork] >= ForkSeq.electra) assert.ok(expected.processedPartialWithdrawalsCount >= 8);
        const payload = (types[fork] as Any).ExecutionPayload.defaultValue();
        payload.withdrawals = expected.withdrawals;
        processWithdrawals(d.ours, payload.withdrawals);
        d.oracleModule.stBlock.processWithdrawals(seq, d.oracle, toOracle(d, "ExecutionPayload", payload));
        assertSameState(d, `process_withdrawals (seed ${seed})`);
      }
    });
  }
});

describe("execution payload (differential, mainnet)", { skip }, () => {
  const cases: [ForkName, Partial<ChainConfig>, number][] = [
    ["deneb", {}, 6],
    ["electra", {}, 9],
    ["fulu", {}, 9],
    [
      "fulu",
      {
        BLOB_SCHEDULE: [
          { EPOCH: 1, MAX_BLOBS_PER_BLOCK: 15 },
          { EPOCH: 9, MAX_BLOBS_PER_BLOCK: 21 },
        ],
      },
      15,
    ],
  ];
  for (const [fork, extra, max] of cases) {
    it(`${fork}${extra.BLOB_SCHEDULE ? " (blob schedule)" : ""}: ${max} blobs accepted, ${max + 1} rejected`, async () => {
      const built = buildState(fork, 64, SLOT, 40 + ForkSeq[fork]);
      built.chain = { ...built.chain, ...extra };
      const seq = ForkSeq[fork];
      for (const count of [max, max + 1]) {
        const d = await load(built);
        const rng = new Rng(count);
        const body = blockFor(d.ours).body;
        body.executionPayload = payloadFor(d.ours, rng);
        body.blobKzgCommitments = Array.from({ length: count }, () => rng.bytes(48));
        const run = () =>
          d.oracleModule.stBlock.processExecutionPayload(seq, d.oracle, toOracle(d, "BeaconBlockBody", body), {
            executionPayloadStatus: "valid",
          });
        if (count === max) {
          processExecutionPayload(d.ours, body, context());
          run();
          assertSameState(d, "process_execution_payload");
        } else {
          assert.match(
            ruleOf(() => processExecutionPayload(d.ours, body, context())),
            /^process_execution_payload: len\(body.blob_kzg_commitments\) <= /,
          );
          assert.throws(run);
        }
      }
    });
  }
});

const operationsReady = existsSync(
  join(PROJECT_ROOT, "consensus", "src", "transition", "block", "operations", "index.ts"),
);

describe("processBlock (differential, mainnet)", {
  skip: skip || (!operationsReady && "operations not written yet"),
}, () => {
  for (const fork of ["phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu"] as ForkName[]) {
    it(`${fork}: a block without operations gives the same post-state`, async () => {
      const { processBlock } = await import("@sextant/consensus/transition/block/index");
      const tweak = ForkSeq[fork] >= ForkSeq.capella ? withdrawalTweak(fork, 17) : undefined;
      const d = await load(buildState(fork, 200, SLOT, 60 + ForkSeq[fork], tweak));
      const cs = d.ours;
      const block = blockFor(cs);
      block.body.randaoReveal = randaoReveal(cs, block.proposerIndex);
      block.body.eth1Data = (cs.state as Any).eth1Data.toValue();
      if (ForkSeq[fork] >= ForkSeq.altair) block.body.syncAggregate = syncAggregateFor(cs, (p) => p % 4 !== 1);
      if (ForkSeq[fork] >= ForkSeq.bellatrix) {
        block.body.executionPayload = payloadFor(cs, new Rng(3));
        if (ForkSeq[fork] >= ForkSeq.capella) {
          block.body.executionPayload.withdrawals = getExpectedWithdrawals(cs).withdrawals;
        }
      }
      const bc = context();
      processBlock(cs, block, bc);
      assert.ok(verifySets(bc.signatureSets), "every signature set verifies");
      const o = d.oracleModule;
      o.stBlock.processBlock(
        o.params.ForkSeq[fork],
        d.oracle,
        toOracle(d, "BeaconBlock", block),
        { executionPayloadStatus: "valid", dataAvailabilityStatus: "Available", verifySignatures: true },
        { verifySignatures: true },
      );
      assertSameState(d, "process_block");
    });
  }
});
