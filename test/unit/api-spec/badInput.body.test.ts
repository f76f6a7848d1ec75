// Bad request bodies, media types and versioned bodies: each gets the right 4xx with the spec's error body naming
// what is wrong (never a 500); unknown fields are ignored (no schema of v4.0.0 forbids them); a batch with bad items
// answers the indexed failures body and its good items still reach the handler.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { beaconRoutes, json } from "@sextant/api-spec";
import { request } from "undici";
import { decodeRequest } from "../../../api-spec/src/server/request.ts";
import { ajv, badInputServer, indexedErrorMessage, runCases } from "./support/badInput.ts";
import {
  BODY_LIMIT,
  bodyCases,
  exitBody,
  JSON_HEADERS,
  MEDIA_TYPE_CASES,
  ROOT,
  SIG,
  VERSIONED_CASES,
} from "./support/badInputCases.ts";
import { TEST_CONTEXT } from "./support/suites.ts";

const EXITS = "/eth/v1/beacon/pool/voluntary_exits";
const exit = exitBody;
const syncMessage = (slot: unknown) => ({ slot, beacon_block_root: ROOT, validator_index: "1", signature: SIG });

describe("bad bodies, media types and versions answer the right 4xx with the spec's error body", () => {
  const server = badInputServer();
  runCases(server, [...bodyCases(BODY_LIMIT), ...MEDIA_TYPE_CASES, ...VERSIONED_CASES]);

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
