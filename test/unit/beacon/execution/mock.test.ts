// The in-process mock engine: payloads built on forkchoiceUpdated with the attributes' values, chained blocks,
// newPayload verdicts (VALID / SYNCING / INVALID / INVALID_BLOCK_HASH), Engine API errors, and payloads that the
// consensus state transition accepts in a block at every fork from bellatrix to fulu.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ENGINE_ERROR } from "@sextant/beacon/execution/errors";
import { EMPTY_TRIE_ROOT, MOCK_GAS_LIMIT, MockExecutionEngine, nextBaseFee } from "@sextant/beacon/execution/mock";
import type { ExecutionPayloadValue } from "@sextant/beacon/execution/types";
import { isSextantError } from "@sextant/common/errors";
import {
  type ChainConfig,
  FORK_NAMES,
  type ForkName,
  getPreset,
  minimalChainConfig,
} from "@sextant/consensus/params/index";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import { createInteropGenesisState, interopExecutionPayloadHeader } from "@sextant/consensus/transition/genesis/index";
import { advanceToSlot, assembleBlock, devExecutionPayload } from "@sextant/consensus/transition/produce/index";
import {
  attributesFor,
  buildBlock,
  bytes,
  EXECUTION_FORKS,
  GENESIS_HASH,
  GENESIS_TIME,
  newMock,
  newPayloadRequest,
  types,
  WITHDRAWALS,
} from "./fixtures.ts";

const rpcCode = (code: number) => (e: unknown) =>
  isSextantError(e, "EXECUTION_RPC_ERROR") && (e.context as { rpcCode?: number }).rpcCode === code;

describe("mock engine: building", () => {
  for (const fork of EXECUTION_FORKS) {
    it(`builds and imports a chain of ${fork} payloads`, async () => {
      const engine = newMock();
      const first = await buildBlock(engine, fork, GENESIS_HASH, GENESIS_TIME + 12);
      assert.deepEqual(first.parentHash, GENESIS_HASH);
      assert.equal(first.blockNumber, 1);
      assert.equal(first.timestamp, GENESIS_TIME + 12);
      assert.deepEqual(first.prevRandao, bytes(32, 1));
      assert.deepEqual(first.feeRecipient, bytes(20, 0xfe));
      assert.equal(first.gasLimit, MOCK_GAS_LIMIT);
      assert.equal(first.gasUsed, 0);
      assert.deepEqual(first.transactions, []);
      assert.deepEqual(first.receiptsRoot, EMPTY_TRIE_ROOT);
      assert.equal(first.baseFeePerGas, 875_000_000n); // 1 gwei after an empty parent: −1/8
      assert.deepEqual(first.withdrawals, fork === "bellatrix" ? undefined : WITHDRAWALS);
      assert.equal(first.blobGasUsed, fork === "bellatrix" || fork === "capella" ? undefined : 0n);
      assert.deepEqual(first.blockHash, engine.computeBlockHash(fork, first));
      const second = await buildBlock(engine, fork, first.blockHash, GENESIS_TIME + 24);
      assert.deepEqual(second.parentHash, first.blockHash);
      assert.equal(second.blockNumber, 2);
      assert.notDeepEqual(second.blockHash, first.blockHash);
      assert.equal(engine.blockCount, 3);
      assert.deepEqual(engine.forkchoiceState?.headBlockHash, second.blockHash);
    });
  }

  it("returns blobs bundles from deneb and execution requests from electra, both empty", async () => {
    const engine = newMock();
    for (const fork of EXECUTION_FORKS) {
      const state = { headBlockHash: GENESIS_HASH, safeBlockHash: GENESIS_HASH, finalizedBlockHash: GENESIS_HASH };
      const { payloadId } = await engine.forkchoiceUpdated(fork, state, attributesFor(fork, GENESIS_TIME + 12));
      assert.ok(payloadId !== null && /^0x[0-9a-f]{16}$/.test(payloadId));
      const r = await engine.getPayload(fork, payloadId);
      assert.equal(r.blockValue, 0n);
      assert.deepEqual(
        r.blobsBundle,
        fork === "bellatrix" || fork === "capella" ? null : { commitments: [], proofs: [], blobs: [] },
      );
      assert.deepEqual(
        r.executionRequests,
        fork === "electra" || fork === "fulu" ? { deposits: [], withdrawals: [], consolidations: [] } : null,
      );
    }
  });

  it("gives the same payload id for the same attributes and another for others", async () => {
    const engine = newMock();
    const state = { headBlockHash: GENESIS_HASH, safeBlockHash: GENESIS_HASH, finalizedBlockHash: GENESIS_HASH };
    const a = await engine.forkchoiceUpdated("deneb", state, attributesFor("deneb", GENESIS_TIME + 6));
    const b = await engine.forkchoiceUpdated("deneb", state, attributesFor("deneb", GENESIS_TIME + 6));
    const c = await engine.forkchoiceUpdated("deneb", state, attributesFor("deneb", GENESIS_TIME + 6, 2));
    assert.equal(a.payloadId, b.payloadId);
    assert.notEqual(a.payloadId, c.payloadId);
  });

  it("follows EIP-1559 for empty blocks", () => {
    assert.equal(nextBaseFee(1000n, 30_000_000, 0), 875n);
    assert.equal(nextBaseFee(7n, 30_000_000, 0), 7n);
    assert.equal(nextBaseFee(1000n, 30_000_000, 15_000_000), 1000n);
    assert.equal(nextBaseFee(1000n, 30_000_000, 30_000_000), 1125n);
  });
});

