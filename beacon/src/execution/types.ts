// The beacon node's view of an execution engine: the values exchanged with it (payload status, fork-choice state,
// payload attributes, built payloads) and `ExecutionEngineClient`, implemented by the Engine API HTTP client and
// by the in-process mock engine. Payloads and requests are our SSZ values (camelCase, Uint8Array, number/bigint).
import { type ForkName, ForkSeq } from "@sextant/consensus/params/forkName";
import { ExecutionError } from "./errors.ts";

/** A withdrawal (capella): SSZ value of `Withdrawal`. */
export interface WithdrawalValue {
  readonly index: number;
  readonly validatorIndex: number;
  readonly address: Uint8Array;
  readonly amount: number;
}

/**
 * An execution payload of any fork: bellatrix's fields, capella's withdrawals, deneb's blob gas counters (electra
 * and fulu use deneb's payload). Every fork's SSZ ExecutionPayload value is assignable to it.
 */
export interface ExecutionPayloadValue {
  readonly parentHash: Uint8Array;
  readonly feeRecipient: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  readonly logsBloom: Uint8Array;
  readonly prevRandao: Uint8Array;
  readonly blockNumber: number;
  readonly gasLimit: number;
  readonly gasUsed: number;
  readonly timestamp: number;
  readonly extraData: Uint8Array;
  readonly baseFeePerGas: bigint;
  readonly blockHash: Uint8Array;
  readonly transactions: readonly Uint8Array[];
  readonly withdrawals?: readonly WithdrawalValue[];
  readonly blobGasUsed?: bigint;
  readonly excessBlobGas?: bigint;
}

/** Electra's ExecutionRequests SSZ value (deposit, withdrawal and consolidation requests). */
export interface ExecutionRequestsValue {
  readonly deposits: readonly {
    readonly pubkey: Uint8Array;
    readonly withdrawalCredentials: Uint8Array;
    readonly amount: number;
    readonly signature: Uint8Array;
    readonly index: bigint;
  }[];
  readonly withdrawals: readonly {
    readonly sourceAddress: Uint8Array;
    readonly validatorPubkey: Uint8Array;
    readonly amount: bigint;
  }[];
  readonly consolidations: readonly {
    readonly sourceAddress: Uint8Array;
    readonly sourcePubkey: Uint8Array;
    readonly targetPubkey: Uint8Array;
  }[];
}

/** PayloadStatusV1.status. INVALID_BLOCK_HASH is only answered by newPayloadV1/V2. */
export type ExecutionStatus = "VALID" | "INVALID" | "SYNCING" | "ACCEPTED" | "INVALID_BLOCK_HASH";

/** PayloadStatusV1: the engine's verdict on a payload or fork-choice head. */
export interface PayloadStatus {
  readonly status: ExecutionStatus;
  /** The most recent valid ancestor (or the block itself when VALID); null when the engine does not know. */
  readonly latestValidHash: Uint8Array | null;
  readonly validationError: string | null;
}

/** ForkchoiceStateV1: head, safe and finalized execution block hashes. */
export interface ForkchoiceState {
  readonly headBlockHash: Uint8Array;
  readonly safeBlockHash: Uint8Array;
  readonly finalizedBlockHash: Uint8Array;
}

/**
 * PayloadAttributesV1..V3: what to build on the head. `withdrawals` from capella (V2), `parentBeaconBlockRoot`
 * from deneb (V3).
 */
export interface PayloadAttributes {
  readonly timestamp: number;
  readonly prevRandao: Uint8Array;
  readonly suggestedFeeRecipient: Uint8Array;
  readonly withdrawals?: readonly WithdrawalValue[];
  readonly parentBeaconBlockRoot?: Uint8Array;
}

/** An 8-byte payload id as 0x-prefixed lower-case hex (as on the wire; usable as a map key). */
export type PayloadId = string;

/** engine_forkchoiceUpdated's answer: the head's status and, when attributes were given and accepted, a payload id. */
export interface ForkchoiceUpdatedResult {
  readonly payloadStatus: PayloadStatus;
  readonly payloadId: PayloadId | null;
}

/** BlobsBundleV1 (deneb, electra: one proof per blob) or V2 (fulu: CELLS_PER_EXT_BLOB cell proofs per blob). */
export interface BlobsBundleValue {
  readonly commitments: readonly Uint8Array[];
  readonly proofs: readonly Uint8Array[];
  readonly blobs: readonly Uint8Array[];
}

