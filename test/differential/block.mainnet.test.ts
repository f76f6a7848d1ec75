// Differential tests of block processing (consensus/src/transition/block/) against the Lodestar oracle with the
// mainnet preset, where the sizes differ from minimal: 512-member sync committees, 16 withdrawals per payload and
// 8 pending partials per sweep, mainnet blob limits, 32-slot epochs. The broad case coverage (every invalid case,
// every request rule) is in block.minimal.test.ts; this file checks the same code at mainnet sizes.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type ChainConfig, type ForkName, ForkSeq, mainnetChainConfig } from "@sextant/consensus/params/index";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { processExecutionPayload } from "@sextant/consensus/transition/block/executionPayload";
import { processSyncAggregate } from "@sextant/consensus/transition/block/syncAggregate";
import { getExpectedWithdrawals, processWithdrawals } from "@sextant/consensus/transition/block/withdrawals";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";
import { PROJECT_ROOT } from "../support/reference.ts";
import {
  assertSameState,
  blockFor,
  blockTestStates,
  blockContext as context,
  ETH,
  loadFixture as load,
  oracleProcessBlockMatches,
  randaoReveal,
  ruleOf,
  sweepValidators,
  syncAggregateFor,
  toOracle,
  verifySets,
} from "../support/transitionFixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: SSZ values are built generically across forks
type Any = any;

const skip = oracleSkip();
const types = getSszTypes("mainnet");
const SLOTS_PER_EPOCH = 32;
const EPOCHS_PER_HISTORICAL_VECTOR = 65536;
const SECONDS_PER_SLOT = 12;

/** The block tests' state (see blockTestStates). */
const buildState = blockTestStates(mainnetChainConfig);

/** Validators set up for the withdrawal sweep, and from electra 12 pending partials (10 due). */
function withdrawalTweak(fork: ForkName, cursor: number) {
  return (v: Any, rng: Rng) => {
    v.nextWithdrawalIndex = 77_000;
    v.nextWithdrawalValidatorIndex = cursor;
    sweepValidators(v, rng, fork, 5);
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
      oracleProcessBlockMatches(d, block);
    });
  }
});