describe("mock engine: verdicts and errors", () => {
  it("answers SYNCING for an unknown parent or head, INVALID for a wrong number, a bad hash per version", async () => {
    const engine = newMock();
    const other = newMock();
    const a = await buildBlock(other, "deneb", GENESIS_HASH, GENESIS_TIME + 6);
    const b = await buildBlock(other, "deneb", a.blockHash, GENESIS_TIME + 12);
    assert.deepEqual(await engine.notifyNewPayload(newPayloadRequest("deneb", b)), {
      status: "SYNCING",
      latestValidHash: null,
      validationError: null,
    });
    const state = { headBlockHash: b.blockHash, safeBlockHash: b.blockHash, finalizedBlockHash: GENESIS_HASH };
    const fcu = await engine.forkchoiceUpdated("deneb", state, attributesFor("deneb", GENESIS_TIME + 18));
    assert.equal(fcu.payloadStatus.status, "SYNCING");
    assert.equal(fcu.payloadId, null);
    // Once the parent arrives, the child is VALID (and re-sending a known block is VALID too).
    assert.equal((await engine.notifyNewPayload(newPayloadRequest("deneb", a))).status, "VALID");
    assert.equal((await engine.notifyNewPayload(newPayloadRequest("deneb", b))).status, "VALID");
    assert.equal((await engine.notifyNewPayload(newPayloadRequest("deneb", b))).status, "VALID");

    const wrongNumber = rehash(engine, "deneb", { ...a, blockNumber: 5 });
    const verdict = await engine.notifyNewPayload(newPayloadRequest("deneb", wrongNumber));
    assert.equal(verdict.status, "INVALID");
    assert.deepEqual(verdict.latestValidHash, GENESIS_HASH);
    assert.match(verdict.validationError ?? "", /block number 5 after parent 0/);

    const badHash = { ...a, gasUsed: 1 };
    assert.equal((await engine.notifyNewPayload(newPayloadRequest("deneb", badHash))).status, "INVALID");
    const cap = await buildBlock(newMock(), "capella", GENESIS_HASH, GENESIS_TIME + 6);
    const verdictV2 = await engine.notifyNewPayload(newPayloadRequest("capella", { ...cap, gasUsed: 1 }));
    assert.equal(verdictV2.status, "INVALID_BLOCK_HASH");
    assert.match(verdictV2.validationError ?? "", /does not match/);
  });

  it("refuses versioned hashes for a payload without blob transactions", async () => {
    const engine = newMock();
    const a = await buildBlock(newMock(), "electra", GENESIS_HASH, GENESIS_TIME + 6);
    const r = await engine.notifyNewPayload({ ...newPayloadRequest("electra", a), versionedHashes: [bytes(32, 1)] });
    assert.equal(r.status, "INVALID");
  });

  it("throws the Engine API's errors: unknown payload, unsupported fork, bad attributes, bad fork-choice state", async () => {
    const engine = newMock();
    await assert.rejects(engine.getPayload("deneb", "0x0102030405060708"), rpcCode(ENGINE_ERROR.UNKNOWN_PAYLOAD));
    const state = { headBlockHash: GENESIS_HASH, safeBlockHash: GENESIS_HASH, finalizedBlockHash: GENESIS_HASH };
    const { payloadId } = await engine.forkchoiceUpdated("capella", state, attributesFor("capella", GENESIS_TIME + 6));
    assert.ok(payloadId);
    await assert.rejects(engine.getPayload("deneb", payloadId), rpcCode(ENGINE_ERROR.UNSUPPORTED_FORK));
    await assert.rejects(
      engine.forkchoiceUpdated("deneb", state, attributesFor("capella", GENESIS_TIME + 6)),
      rpcCode(ENGINE_ERROR.INVALID_PARAMS),
    );
    await assert.rejects(
      engine.forkchoiceUpdated("bellatrix", state, attributesFor("capella", GENESIS_TIME + 6)),
      rpcCode(ENGINE_ERROR.INVALID_PARAMS),
    );
    await assert.rejects(
      engine.forkchoiceUpdated("deneb", { ...state, finalizedBlockHash: bytes(32, 9) }),
      rpcCode(ENGINE_ERROR.INVALID_FORKCHOICE_STATE),
    );
    await assert.rejects(
      engine.forkchoiceUpdated("altair", state),
      (e) => isSextantError(e, "EXECUTION_INVALID_REQUEST") && /starts at bellatrix/.test((e as Error).message),
    );
    const strict = new MockExecutionEngine({
      types,
      genesis: { blockHash: GENESIS_HASH, timestamp: GENESIS_TIME },
      checkTimestamps: true,
    });
    await assert.rejects(
      strict.forkchoiceUpdated("deneb", state, attributesFor("deneb", GENESIS_TIME)),
      rpcCode(ENGINE_ERROR.INVALID_PAYLOAD_ATTRIBUTES),
    );
  });
});

