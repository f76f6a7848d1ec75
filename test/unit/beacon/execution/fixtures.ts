// Shared fixtures of the execution-layer tests: SSZ types, a mock engine on a fixed genesis, and attributes / payload
// request builders per fork.

import { MockExecutionEngine } from "@sextant/beacon/execution/mock";
import type {
  ExecutionEngineClient,
  ExecutionPayloadValue,
  ExecutionRequestsValue,
  NewPayloadRequest,
  PayloadAttributes,
  WithdrawalValue,
} from "@sextant/beacon/execution/types";
import { forkAtLeast } from "@sextant/beacon/execution/types";
import type { ForkName } from "@sextant/consensus/params/forkName";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";

export const types = getSszTypes("minimal");
export const SECRET = new Uint8Array(32).map((_, i) => i + 1);
export const GENESIS_HASH = new Uint8Array(32).fill(0x42);
export const GENESIS_TIME = 1_700_000_000;
export const EXECUTION_FORKS: readonly ForkName[] = ["bellatrix", "capella", "deneb", "electra", "fulu"];

/** A mock engine on GENESIS_HASH at block 0 and GENESIS_TIME. */
export function newMock(): MockExecutionEngine {
  return new MockExecutionEngine({ types, genesis: { blockHash: GENESIS_HASH, timestamp: GENESIS_TIME } });
}

export function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

export const WITHDRAWALS: readonly WithdrawalValue[] = [
  { index: 7, validatorIndex: 3, address: bytes(20, 0xaa), amount: 1_234_567 },
  { index: 8, validatorIndex: 60, address: bytes(20, 0xbb), amount: 32_000_000_000 },
];

/** Payload attributes of the right version for `fork`, at `timestamp`. */
export function attributesFor(fork: ForkName, timestamp: number, seed = 1): PayloadAttributes {
  return {
    timestamp,
    prevRandao: bytes(32, seed),
    suggestedFeeRecipient: bytes(20, 0xfe),
    ...(forkAtLeast(fork, "capella") ? { withdrawals: WITHDRAWALS } : {}),
    ...(forkAtLeast(fork, "deneb") ? { parentBeaconBlockRoot: bytes(32, 0x99) } : {}),
  };
}

/** The newPayload request of `fork` for `payload` (no blobs; the given or empty execution requests). */
export function newPayloadRequest(
  fork: ForkName,
  payload: ExecutionPayloadValue,
  executionRequests: ExecutionRequestsValue = { deposits: [], withdrawals: [], consolidations: [] },
): NewPayloadRequest {
  return {
    fork,
    executionPayload: payload,
    ...(forkAtLeast(fork, "deneb") ? { versionedHashes: [], parentBeaconBlockRoot: bytes(32, 0x99) } : {}),
    ...(forkAtLeast(fork, "electra") ? { executionRequests } : {}),
  };
}

/** Builds one block on `head` through `engine` (fcU with attributes, getPayload, newPayload, fcU to it). */
export async function buildBlock(
  engine: ExecutionEngineClient,
  fork: ForkName,
  head: Uint8Array,
  timestamp: number,
): Promise<ExecutionPayloadValue> {
  const state = { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: GENESIS_HASH };
  const fcu = await engine.forkchoiceUpdated(fork, state, attributesFor(fork, timestamp));
  if (fcu.payloadId === null) throw new Error(`no payload id: ${fcu.payloadStatus.status}`);
  const built = await engine.getPayload(fork, fcu.payloadId);
  const status = await engine.notifyNewPayload(newPayloadRequest(fork, built.executionPayload));
  if (status.status !== "VALID") throw new Error(`newPayload ${status.status}: ${status.validationError}`);
  const hash = built.executionPayload.blockHash;
  await engine.forkchoiceUpdated(fork, { headBlockHash: hash, safeBlockHash: hash, finalizedBlockHash: GENESIS_HASH });
  return built.executionPayload;
}
