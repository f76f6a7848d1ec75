// process_execution_payload (bellatrix beacon-chain.md; modified in capella, deneb, electra and fulu) and the merge
// predicates: the payload must extend the latest payload header, carry the epoch's randao mix and the slot's
// timestamp, stay under the fork's blob limit and be accepted by the execution engine; its header is then cached
// in the state with the fork's header type.
import { digest } from "@chainsafe/as-sha256";
import { VERSIONED_HASH_VERSION_KZG } from "../../params/constants.ts";
import { blobParametersAtEpoch } from "../../params/forkSchedule.ts";
import { currentEpoch, getRandaoMix } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { check, TransitionError } from "../../state/errors.ts";
import { atLeast, type BellatrixPlusState } from "../../state/types.ts";
import { bytesEqual } from "../../util/bytes.ts";
import { toHex } from "../../util/hex.ts";
import type { BeaconBlockBodyOf } from "../blockTypes.ts";
import type { NewPayloadRequest } from "../execution.ts";
import type { BlockContext } from "../options.ts";

/** A block body of bellatrix or later (it has an execution payload). */
export type ExecutionBlockBody =
  | BeaconBlockBodyOf<"bellatrix">
  | BeaconBlockBodyOf<"capella">
  | BeaconBlockBodyOf<"deneb">
  | BeaconBlockBodyOf<"electra">
  | BeaconBlockBodyOf<"fulu">;

// biome-ignore lint/suspicious/noExplicitAny: SSZ types are picked per fork at runtime
type AnyType = { hashTreeRoot(value: any): Uint8Array; defaultValue(): any; equals(a: any, b: any): boolean };

type ExecutionFork = "bellatrix" | "capella" | "deneb" | "electra" | "fulu";

/** The SSZ types of the state's fork, which is bellatrix or later. */
function executionTypes(cs: CachedState) {
  return cs.config.types[cs.fork as ExecutionFork];
}

/** Root of the default ExecutionPayloadHeader per header type (computed once). */
const defaultHeaderRoots = new WeakMap<object, Uint8Array>();

/** `is_merge_transition_complete(state)`: the latest payload header is not the default one. */
export function isMergeTransitionComplete(cs: CachedState): boolean {
  if (!atLeast(cs.fork, "bellatrix")) return false;
  const type = executionTypes(cs).ExecutionPayloadHeader as unknown as AnyType;
  let root = defaultHeaderRoots.get(type);
  if (root === undefined) {
    root = type.hashTreeRoot(type.defaultValue());
    defaultHeaderRoots.set(type, root);
  }
  return !bytesEqual((cs.state as BellatrixPlusState).latestExecutionPayloadHeader.hashTreeRoot(), root);
}

/** `is_merge_transition_block(state, body)`: the merge is not complete and the payload is not the default one. */
export function isMergeTransitionBlock(cs: CachedState, body: ExecutionBlockBody): boolean {
  if (isMergeTransitionComplete(cs)) return false;
  const type = executionTypes(cs).ExecutionPayload as unknown as AnyType;
  return !type.equals(body.executionPayload, type.defaultValue());
}

/** `is_execution_enabled(state, body)`. */
export function isExecutionEnabled(cs: CachedState, body: ExecutionBlockBody): boolean {
  return isMergeTransitionComplete(cs) || isMergeTransitionBlock(cs, body);
}

/** `kzg_commitment_to_versioned_hash(commitment)`: VERSIONED_HASH_VERSION_KZG ++ sha256(commitment)[1:]. */
export function kzgCommitmentToVersionedHash(commitment: Uint8Array): Uint8Array {
  const hash = digest(commitment);
  hash[0] = VERSIONED_HASH_VERSION_KZG;
  return hash;
}

/**
 * The most blob commitments a block of the state's fork may carry: deneb's MAX_BLOBS_PER_BLOCK, electra's
 * MAX_BLOBS_PER_BLOCK_ELECTRA, fulu's `get_blob_parameters(current_epoch).max_blobs_per_block` (BLOB_SCHEDULE).
 */
export function maxBlobsPerBlock(cs: CachedState): number {
  const { chain } = cs.config;
  if (atLeast(cs.fork, "fulu")) return blobParametersAtEpoch(chain, currentEpoch(cs)).maxBlobsPerBlock;
  if (atLeast(cs.fork, "electra")) return chain.MAX_BLOBS_PER_BLOCK_ELECTRA;
  return chain.MAX_BLOBS_PER_BLOCK;
}

/**
 * `process_execution_payload(state, body, execution_engine)` of the state's fork (bellatrix … fulu). Throws
 * INVALID_BLOCK naming the failed consistency rule, INVALID_EXECUTION_PAYLOAD when the engine refuses it.
 */
