// Bad request bodies, media types and versioned bodies: each gets the right 4xx with the spec's error body naming
// what is wrong (never a 500); unknown fields are ignored (no schema of v4.0.0 forbids them); a batch with bad items
// answers the indexed failures body and its good items still reach the handler.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { beaconRoutes, json } from "@sextant/api-spec";
import { request } from "undici";
import { decodeRequest } from "../../../api-spec/src/server/request.ts";
import {
  ajv,
  BODY_LIMIT,
  badInputServer,
  type Case,
  get,
  indexedErrorMessage,
  JSON_HEADERS,
  post,
  ROOT,
  runCases,
  SIG,
} from "./support/badInput.ts";
import { TEST_CONTEXT } from "./support/suites.ts";

const DUTIES = "/eth/v1/validator/duties/attester/1";
const EXITS = "/eth/v1/beacon/pool/voluntary_exits";
const BLOCKS = "/eth/v2/beacon/blocks";
const SSZ = (fork: string) => ({ "content-type": "application/octet-stream", "eth-consensus-version": fork });
const exit = (epoch: unknown) => JSON.stringify({ message: { epoch, validator_index: "2" }, signature: SIG });
const syncMessage = (slot: unknown) => ({ slot, beacon_block_root: ROOT, validator_index: "1", signature: SIG });
const subscription = { validator_index: "1", committee_index: "1", committees_at_slot: "1", slot: "1" };

const BODIES: Case[] = [
  post("malformed JSON", DUTIES, '["1",', 400, "malformed JSON"),
  post("empty JSON body", DUTIES, "", 400, "body: missing"),
  post("object where an array is required", DUTIES, '{"a":1}', 400, "body: expected an array"),
  post("number where a string is required", DUTIES, '["1",2]', 400, "body[1]: expected a decimal string"),
  post("empty list where one index is required", "/eth/v1/validator/liveness/1", "[]", 400, "at least 1"),
  post("nested number where a string is required", EXITS, exit(1), 400, "body.message.epoch: expected a decimal"),
  post(
    "missing field",
    EXITS,
    JSON.stringify({ message: { epoch: "1", validator_index: "2" } }),
    400,
    "body.signature: missing",
  ),
  post("hex of the wrong length", EXITS, exit("1").replace(SIG, "0xabcd"), 400, "body.signature"),
  post(
    "non-hex digits",
    "/eth/v1/validator/prepare_beacon_proposer",
    JSON.stringify([{ validator_index: "1", fee_recipient: `0x${"zz".repeat(20)}` }]),
    400,
    "body[0].fee_recipient",
  ),
  post(
    "boolean as a string",
    "/eth/v1/validator/beacon_committee_subscriptions",
    JSON.stringify([{ ...subscription, is_aggregator: "true" }]),
    400,
    "body[0].is_aggregator: expected a boolean",
  ),
  post(
    "unknown enum value",
    "/eth/v1/beacon/states/head/validators",
    '{"statuses":["sleeping"]}',
    400,
    "body.statuses[0]",
  ),
  post("uint64 overflow in a body", EXITS, exit("18446744073709551616"), 400, "body.message.epoch"),
  post("negative number in a body", "/eth/v1/validator/duties/sync/1", '["-1"]', 400, "body[0]"),
  post("oversize body", DUTIES, JSON.stringify(Array(BODY_LIMIT).fill("1")), 413, `limit of ${BODY_LIMIT} bytes`),
  post("missing required body", "/eth/v1/beacon/pool/proposer_slashings", undefined, 400, "body: missing"),
];

const MEDIA_TYPES: Case[] = [
  post("text/plain body", DUTIES, '["1"]', 415, "text/plain", { "content-type": "text/plain" }),
  post("body without a content type", DUTIES, '["1"]', 415, "unsupported media type", {}),
  post("SSZ to a JSON-only operation", DUTIES, new Uint8Array(8), 415, "send application/json", SSZ("fulu")),
  get("Accept: octet-stream only, JSON-only operation", "/eth/v1/beacon/genesis", 406, "serves application/json", {
    accept: "application/octet-stream",
  }),
  get("Accept: text/html", "/eth/v2/beacon/blocks/head", 406, "application/octet-stream", { accept: "text/html" }),
  get("Accept: JSON refused, SSZ not listed", "/eth/v2/beacon/blocks/head", 406, "cannot answer", {
    accept: "application/json;q=0, text/plain",
  }),
];

