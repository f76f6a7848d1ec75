// Spot checks of the SSZ types against facts computed independently (node:crypto SHA-256, hand-built encodings).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { FAR_FUTURE_EPOCH } from "../../../../consensus/src/params/constants.ts";
import { FORK_NAMES } from "../../../../consensus/src/params/forkName.ts";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import { createSszTypes, getSszTypes, sszTypesFor } from "../../../../consensus/src/types/index.ts";
import { Rng } from "../../../support/random.ts";

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(data).digest());

/** Merkle root of 32-byte chunks padded with zero chunks to a power of two (the spec's merkleize). */
function merkleize(chunks: Uint8Array[]): Uint8Array {
  let layer = chunks.length === 0 ? [new Uint8Array(32)] : [...chunks];
  while ((layer.length & (layer.length - 1)) !== 0) layer.push(new Uint8Array(32));
  while (layer.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(sha256(Buffer.concat([layer[i], layer[i + 1]])));
    layer = next;
  }
  return layer[0];
}

/** A uint64 as a little-endian 32-byte chunk. */
function uintChunk(n: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

const t = getSszTypes("minimal");
const rng = new Rng(42);

describe("preset-independent spot checks", () => {
  test("a Checkpoint serializes to 40 bytes: epoch (uint64 LE) then root", () => {
    const root = rng.bytes(32);
    const bytes = t.phase0.Checkpoint.serialize({ epoch: 0x0102030405, root });
    assert.equal(t.phase0.Checkpoint.fixedSize, 40);
    assert.deepEqual(bytes.subarray(0, 8), Uint8Array.of(5, 4, 3, 2, 1, 0, 0, 0));
    assert.deepEqual(bytes.subarray(8), root);
  });

  test("BeaconBlockHeader roots equal an independent merkleization", () => {
    const zero = t.phase0.BeaconBlockHeader.defaultValue();
    assert.deepEqual(t.phase0.BeaconBlockHeader.hashTreeRoot(zero), merkleize(Array(5).fill(new Uint8Array(32))));
    const header = {
      slot: 123456,
      proposerIndex: 789,
      parentRoot: rng.bytes(32),
      stateRoot: rng.bytes(32),
      bodyRoot: rng.bytes(32),
    };
    const expected = merkleize([
      uintChunk(123456),
      uintChunk(789),
      header.parentRoot,
      header.stateRoot,
      header.bodyRoot,
    ]);
    assert.deepEqual(t.phase0.BeaconBlockHeader.hashTreeRoot(header), expected);
  });

  test("a List root mixes in its length", () => {
    const indices = [3, 1, 4, 1, 5];
    // List[ValidatorIndex, 2048 (minimal MAX_VALIDATORS_PER_COMMITTEE)]: 4 uint64 per chunk, 512 chunks.
    const packed = new Uint8Array(32 * 2);
    for (const [i, v] of indices.entries()) new DataView(packed.buffer).setBigUint64(8 * i, BigInt(v), true);
    const chunks = [packed.subarray(0, 32), packed.subarray(32)];
    while (chunks.length < 512) chunks.push(new Uint8Array(32));
    const expected = sha256(Buffer.concat([merkleize(chunks), uintChunk(indices.length)]));
    assert.deepEqual(t.phase0.IndexedAttestation.fields.attestingIndices.hashTreeRoot(indices), expected);
  });

  test("FAR_FUTURE_EPOCH is 2**64-1 in SSZ and JSON and Infinity in memory", () => {
    const v = { ...t.phase0.Validator.defaultValue(), exitEpoch: FAR_FUTURE_EPOCH, withdrawableEpoch: 7 };
    const json = t.phase0.Validator.toJson(v) as Record<string, unknown>;
    assert.equal(json.exit_epoch, "18446744073709551615");
    assert.equal(json.withdrawable_epoch, "7");
    const bytes = t.phase0.Validator.serialize(v);
    assert.deepEqual(bytes.subarray(105, 113), new Uint8Array(8).fill(0xff)); // 48+32+8+1+8+8 = exit_epoch offset
    assert.equal(t.phase0.Validator.deserialize(bytes).exitEpoch, Number.POSITIVE_INFINITY);
    assert.equal(t.phase0.Validator.fromJson(json).exitEpoch, Number.POSITIVE_INFINITY);
    assert.equal(
      t.phase0.ENRForkID.fromJson({
        fork_digest: "0x01020304",
        next_fork_version: "0x00000000",
        next_fork_epoch: "18446744073709551615",
      }).nextForkEpoch,
      FAR_FUTURE_EPOCH,
    );
  });

  test("an Attestation's JSON: snake_case keys, decimal strings, bitlist as hex with its length bit", () => {
    const bits = t.phase0.Attestation.fields.aggregationBits.defaultValue();
    const aggregationBits = t.phase0.Attestation.fields.aggregationBits.fromJson("0x0d"); // 1,0,1 + length bit
    assert.equal(aggregationBits.bitLen, 3);
    assert.deepEqual(aggregationBits.getTrueBitIndexes(), [0, 2]);
    assert.equal(bits.bitLen, 0);
    const att = {
      aggregationBits,
      data: {
        slot: 9,
        index: 2,
        beaconBlockRoot: new Uint8Array(32).fill(0xab),
        source: { epoch: 0, root: new Uint8Array(32) },
        target: { epoch: 1, root: new Uint8Array(32).fill(1) },
      },
      signature: new Uint8Array(96).fill(0xcd),
    };
    assert.deepEqual(t.phase0.Attestation.toJson(att), {
      aggregation_bits: "0x0d",
      data: {
        slot: "9",
        index: "2",
        beacon_block_root: `0x${"ab".repeat(32)}`,
        source: { epoch: "0", root: `0x${"00".repeat(32)}` },
        target: { epoch: "1", root: `0x${"01".repeat(32)}` },
      },
      signature: `0x${"cd".repeat(96)}`,
    });
  });

  test("numbered fields keep the spec's JSON names (signed_header_1, attestation_2)", () => {
    const keys = (type: { fieldsEntries: { jsonKey: string }[] }) => type.fieldsEntries.map((e) => e.jsonKey);
    assert.deepEqual(keys(t.phase0.ProposerSlashing), ["signed_header_1", "signed_header_2"]);
    assert.deepEqual(keys(t.electra.AttesterSlashing), ["attestation_1", "attestation_2"]);
    assert.deepEqual(keys(t.deneb.SignedBlockContents), ["signed_block", "kzg_proofs", "blobs"]);
    assert.deepEqual(keys(t.capella.BLSToExecutionChange), [
      "validator_index",
      "from_bls_pubkey",
      "to_execution_address",
    ]);
  });
});

describe("namespaces and lookup", () => {
  test("sszTypesFor returns the fork's complete namespace", () => {
    const deneb = sszTypesFor(t, "deneb");
    assert.equal(deneb, t.deneb);
    assert.equal(deneb.BeaconBlock, t.deneb.BeaconBlock);
    assert.ok("blobKzgCommitments" in deneb.BeaconBlockBody.fields);
    assert.ok(!("blobKzgCommitments" in sszTypesFor(t, "capella").BeaconBlockBody.fields));
    assert.equal(deneb.Checkpoint, t.phase0.Checkpoint, "unchanged containers are inherited, not rebuilt");
    assert.equal(sszTypesFor(t, "fulu").BeaconBlock, t.electra.BeaconBlock);
    assert.ok(!("SyncAggregate" in sszTypesFor(t, "phase0")));
    assert.ok("committeeBits" in sszTypesFor(t, "electra").Attestation.fields);
    assert.equal(Object.keys(t.fulu.BeaconState.fields).at(-1), "proposerLookahead");
    assert.throws(() => sszTypesFor(t, "gloas" as never), /unknown fork/);
  });

  test("each fork's namespace contains every name of the previous fork", () => {
    for (let i = 1; i < FORK_NAMES.length; i++) {
      const prev = Object.keys(t[FORK_NAMES[i - 1]]);
      const names = new Set(Object.keys(t[FORK_NAMES[i]]));
      for (const name of prev) assert.ok(names.has(name), `${FORK_NAMES[i]} lacks ${name}`);
    }
  });

  test("types are built once per preset and follow the preset", () => {
    assert.equal(createSszTypes(minimalPreset), t);
    assert.equal(getSszTypes("mainnet"), createSszTypes(mainnetPreset));
    assert.notEqual(getSszTypes("mainnet"), t);
    assert.equal(getSszTypes("mainnet").altair.SyncCommittee.fields.pubkeys.length, 512);
    assert.equal(t.altair.SyncCommittee.fields.pubkeys.length, 32);
    assert.throws(() => getSszTypes("holesky" as never), /unknown preset/);
  });

  test("a blinded body has the root of the full body it blinds", () => {
    const body = t.deneb.BeaconBlockBody.defaultValue();
    body.executionPayload.transactions = [rng.bytes(100), rng.bytes(7)];
    body.executionPayload.withdrawals = [{ index: 1, validatorIndex: 2, address: rng.bytes(20), amount: 3 }];
    body.executionPayload.blobGasUsed = 131072n;
    body.blobKzgCommitments = [rng.bytes(48)];
    const { transactions, withdrawals, ...common } = body.executionPayload;
    const header = {
      ...common,
      transactionsRoot: t.deneb.ExecutionPayload.fields.transactions.hashTreeRoot(transactions),
      withdrawalsRoot: t.deneb.ExecutionPayload.fields.withdrawals.hashTreeRoot(withdrawals),
    };
    const { executionPayload: _, ...rest } = body;
    const blinded = { ...rest, executionPayloadHeader: header };
    assert.deepEqual(t.deneb.BlindedBeaconBlockBody.hashTreeRoot(blinded), t.deneb.BeaconBlockBody.hashTreeRoot(body));
    assert.deepEqual(t.deneb.BlindedBeaconBlockBody.fieldsEntries.map((e) => e.jsonKey).slice(9, 11), [
      "execution_payload_header",
      "bls_to_execution_changes",
    ]);
  });
});
