// Engine API JSON conversions: QUANTITY/DATA encoding, payloads V1..V3, attributes, statuses, blobs bundles and the
// EIP-7685 execution requests list, with the malformed inputs each parser must refuse.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  attributesFromJson,
  attributesToJson,
  blobsBundleFromJson,
  blobsBundleToJson,
  CELLS_PER_EXT_BLOB,
  executionRequestsFromList,
  executionRequestsToList,
  getPayloadResultFromJson,
  getPayloadResultToJson,
  parseData,
  parseQuantity,
  parseQuantityNumber,
  payloadFromJson,
  payloadStatusFromJson,
  payloadToJson,
  quantityToJson,
} from "@sextant/beacon/execution/json";
import type { ExecutionPayloadValue, ExecutionRequestsValue } from "@sextant/beacon/execution/types";
import { isSextantError } from "@sextant/common/errors";
import { BYTES_PER_BLOB } from "@sextant/consensus/params/constants";
import { attributesFor, bytes, types, WITHDRAWALS } from "./fixtures.ts";

const badResponse = (e: unknown) => isSextantError(e, "EXECUTION_BAD_RESPONSE");

const payloadV3: ExecutionPayloadValue = {
  parentHash: bytes(32, 1),
  feeRecipient: bytes(20, 2),
  stateRoot: bytes(32, 3),
  receiptsRoot: bytes(32, 4),
  logsBloom: bytes(256, 5),
  prevRandao: bytes(32, 6),
  blockNumber: 123,
  gasLimit: 30_000_000,
  gasUsed: 21_000,
  timestamp: 1_700_000_012,
  extraData: bytes(3, 7),
  baseFeePerGas: 2n ** 200n + 5n,
  blockHash: bytes(32, 8),
  transactions: [bytes(100, 9), new Uint8Array([0x02, 0x01])],
  withdrawals: WITHDRAWALS,
  blobGasUsed: 131072n,
  excessBlobGas: 2n ** 63n,
};

const requests: ExecutionRequestsValue = {
  deposits: [
    {
      pubkey: bytes(48, 1),
      withdrawalCredentials: bytes(32, 2),
      amount: 32e9,
      signature: bytes(96, 3),
      index: 2n ** 64n - 1n,
    },
  ],
  withdrawals: [],
  consolidations: [
    { sourceAddress: bytes(20, 4), sourcePubkey: bytes(48, 5), targetPubkey: bytes(48, 6) },
    { sourceAddress: bytes(20, 7), sourcePubkey: bytes(48, 8), targetPubkey: bytes(48, 9) },
  ],
};

describe("engine JSON primitives", () => {
  it("writes compact quantities and reads them back", () => {
    assert.equal(quantityToJson(0), "0x0");
    assert.equal(quantityToJson(255), "0xff");
    assert.equal(quantityToJson(2n ** 256n - 1n), `0x${"f".repeat(64)}`);
    assert.equal(parseQuantity("0x00ff", "q"), 255n);
    assert.equal(parseQuantityNumber("0x1fffffffffffff", "q"), Number.MAX_SAFE_INTEGER);
    for (const bad of ["ff", "0x", "0xg", 5, null, "0x10000000000000000"]) {
      assert.throws(() => parseQuantity(bad, "q"), badResponse, String(bad));
    }
    assert.throws(() => parseQuantityNumber("0x20000000000000", "q"), /2\*\*53/);
    assert.throws(
      () => quantityToJson(-1),
      (e) => isSextantError(e, "EXECUTION_INVALID_REQUEST"),
    );
  });

  it("checks DATA hex and exact or maximum lengths", () => {
    assert.deepEqual(parseData("0x0102", "d", 2), new Uint8Array([1, 2]));
    assert.deepEqual(parseData("0x", "d"), new Uint8Array());
    assert.throws(() => parseData("0x010", "d"), badResponse);
    assert.throws(() => parseData("0x0102", "d", 3), /expected 3 bytes, got 2/);
    assert.throws(() => parseData("0x010203", "d", { max: 2 }), /at most 2 bytes/);
  });
});