export function processExecutionPayload(cs: CachedState, body: ExecutionBlockBody, bc: BlockContext): void {
  const { config, fork } = cs;
  const state = cs.state as BellatrixPlusState;
  const payload = body.executionPayload;
  const capella = atLeast(fork, "capella");
  const deneb = atLeast(fork, "deneb");
  const electra = atLeast(fork, "electra");

  // Bellatrix checks the parent hash only once the merge is complete; capella always does.
  if (capella || isMergeTransitionComplete(cs)) {
    const parent = state.latestExecutionPayloadHeader.blockHash;
    check(
      bytesEqual(payload.parentHash, parent),
      "process_execution_payload: payload.parent_hash == state.latest_execution_payload_header.block_hash",
      `payload parent ${toHex(payload.parentHash)}, latest block hash ${toHex(parent)}`,
    );
  }
  const mix = getRandaoMix(cs, currentEpoch(cs));
  check(
    bytesEqual(payload.prevRandao, mix),
    "process_execution_payload: payload.prev_randao == get_randao_mix(state, get_current_epoch(state))",
    `payload prev_randao ${toHex(payload.prevRandao)}, mix ${toHex(mix)}`,
  );
  const time = state.genesisTime + state.slot * config.chain.SECONDS_PER_SLOT;
  check(
    payload.timestamp === time,
    "process_execution_payload: payload.timestamp == compute_time_at_slot(state, state.slot)",
    `payload timestamp ${payload.timestamp}, slot time ${time}`,
  );

  const request: { -readonly [K in keyof NewPayloadRequest]: NewPayloadRequest[K] } = {
    fork,
    executionPayload: payload,
  };
  if (deneb) {
    const commitments = (body as BeaconBlockBodyOf<"deneb">).blobKzgCommitments;
    const max = maxBlobsPerBlock(cs);
    check(
      commitments.length <= max,
      atLeast(fork, "fulu")
        ? "process_execution_payload: len(body.blob_kzg_commitments) <= get_blob_parameters(get_current_epoch(state)).max_blobs_per_block"
        : electra
          ? "process_execution_payload: len(body.blob_kzg_commitments) <= MAX_BLOBS_PER_BLOCK_ELECTRA"
          : "process_execution_payload: len(body.blob_kzg_commitments) <= MAX_BLOBS_PER_BLOCK",
      `${commitments.length} commitments, limit ${max}`,
    );
    request.versionedHashes = commitments.map(kzgCommitmentToVersionedHash);
    request.parentBeaconBlockRoot = state.latestBlockHeader.parentRoot;
    if (electra) request.executionRequests = (body as BeaconBlockBodyOf<"electra">).executionRequests;
  }
  if (!bc.executionEngine.verifyAndNotifyNewPayload(request)) {
    throw new TransitionError(
      "INVALID_EXECUTION_PAYLOAD",
      "process_execution_payload: execution_engine.verify_and_notify_new_payload(new_payload_request)",
      `payload ${toHex(payload.blockHash)} refused by the execution engine`,
    );
  }

  const payloadType = executionTypes(cs).ExecutionPayload as unknown as {
    fields: Record<string, AnyType>;
  };
  const header: Record<string, unknown> = {
    parentHash: payload.parentHash,
    feeRecipient: payload.feeRecipient,
    stateRoot: payload.stateRoot,
    receiptsRoot: payload.receiptsRoot,
    logsBloom: payload.logsBloom,
    prevRandao: payload.prevRandao,
    blockNumber: payload.blockNumber,
    gasLimit: payload.gasLimit,
    gasUsed: payload.gasUsed,
    timestamp: payload.timestamp,
    extraData: payload.extraData,
    baseFeePerGas: payload.baseFeePerGas,
    blockHash: payload.blockHash,
    transactionsRoot: payloadType.fields.transactions.hashTreeRoot(payload.transactions),
  };
  if (capella) {
    const p = payload as BeaconBlockBodyOf<"capella">["executionPayload"];
    header.withdrawalsRoot = payloadType.fields.withdrawals.hashTreeRoot(p.withdrawals);
  }
  if (deneb) {
    const p = payload as BeaconBlockBodyOf<"deneb">["executionPayload"];
    header.blobGasUsed = p.blobGasUsed;
    header.excessBlobGas = p.excessBlobGas;
  }
  const headerType = executionTypes(cs).ExecutionPayloadHeader as unknown as {
    toViewDU(value: unknown): BellatrixPlusState["latestExecutionPayloadHeader"];
  };
  state.latestExecutionPayloadHeader = headerType.toViewDU(header);
}
