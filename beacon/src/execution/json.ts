// Engine API JSON ⇄ our SSZ values (execution-apis src/engine/*.md): QUANTITY is 0x-prefixed compact hex
// ("0x0", no leading zeros when we write; leading zeros tolerated when we read), DATA is 0x-prefixed hex of
// exact length where the type fixes it. ExecutionPayloadV1..V3, WithdrawalV1, PayloadAttributesV1..V3,
// ForkchoiceStateV1, PayloadStatusV1, BlobsBundleV1/V2 and the EIP-7685 execution requests list.
// Parsers throw ExecutionError EXECUTION_BAD_RESPONSE naming the field; the server maps that to -32602.

import {
  BYTES_PER_BLOB,
  CONSOLIDATION_REQUEST_TYPE,
  DEPOSIT_REQUEST_TYPE,
  WITHDRAWAL_REQUEST_TYPE,
} from "@sextant/consensus/params/constants";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import { ExecutionError } from "./errors.ts";
import type {
  BlobsBundleValue,
  ExecutionPayloadValue,
  ExecutionRequestsValue,
  ExecutionStatus,
  ForkchoiceState,
  GetPayloadResult,
  PayloadAttributes,
  PayloadStatus,
  WithdrawalValue,
} from "./types.ts";

/** A JSON object as parsed from the wire. */
export type JsonObject = Record<string, unknown>;

/** Cells per extended blob (both presets): the number of cell proofs per blob in BlobsBundleV2. */
export const CELLS_PER_EXT_BLOB = 128;
const BYTES_PER_LOGS_BLOOM = 256;
const MAX_EXTRA_DATA_BYTES = 32;

function bad(field: string, message: string, value?: unknown): ExecutionError {
  const shown = typeof value === "string" && value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return new ExecutionError("EXECUTION_BAD_RESPONSE", `${field}: ${message}`, { field, value: shown });
}

// --- primitives -------------------------------------------------------------------------------------------------

/** QUANTITY: compact 0x hex of a non-negative integer. */
export function quantityToJson(value: number | bigint): string {
  if (typeof value === "number" && (!Number.isSafeInteger(value) || value < 0)) {
    throw new ExecutionError("EXECUTION_INVALID_REQUEST", `quantity ${value} is not a non-negative safe integer`, {
      value,
    });
  }
  if (typeof value === "bigint" && value < 0n) {
    throw new ExecutionError("EXECUTION_INVALID_REQUEST", `quantity ${value} is negative`, { value: String(value) });
  }
  return `0x${value.toString(16)}`;
}

/** Reads a QUANTITY of at most `bits` bits as a bigint. */
export function parseQuantity(json: unknown, field: string, bits = 64): bigint {
  if (typeof json !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(json)) {
    throw bad(field, "expected a QUANTITY (0x-prefixed hex)", json);
  }
  const value = BigInt(json);
  if (value >> BigInt(bits) !== 0n) throw bad(field, `QUANTITY exceeds ${bits} bits`, json);
  return value;
}

/** Reads a QUANTITY that must be a safe integer (block numbers, gas, timestamps, indices, Gwei amounts). */
export function parseQuantityNumber(json: unknown, field: string): number {
  const value = parseQuantity(json, field, 64);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(field, "QUANTITY above 2**53-1", json);
  return Number(value);
}