describe("engine JSON payloads and attributes", () => {
  it("round-trips ExecutionPayloadV1, V2 and V3 with the version's fields only", () => {
    const v3 = payloadToJson(payloadV3, 3);
    assert.equal(v3.baseFeePerGas, `0x${(2n ** 200n + 5n).toString(16)}`);
    assert.equal(v3.blockNumber, "0x7b");
    assert.deepEqual(payloadFromJson(v3, 3), payloadV3);
    const { withdrawals, blobGasUsed, excessBlobGas, ...v1Value } = payloadV3;
    const v1 = payloadToJson(payloadV3, 1);
    assert.equal("withdrawals" in v1, false);
    assert.deepEqual(payloadFromJson(v1, 1), v1Value);
    // newPayloadV2 takes V1 or V2 payloads.
    assert.deepEqual(payloadFromJson(v1, 2), v1Value);
    assert.deepEqual(payloadFromJson(payloadToJson(payloadV3, 2), 2), { ...v1Value, withdrawals });
    assert.throws(() => payloadFromJson(v1, 3), /withdrawals: missing/);
    assert.throws(
      () => payloadToJson(v1Value, 2),
      (e) => isSextantError(e, "EXECUTION_INVALID_REQUEST"),
    );
    assert.throws(() => payloadFromJson({ ...v3, logsBloom: "0x00" }, 3), /logsBloom: expected 256 bytes/);
    assert.throws(() => payloadFromJson({ ...v3, blockHash: undefined }, 3), /blockHash/);
    void blobGasUsed;
    void excessBlobGas;
  });

  it("round-trips PayloadAttributesV1..V3", () => {
    for (const [fork, version] of [
      ["bellatrix", 1],
      ["capella", 2],
      ["deneb", 3],
    ] as const) {
      const a = attributesFor(fork, 99);
      assert.deepEqual(attributesFromJson(attributesToJson(a, version), version), a);
    }
    assert.throws(() => attributesToJson(attributesFor("capella", 1), 3), /parentBeaconBlockRoot is required/);
  });

  it("reads payload statuses and refuses unknown ones", () => {
    assert.deepEqual(payloadStatusFromJson({ status: "SYNCING", latestValidHash: null, validationError: null }), {
      status: "SYNCING",
      latestValidHash: null,
      validationError: null,
    });
    const invalid = payloadStatusFromJson({
      status: "INVALID",
      latestValidHash: `0x${"11".repeat(32)}`,
      validationError: "bad",
    });
    assert.deepEqual(invalid.latestValidHash, bytes(32, 0x11));
    assert.throws(() => payloadStatusFromJson({ status: "GOOD" }), /unknown status/);
  });
});

describe("engine JSON blobs and execution requests", () => {
  it("encodes execution requests as the EIP-7685 list (type byte ++ SSZ list, empty lists omitted)", () => {
    const list = executionRequestsToList(types, requests);
    assert.equal(list.length, 2);
    assert.equal(list[0][0], 0x00);
    assert.equal(list[0].length, 1 + 48 + 32 + 8 + 96 + 8);
    assert.equal(list[1][0], 0x02);
    assert.equal(list[1].length, 1 + 2 * (20 + 48 + 48));
    assert.deepEqual(executionRequestsFromList(types, list), requests);
    assert.deepEqual(executionRequestsToList(types, { deposits: [], withdrawals: [], consolidations: [] }), []);
  });

  it("refuses unordered, duplicate, unknown, empty and truncated requests", () => {
    const [dep, cons] = executionRequestsToList(types, requests);
    assert.throws(() => executionRequestsFromList(types, [cons, dep]), /strictly ascending/);
    assert.throws(() => executionRequestsFromList(types, [dep, dep]), /strictly ascending/);
    assert.throws(() => executionRequestsFromList(types, [new Uint8Array([3, 1])]), /unknown request type 0x03/);
    assert.throws(() => executionRequestsFromList(types, [new Uint8Array([1])]), /empty data/);
    assert.throws(() => executionRequestsFromList(types, [dep.subarray(0, 50)]), /cannot decode deposits/);
  });

  it("checks blobs bundles V1 (a proof per blob) and V2 (cell proofs)", () => {
    const blob = bytes(BYTES_PER_BLOB, 3);
    const v1 = { commitments: [bytes(48, 1)], proofs: [bytes(48, 2)], blobs: [blob] };
    assert.deepEqual(blobsBundleFromJson(blobsBundleToJson(v1), 1), v1);
    assert.throws(() => blobsBundleFromJson(blobsBundleToJson(v1), 2), /expected 128 proofs/);
    const v2 = { ...v1, proofs: Array.from({ length: CELLS_PER_EXT_BLOB }, (_, i) => bytes(48, i)) };
    assert.deepEqual(blobsBundleFromJson(blobsBundleToJson(v2), 2), v2);
    assert.throws(
      () => blobsBundleFromJson(blobsBundleToJson({ ...v1, commitments: [] }), 1),
      /0 commitments for 1 blobs/,
    );
  });

  it("round-trips getPayload results V1..V5", () => {
    const blob = bytes(BYTES_PER_BLOB, 3);
    const full = {
      executionPayload: payloadV3,
      blockValue: 10n ** 18n,
      blobsBundle: { commitments: [bytes(48, 1)], proofs: [bytes(48, 2)], blobs: [blob] },
      executionRequests: requests,
      shouldOverrideBuilder: true,
    };
    assert.deepEqual(getPayloadResultFromJson(types, getPayloadResultToJson(types, full, 4), 4), full);
    assert.deepEqual(getPayloadResultFromJson(types, getPayloadResultToJson(types, full, 3), 3), {
      ...full,
      executionRequests: null,
    });
    const v2 = getPayloadResultFromJson(types, getPayloadResultToJson(types, full, 2), 2);
    assert.equal(v2.blobsBundle, null);
    assert.equal(v2.blockValue, 10n ** 18n);
    assert.equal(v2.executionPayload.blobGasUsed, undefined);
    const v1 = getPayloadResultFromJson(types, getPayloadResultToJson(types, full, 1), 1);
    assert.equal(v1.blockValue, 0n);
    const cells = { ...full.blobsBundle, proofs: Array.from({ length: CELLS_PER_EXT_BLOB }, () => bytes(48, 2)) };
    const v5 = { ...full, blobsBundle: cells };
    assert.deepEqual(getPayloadResultFromJson(types, getPayloadResultToJson(types, v5, 5), 5), v5);
  });
});