function rehash(engine: MockExecutionEngine, fork: ForkName, p: ExecutionPayloadValue): ExecutionPayloadValue {
  return { ...p, blockHash: engine.computeBlockHash(fork, p) };
}

/** The minimal chain config with every fork up to `fork` at genesis and later ones unscheduled. */
function chainAtFork(fork: ForkName): ChainConfig {
  const c: Record<string, unknown> = { ...minimalChainConfig };
  const target = FORK_NAMES.indexOf(fork);
  for (let i = 1; i < FORK_NAMES.length; i++) {
    c[`${FORK_NAMES[i].toUpperCase()}_FORK_EPOCH`] = i <= target ? 0 : Number.POSITIVE_INFINITY;
  }
  return c as unknown as ChainConfig;
}

describe("mock engine payloads in consensus blocks", () => {
  for (const fork of EXECUTION_FORKS) {
    it(`a ${fork} block built on the interop genesis carries the mock's payload through process_block`, async () => {
      const chain = chainAtFork(fork);
      const config: BeaconConfig = { chain, preset: getPreset("minimal"), types };
      const header = interopExecutionPayloadHeader(config, fork) as ExecutionPayloadValue;
      const cs = createInteropGenesisState(config, {
        validatorCount: 64,
        genesisTime: GENESIS_TIME,
        executionPayloadHeader: header,
      });
      const engine = new MockExecutionEngine({ types, genesis: header });
      const pre = advanceToSlot(cs, 1);
      const expected = devExecutionPayload(pre) as ExecutionPayloadValue;
      const head = header.blockHash;
      const { payloadId } = await engine.forkchoiceUpdated(
        fork,
        { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head },
        {
          timestamp: expected.timestamp,
          prevRandao: expected.prevRandao,
          suggestedFeeRecipient: bytes(20, 0xfe),
          ...(expected.withdrawals === undefined ? {} : { withdrawals: expected.withdrawals }),
          ...(fork === "bellatrix" || fork === "capella" ? {} : { parentBeaconBlockRoot: bytes(32, 0x77) }),
        },
      );
      assert.ok(payloadId);
      const built = await engine.getPayload(fork, payloadId);
      const block = assembleBlock(cs, {
        slot: 1,
        randaoReveal: bytes(96, 0),
        // biome-ignore lint/suspicious/noExplicitAny: the mock's payload has exactly `fork`'s payload fields
        executionPayload: built.executionPayload as any,
        // biome-ignore lint/suspicious/noExplicitAny: electra's ExecutionRequests value
        ...(built.executionRequests === null ? {} : { executionRequests: built.executionRequests as any }),
      });
      const body = block.body as { executionPayload: ExecutionPayloadValue };
      assert.deepEqual(body.executionPayload.blockHash, built.executionPayload.blockHash);
      assert.equal(built.executionPayload.blockNumber, header.blockNumber + 1);
      const status = await engine.notifyNewPayload(newPayloadRequest(fork, body.executionPayload));
      assert.equal(status.status, "VALID");
    });
  }
});