/** engine_getPayload's answer, normalized over V1..V5. */
export interface GetPayloadResult {
  readonly executionPayload: ExecutionPayloadValue;
  /** Wei paid to the fee recipient (0 for getPayloadV1, which does not report it). */
  readonly blockValue: bigint;
  /** Deneb and later; null before. */
  readonly blobsBundle: BlobsBundleValue | null;
  /** Electra and later (decoded from the EIP-7685 list); null before. */
  readonly executionRequests: ExecutionRequestsValue | null;
  /** Deneb and later: the engine suggests building locally over a builder bid. */
  readonly shouldOverrideBuilder: boolean;
}

/** `NewPayloadRequest` of the spec with its fork: deneb adds versioned hashes and the parent root, electra the requests. */
export interface NewPayloadRequest {
  readonly fork: ForkName;
  readonly executionPayload: ExecutionPayloadValue;
  readonly versionedHashes?: readonly Uint8Array[];
  readonly parentBeaconBlockRoot?: Uint8Array;
  readonly executionRequests?: ExecutionRequestsValue;
}

/** An execution engine as the beacon node uses it (the Engine API methods it calls, per fork). */
export interface ExecutionEngineClient {
  /** engine_newPayloadV1..V4 by fork. */
  notifyNewPayload(request: NewPayloadRequest): Promise<PayloadStatus>;
  /** engine_forkchoiceUpdatedV1..V3 by fork, with payload attributes V1..V3 when a payload should be built. */
  forkchoiceUpdated(
    fork: ForkName,
    state: ForkchoiceState,
    attributes?: PayloadAttributes,
  ): Promise<ForkchoiceUpdatedResult>;
  /** engine_getPayloadV1..V5 by fork. */
  getPayload(fork: ForkName, payloadId: PayloadId): Promise<GetPayloadResult>;
  /** engine_exchangeCapabilities: the Engine API methods the engine supports. */
  exchangeCapabilities(methods: readonly string[]): Promise<string[]>;
}

/** Engine API method versions per fork (fulu keeps newPayloadV4 and forkchoiceUpdatedV3, adds getPayloadV5). */
export interface EngineMethodVersions {
  readonly newPayload: number;
  readonly forkchoiceUpdated: number;
  readonly getPayload: number;
  /** ExecutionPayloadV1..V3 and PayloadAttributesV1..V3 (same number). */
  readonly payload: number;
}

const VERSIONS: Partial<Record<ForkName, EngineMethodVersions>> = {
  bellatrix: { newPayload: 1, forkchoiceUpdated: 1, getPayload: 1, payload: 1 },
  capella: { newPayload: 2, forkchoiceUpdated: 2, getPayload: 2, payload: 2 },
  deneb: { newPayload: 3, forkchoiceUpdated: 3, getPayload: 3, payload: 3 },
  electra: { newPayload: 4, forkchoiceUpdated: 3, getPayload: 4, payload: 3 },
  fulu: { newPayload: 4, forkchoiceUpdated: 3, getPayload: 5, payload: 3 },
};

/** The Engine API versions `fork` uses; throws for forks without an execution payload (phase0, altair). */
export function engineVersions(fork: ForkName): EngineMethodVersions {
  const v = VERSIONS[fork];
  if (v === undefined) {
    throw new ExecutionError(
      "EXECUTION_INVALID_REQUEST",
      `fork ${fork} has no execution payload: the Engine API starts at bellatrix`,
      { fork },
    );
  }
  return v;
}

/** True when `fork` is `since` or later. */
export function forkAtLeast(fork: ForkName, since: ForkName): boolean {
  return ForkSeq[fork] >= ForkSeq[since];
}

/** Every Engine API method the client can call (for engine_exchangeCapabilities). */
export const ENGINE_METHODS: readonly string[] = Object.freeze([
  "engine_newPayloadV1",
  "engine_newPayloadV2",
  "engine_newPayloadV3",
  "engine_newPayloadV4",
  "engine_forkchoiceUpdatedV1",
  "engine_forkchoiceUpdatedV2",
  "engine_forkchoiceUpdatedV3",
  "engine_getPayloadV1",
  "engine_getPayloadV2",
  "engine_getPayloadV3",
  "engine_getPayloadV4",
  "engine_getPayloadV5",
]);