/** DATA: 0x-prefixed hex of the bytes. */
export function dataToJson(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Reads DATA; `length` is exact when a number, a maximum when `{ max }`. */
export function parseData(json: unknown, field: string, length?: number | { max: number }): Uint8Array {
  if (typeof json !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(json)) {
    throw bad(field, "expected DATA (0x-prefixed hex of whole bytes)", json);
  }
  const n = (json.length - 2) / 2;
  if (typeof length === "number" && n !== length) throw bad(field, `expected ${length} bytes, got ${n}`, json);
  if (typeof length === "object" && n > length.max) throw bad(field, `at most ${length.max} bytes, got ${n}`, json);
  return new Uint8Array(Buffer.from(json.slice(2), "hex"));
}

/** The field of a JSON object (throws when `json` is not an object). */
function obj(json: unknown, field: string): JsonObject {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw bad(field, "expected an object", json);
  return json as JsonObject;
}

function arr(json: unknown, field: string): unknown[] {
  if (!Array.isArray(json)) throw bad(field, "expected an array", json);
  return json;
}

function missing(field: string): ExecutionError {
  return new ExecutionError("EXECUTION_INVALID_REQUEST", `${field} is required by this Engine API version`, { field });
}

// --- withdrawals, payloads --------------------------------------------------------------------------------------

/** WithdrawalV1 (amount in Gwei). */
export function withdrawalToJson(w: WithdrawalValue): JsonObject {
  return {
    index: quantityToJson(w.index),
    validatorIndex: quantityToJson(w.validatorIndex),
    address: dataToJson(w.address),
    amount: quantityToJson(w.amount),
  };
}

/** Reads WithdrawalV1. */
export function withdrawalFromJson(json: unknown, field: string): WithdrawalValue {
  const o = obj(json, field);
  return {
    index: parseQuantityNumber(o.index, `${field}.index`),
    validatorIndex: parseQuantityNumber(o.validatorIndex, `${field}.validatorIndex`),
    address: parseData(o.address, `${field}.address`, 20),
    amount: parseQuantityNumber(o.amount, `${field}.amount`),
  };
}

/** ExecutionPayloadV1 (version 1), V2 (+ withdrawals) or V3 (+ blobGasUsed, excessBlobGas). */
export function payloadToJson(p: ExecutionPayloadValue, version: number): JsonObject {
  const out: JsonObject = {
    parentHash: dataToJson(p.parentHash),
    feeRecipient: dataToJson(p.feeRecipient),
    stateRoot: dataToJson(p.stateRoot),
    receiptsRoot: dataToJson(p.receiptsRoot),
    logsBloom: dataToJson(p.logsBloom),
    prevRandao: dataToJson(p.prevRandao),
    blockNumber: quantityToJson(p.blockNumber),
    gasLimit: quantityToJson(p.gasLimit),
    gasUsed: quantityToJson(p.gasUsed),
    timestamp: quantityToJson(p.timestamp),
    extraData: dataToJson(p.extraData),
    baseFeePerGas: quantityToJson(p.baseFeePerGas),
    blockHash: dataToJson(p.blockHash),
    transactions: p.transactions.map(dataToJson),
  };
  if (version >= 2) {
    if (p.withdrawals === undefined) throw missing("executionPayload.withdrawals");
    out.withdrawals = p.withdrawals.map(withdrawalToJson);
  }
  if (version >= 3) {
    if (p.blobGasUsed === undefined) throw missing("executionPayload.blobGasUsed");
    if (p.excessBlobGas === undefined) throw missing("executionPayload.excessBlobGas");
    out.blobGasUsed = quantityToJson(p.blobGasUsed);
    out.excessBlobGas = quantityToJson(p.excessBlobGas);
  }
  return out;
}

/**
 * Reads ExecutionPayloadV1..V3. With version 2 the withdrawals may be absent (newPayloadV2 takes V1 or V2 payloads);
 * the result then has no `withdrawals`.
 */
export function payloadFromJson(json: unknown, version: number, field = "executionPayload"): ExecutionPayloadValue {
  const o = obj(json, field);
  const f = (name: string) => `${field}.${name}`;
  const base = {
    parentHash: parseData(o.parentHash, f("parentHash"), 32),
    feeRecipient: parseData(o.feeRecipient, f("feeRecipient"), 20),
    stateRoot: parseData(o.stateRoot, f("stateRoot"), 32),
    receiptsRoot: parseData(o.receiptsRoot, f("receiptsRoot"), 32),
    logsBloom: parseData(o.logsBloom, f("logsBloom"), BYTES_PER_LOGS_BLOOM),
    prevRandao: parseData(o.prevRandao, f("prevRandao"), 32),
    blockNumber: parseQuantityNumber(o.blockNumber, f("blockNumber")),
    gasLimit: parseQuantityNumber(o.gasLimit, f("gasLimit")),
    gasUsed: parseQuantityNumber(o.gasUsed, f("gasUsed")),
    timestamp: parseQuantityNumber(o.timestamp, f("timestamp")),
    extraData: parseData(o.extraData, f("extraData"), { max: MAX_EXTRA_DATA_BYTES }),
    baseFeePerGas: parseQuantity(o.baseFeePerGas, f("baseFeePerGas"), 256),
    blockHash: parseData(o.blockHash, f("blockHash"), 32),
    transactions: arr(o.transactions, f("transactions")).map((t, i) => parseData(t, `${f("transactions")}[${i}]`)),
  };
  if (version === 1) return base;
  const hasWithdrawals = o.withdrawals !== undefined && o.withdrawals !== null;
  if (version === 2 && !hasWithdrawals) return base;
  if (!hasWithdrawals) throw bad(f("withdrawals"), "missing");
  const withdrawals = arr(o.withdrawals, f("withdrawals")).map((w, i) =>
    withdrawalFromJson(w, `${f("withdrawals")}[${i}]`),
  );
  if (version === 2) return { ...base, withdrawals };
  return {
    ...base,
    withdrawals,
    blobGasUsed: parseQuantity(o.blobGasUsed, f("blobGasUsed")),
    excessBlobGas: parseQuantity(o.excessBlobGas, f("excessBlobGas")),
  };
}

// --- fork choice ------------------------------------------------------------------------------------------------

/** ForkchoiceStateV1. */
export function forkchoiceStateToJson(s: ForkchoiceState): JsonObject {
  return {
    headBlockHash: dataToJson(s.headBlockHash),
    safeBlockHash: dataToJson(s.safeBlockHash),
    finalizedBlockHash: dataToJson(s.finalizedBlockHash),
  };
}

/** Reads ForkchoiceStateV1. */
export function forkchoiceStateFromJson(json: unknown): ForkchoiceState {
  const o = obj(json, "forkchoiceState");
  return {
    headBlockHash: parseData(o.headBlockHash, "forkchoiceState.headBlockHash", 32),
    safeBlockHash: parseData(o.safeBlockHash, "forkchoiceState.safeBlockHash", 32),
    finalizedBlockHash: parseData(o.finalizedBlockHash, "forkchoiceState.finalizedBlockHash", 32),
  };
}

/** PayloadAttributesV1 (version 1), V2 (+ withdrawals), V3 (+ parentBeaconBlockRoot). */
export function attributesToJson(a: PayloadAttributes, version: number): JsonObject {
  const out: JsonObject = {
    timestamp: quantityToJson(a.timestamp),
    prevRandao: dataToJson(a.prevRandao),
    suggestedFeeRecipient: dataToJson(a.suggestedFeeRecipient),
  };
  if (version >= 2) {
    if (a.withdrawals === undefined) throw missing("payloadAttributes.withdrawals");
    out.withdrawals = a.withdrawals.map(withdrawalToJson);
  }
  if (version >= 3) {
    if (a.parentBeaconBlockRoot === undefined) throw missing("payloadAttributes.parentBeaconBlockRoot");
    out.parentBeaconBlockRoot = dataToJson(a.parentBeaconBlockRoot);
  }
  return out;
}

/** Reads PayloadAttributesV1..V3 (V2 attributes without withdrawals are read as V1, as engines accept them). */
export function attributesFromJson(json: unknown, version: number): PayloadAttributes {
  const o = obj(json, "payloadAttributes");
  const base = {
    timestamp: parseQuantityNumber(o.timestamp, "payloadAttributes.timestamp"),
    prevRandao: parseData(o.prevRandao, "payloadAttributes.prevRandao", 32),
    suggestedFeeRecipient: parseData(o.suggestedFeeRecipient, "payloadAttributes.suggestedFeeRecipient", 20),
  };
  if (version === 1) return base;
  const hasWithdrawals = o.withdrawals !== undefined && o.withdrawals !== null;
  if (version === 2 && !hasWithdrawals) return base;
  if (!hasWithdrawals) throw bad("payloadAttributes.withdrawals", "missing");
  const withdrawals = arr(o.withdrawals, "payloadAttributes.withdrawals").map((w, i) =>
    withdrawalFromJson(w, `payloadAttributes.withdrawals[${i}]`),
  );
  if (version === 2) return { ...base, withdrawals };
  return {
    ...base,
    withdrawals,
    parentBeaconBlockRoot: parseData(o.parentBeaconBlockRoot, "payloadAttributes.parentBeaconBlockRoot", 32),
  };
}

const STATUSES: readonly ExecutionStatus[] = ["VALID", "INVALID", "SYNCING", "ACCEPTED", "INVALID_BLOCK_HASH"];

/** PayloadStatusV1. */
export function payloadStatusToJson(s: PayloadStatus): JsonObject {
  return {
    status: s.status,
    latestValidHash: s.latestValidHash === null ? null : dataToJson(s.latestValidHash),
    validationError: s.validationError,
  };
}

/** Reads PayloadStatusV1. */
export function payloadStatusFromJson(json: unknown, field = "payloadStatus"): PayloadStatus {
  const o = obj(json, field);
  if (!STATUSES.includes(o.status as ExecutionStatus)) throw bad(`${field}.status`, "unknown status", o.status);
  const lvh = o.latestValidHash;
  const err = o.validationError;
  if (err !== undefined && err !== null && typeof err !== "string") {
    throw bad(`${field}.validationError`, "expected a string or null", err);
  }
  return {
    status: o.status as ExecutionStatus,
    latestValidHash: lvh === undefined || lvh === null ? null : parseData(lvh, `${field}.latestValidHash`, 32),
    validationError: typeof err === "string" ? err : null,
  };
}

/** Reads a payload id (DATA, 8 bytes) or null, as the wire's lower-case hex. */
export function payloadIdFromJson(json: unknown, field = "payloadId"): string | null {
  if (json === null || json === undefined) return null;
  return dataToJson(parseData(json, field, 8));
}

// --- blobs, execution requests, getPayload ----------------------------------------------------------------------

/** BlobsBundleV1/V2 (same JSON shape; V2's proofs are cell proofs). */
export function blobsBundleToJson(b: BlobsBundleValue): JsonObject {
  return {
    commitments: b.commitments.map(dataToJson),
    proofs: b.proofs.map(dataToJson),
    blobs: b.blobs.map(dataToJson),
  };
}

/** Reads BlobsBundleV1 (one proof per blob) or V2 (CELLS_PER_EXT_BLOB proofs per blob). */
export function blobsBundleFromJson(json: unknown, version: 1 | 2): BlobsBundleValue {
  const o = obj(json, "blobsBundle");
  const commitments = arr(o.commitments, "blobsBundle.commitments").map((c, i) =>
    parseData(c, `blobsBundle.commitments[${i}]`, 48),
  );
  const proofs = arr(o.proofs, "blobsBundle.proofs").map((c, i) => parseData(c, `blobsBundle.proofs[${i}]`, 48));
  const blobs = arr(o.blobs, "blobsBundle.blobs").map((c, i) =>
    parseData(c, `blobsBundle.blobs[${i}]`, BYTES_PER_BLOB),
  );
  if (commitments.length !== blobs.length) {
    throw bad("blobsBundle", `${commitments.length} commitments for ${blobs.length} blobs`);
  }
  const perBlob = version === 1 ? 1 : CELLS_PER_EXT_BLOB;
  if (proofs.length !== blobs.length * perBlob) {
    throw bad(
      "blobsBundle.proofs",
      `expected ${blobs.length * perBlob} proofs (BlobsBundleV${version}), got ${proofs.length}`,
    );
  }
  return { commitments, proofs, blobs };
}

const REQUEST_KINDS = [
  [DEPOSIT_REQUEST_TYPE, "deposits"],
  [WITHDRAWAL_REQUEST_TYPE, "withdrawals"],
  [CONSOLIDATION_REQUEST_TYPE, "consolidations"],
] as const;

/** `get_execution_requests_list` (electra): `request_type ++ ssz_serialize(list)` for each non-empty list, in type order. */
export function executionRequestsToList(types: SszTypes, requests: ExecutionRequestsValue): Uint8Array[] {
  const fields = types.electra.ExecutionRequests.fields;
  const out: Uint8Array[] = [];
  for (const [type, key] of REQUEST_KINDS) {
    const list = requests[key];
    if (list.length === 0) continue;
    // biome-ignore lint/suspicious/noExplicitAny: each key's list type takes that key's values
    const data = (fields[key] as any).serialize(list) as Uint8Array;
    const bytes = new Uint8Array(1 + data.length);
    bytes[0] = type;
    bytes.set(data, 1);
    out.push(bytes);
  }
  return out;
}

/** `get_execution_requests` (electra validator.md): decodes the list, rejecting unknown, empty or unordered types. */
export function executionRequestsFromList(types: SszTypes, list: readonly Uint8Array[]): ExecutionRequestsValue {
  const fields = types.electra.ExecutionRequests.fields;
  const out: { -readonly [K in keyof ExecutionRequestsValue]: ExecutionRequestsValue[K] } = {
    deposits: [],
    withdrawals: [],
    consolidations: [],
  };
  let prev = -1;
  list.forEach((request, i) => {
    const field = `executionRequests[${i}]`;
    if (request.length === 0) throw bad(field, "empty request (no type byte)");
    const type = request[0];
    const kind = REQUEST_KINDS.find(([t]) => t === type);
    if (kind === undefined) throw bad(field, `unknown request type 0x${type.toString(16).padStart(2, "0")}`);
    if (request.length === 1) throw bad(field, `request type ${type} with empty data`);
    if (type <= prev) throw bad(field, `request types must be strictly ascending, got ${type} after ${prev}`);
    prev = type;
    const key = kind[1];
    try {
      // biome-ignore lint/suspicious/noExplicitAny: each key's list type yields that key's values
      out[key] = (fields[key] as any).deserialize(request.subarray(1));
    } catch (err) {
      throw new ExecutionError(
        "EXECUTION_BAD_RESPONSE",
        `${field}: cannot decode ${key} requests: ${(err as Error).message}`,
        { field },
        err,
      );
    }
  });
  return out;
}

/** engine_getPayloadV1..V5's result JSON (V1 is the bare payload). */
export function getPayloadResultToJson(types: SszTypes, r: GetPayloadResult, version: number): unknown {
  const payloadVersion = Math.min(version, 3);
  if (version === 1) return payloadToJson(r.executionPayload, 1);
  const out: JsonObject = {
    executionPayload: payloadToJson(r.executionPayload, payloadVersion),
    blockValue: quantityToJson(r.blockValue),
  };
  if (version >= 3) {
    if (r.blobsBundle === null) throw missing("blobsBundle");
    out.blobsBundle = blobsBundleToJson(r.blobsBundle);
    out.shouldOverrideBuilder = r.shouldOverrideBuilder;
  }
  if (version >= 4) {
    if (r.executionRequests === null) throw missing("executionRequests");
    out.executionRequests = executionRequestsToList(types, r.executionRequests).map(dataToJson);
  }
  return out;
}

/** Reads engine_getPayloadV1..V5's result. */
export function getPayloadResultFromJson(types: SszTypes, json: unknown, version: number): GetPayloadResult {
  if (version === 1) {
    return {
      executionPayload: payloadFromJson(json, 1),
      blockValue: 0n,
      blobsBundle: null,
      executionRequests: null,
      shouldOverrideBuilder: false,
    };
  }
  const o = obj(json, "getPayload result");
  const executionPayload = payloadFromJson(o.executionPayload, Math.min(version, 3));
  const blockValue = parseQuantity(o.blockValue, "blockValue", 256);
  if (version === 2) {
    return { executionPayload, blockValue, blobsBundle: null, executionRequests: null, shouldOverrideBuilder: false };
  }
  const blobsBundle = blobsBundleFromJson(o.blobsBundle, version >= 5 ? 2 : 1);
  const sob = o.shouldOverrideBuilder;
  if (sob !== undefined && typeof sob !== "boolean") throw bad("shouldOverrideBuilder", "expected a boolean", sob);
  const executionRequests =
    version >= 4
      ? executionRequestsFromList(
          types,
          arr(o.executionRequests, "executionRequests").map((d, i) => parseData(d, `executionRequests[${i}]`)),
        )
      : null;
  return { executionPayload, blockValue, blobsBundle, executionRequests, shouldOverrideBuilder: sob === true };
}