const VERSIONED: Case[] = [
  post("missing Eth-Consensus-Version", BLOCKS, "{}", 400, "Eth-Consensus-Version: missing"),
  post("unknown Eth-Consensus-Version", BLOCKS, "{}", 400, "unknown fork", {
    ...JSON_HEADERS,
    "eth-consensus-version": "frontier",
  }),
  post("a block of the wrong fork", BLOCKS, "{}", 400, "body.signed_block: missing", {
    ...JSON_HEADERS,
    "eth-consensus-version": "fulu",
  }),
  post("garbage SSZ block", BLOCKS, new Uint8Array([1, 2, 3]), 400, "invalid SSZ", SSZ("fulu")),
  post(
    "SSZ attestations of the wrong size",
    "/eth/v2/beacon/pool/attestations",
    new Uint8Array(7),
    400,
    "invalid SSZ",
    SSZ("electra"),
  ),
];

describe("bad bodies, media types and versions answer the right 4xx with the spec's error body", () => {
  const server = badInputServer();
  runCases(server, [...BODIES, ...MEDIA_TYPES, ...VERSIONED]);

  test("unknown fields are ignored (no schema of v4.0.0 forbids them)", async () => {
    const body = JSON.stringify({ ...JSON.parse(exit("1")), extra: true });
    const res = await request(`${server.url}${EXITS}`, { method: "POST", headers: JSON_HEADERS, body });
    await res.body.dump();
    assert.equal(res.statusCode, 200);
  });

  test("a batch with bad items answers the indexed failures; the good items reach the handler", async () => {
    const items = [syncMessage("1"), syncMessage(2), syncMessage("3"), { bogus: true }];
    const res = await request(`${server.url}/eth/v1/beacon/pool/sync_committees`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(items),
    });
    const body = (await res.body.json()) as { failures: { index: number; message: string }[] };
    assert.equal(res.statusCode, 400);
    assert.ok(indexedErrorMessage(body), ajv.errorsText(indexedErrorMessage.errors));
    assert.deepEqual(
      body.failures.map((f) => f.index),
      [1, 2, 3],
    );
    assert.match(body.failures[0].message, /body\[1\]\.slot: expected a decimal string/);
    assert.equal(body.failures[1].message, "invalid signature", "the handler's index 1 is the request's index 2");
    assert.match(body.failures[2].message, /body\[3\]\.slot: missing/);
    assert.equal(server.received.length, 2, "items 0 and 2 were handled");
  });

  test("deprecated v1 publishBlock: the fork comes from the header, else from the block's slot, else a 400", () => {
    const types = TEST_CONTEXT.types;
    const withSchedule = beaconRoutes({ types, forkAtSlot: (slot) => (slot >= 64 ? "deneb" : "capella") });
    const block = types.deneb.SignedBlockContents.defaultValue();
    block.signedBlock.message.slot = 70;
    const body = new TextEncoder().encode(JSON.stringify(types.deneb.SignedBlockContents.toJson(block)));
    const raw = { params: {}, query: {}, headers: JSON_HEADERS, body };
    assert.equal(decodeRequest(withSchedule.publishBlock, raw).args.version, "deneb");
    const capella = types.capella.SignedBeaconBlock.defaultValue();
    const capellaBody = new TextEncoder().encode(JSON.stringify(types.capella.SignedBeaconBlock.toJson(capella)));
    assert.equal(decodeRequest(withSchedule.publishBlock, { ...raw, body: capellaBody }).args.version, "capella");
    const headed = { ...raw, headers: { ...JSON_HEADERS, "eth-consensus-version": "deneb" } };
    assert.equal(decodeRequest(withSchedule.publishBlock, headed).args.version, "deneb");
    const noSchedule = beaconRoutes({ types });
    assert.throws(() => decodeRequest(noSchedule.publishBlock, raw), /Eth-Consensus-Version: missing/);
  });

  test("an object codec marked closed refuses unknown fields (for schemas with additionalProperties: false)", () => {
    const codec = json.object({ slot: json.uint64 }, { closed: true });
    assert.deepEqual(codec.fromJson({ slot: "1" }, "body"), { slot: 1 });
    assert.throws(() => codec.fromJson({ slot: "1", extra: 0 }, "body"), /body\.extra: unknown field/);
  });

  test("a batch whose items are all good is handled", async () => {
    const res = await request(`${server.url}/eth/v1/beacon/pool/sync_committees`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify([syncMessage("5")]),
    });
    await res.body.dump();
    assert.equal(res.statusCode, 200);
    assert.equal(server.received.length, 1);
  });
});
