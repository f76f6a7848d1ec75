// BlockService: proposals per fork (full, blinded, deneb block contents), graffiti and builder boost, the v3 → v2 →
// v1 production fallback and v2 → v1 publication fallback with their memory, and the refusals that stop a proposal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ForkName } from "@sextant/consensus/params/forkName";
import { BlockService, type ProposalSettings } from "../../../../validator/src/services/block.ts";
import { httpError, metricValue, pk, runUntil, setup, types } from "./fakes.ts";

const SLOT = 17;

function service(env: ReturnType<typeof setup>, extra: { settings?: ProposalSettings; builder?: boolean } = {}) {
  return new BlockService({
    nodes: env.nodes,
    signer: env.signer,
    duties: env.duties,
    clock: env.clock,
    forkAtEpoch: env.forkAtEpoch,
    logger: env.logger,
    metrics: env.metrics,
    endpoints: env.endpoints,
    proposerSettings: extra.settings ? () => extra.settings as ProposalSettings : undefined,
    builder: extra.builder,
  });
}

function block(fork: ForkName, slot = SLOT, proposerIndex = 9, blinded = false) {
  const ns = types[fork] as unknown as Record<string, { defaultValue(): Record<string, unknown> }>;
  const b = ns[blinded ? "BlindedBeaconBlock" : "BeaconBlock"].defaultValue();
  b.slot = slot;
  b.proposerIndex = proposerIndex;
  return b;
}

function withDuty(env: ReturnType<typeof setup>, slot = SLOT) {
  env.duties.proposer = [{ pubkey: pk(9), validatorIndex: 9, slot }];
  env.signer.keys.add(pk(9));
}

async function runSlot(env: ReturnType<typeof setup>, svc: BlockService, slot = SLOT) {
  await runUntil(env.time, svc.onSlot(slot, env.ac.signal), env.clock.timeAtSlot(slot + 1));
}

const v3Meta = (version: ForkName, blinded: boolean) => ({
  version,
  executionPayloadBlinded: blinded,
  executionPayloadValue: 5n,
  consensusBlockValue: 7n,
});

describe("BlockService", () => {
  it("deneb: produces v3 with graffiti and randao, signs the block of the contents, publishes SignedBlockContents", async () => {
    const env = setup({ fork: "deneb", startSlot: SLOT });
    withDuty(env);
    const contents = {
      block: block("deneb"),
      kzgProofs: [new Uint8Array(48).fill(1)],
      blobs: [types.deneb.Blob.defaultValue()],
    };
    env.nodes
      .answer("produceBlockV3", () => ({ data: contents, meta: v3Meta("deneb", false) }))
      .answer("publishBlockV2", () => ({ status: 200 }));
    const settings = { feeRecipient: `0x${"00".repeat(20)}`, gasLimit: 30_000_000, graffiti: "sextant" };
    await runSlot(env, service(env, { settings }));

    const produce = env.nodes.of("produceBlockV3")[0];
    assert.equal(produce.args.slot, SLOT);
    assert.deepEqual(produce.args.randaoReveal, new Uint8Array(96).fill(0xaa));
    const graffiti = produce.args.graffiti as Uint8Array;
    assert.equal(graffiti.length, 32);
    assert.equal(Buffer.from(graffiti.subarray(0, 7)).toString(), "sextant");
    assert.equal(produce.args.builderBoostFactor, undefined, "the node's default boost");
    assert.deepEqual(env.signer.of("signRandaoReveal"), [{ pubkey: pk(9), epoch: 2 }]);
    const signed = env.signer.of("signBlock")[0] as { fork: string; blinded: boolean; block: unknown };
    assert.equal(signed.fork, "deneb");
    assert.equal(signed.blinded, false);
    assert.equal(signed.block, contents.block);
    const publish = env.nodes.of("publishBlockV2")[0];
    assert.equal(publish.args.broadcastValidation, "gossip");
    assert.equal(publish.args.version, "deneb");
    const body = publish.args.body as { signedBlock: { message: unknown; signature: Uint8Array } };
    assert.equal(body.signedBlock.message, contents.block);
    types.deneb.SignedBlockContents.serialize(body as never);
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "block" }), 1);
  });

  it("a blinded block from v3 is signed as blinded and published through publishBlindedBlockV2", async () => {
    const env = setup({ fork: "electra", startSlot: SLOT });
    withDuty(env);
    const blinded = block("electra", SLOT, 9, true);
    env.nodes
      .answer("produceBlockV3", () => ({ data: blinded, meta: v3Meta("electra", true) }))
      .answer("publishBlindedBlockV2", () => ({ status: 200 }));
    await runSlot(env, service(env, { builder: false, settings: { feeRecipient: "0x", gasLimit: 1, graffiti: "" } }));
    assert.equal(env.nodes.of("produceBlockV3")[0].args.builderBoostFactor, 0n, "builder off: local payloads only");
    assert.equal(env.nodes.of("produceBlockV3")[0].args.graffiti, undefined, "empty graffiti: the node's default");
    assert.equal((env.signer.of("signBlock")[0] as { blinded: boolean }).blinded, true);
    const publish = env.nodes.of("publishBlindedBlockV2")[0];
    assert.equal(publish.args.version, "electra");
    types.electra.SignedBlindedBeaconBlock.serialize(publish.args.body as never);
    assert.equal(env.nodes.of("publishBlockV2").length, 0);
  });

  it("falls back to produceBlockV2 and publishBlock v1 on 404/405, and remembers for the next proposal", async () => {
    const env = setup({ fork: "capella", startSlot: SLOT });
    withDuty(env);
    env.duties.proposer.push({ pubkey: pk(9), validatorIndex: 9, slot: SLOT + 1 });
    env.nodes
      .answer("produceBlockV3", () => {
        throw httpError("produceBlockV3", 404);
      })
      .answer("produceBlockV2", (a) => ({ data: block("capella", a.slot as number), meta: { version: "capella" } }))
      .answer("publishBlockV2", () => {
        throw httpError("publishBlockV2", 405);
      })
      .answer("publishBlock", () => ({ status: 200 }));
    const svc = service(env);
    await runSlot(env, svc, SLOT);
    assert.deepEqual(
      env.nodes.calls.map((c) => c.op),
      ["produceBlockV3", "produceBlockV2", "publishBlockV2", "publishBlock"],
    );
    types.capella.SignedBeaconBlock.serialize(env.nodes.of("publishBlock")[0].args.body as never);
    assert.equal(env.nodes.of("publishBlock")[0].args.version, "capella");
    await runSlot(env, svc, SLOT + 1);
    assert.deepEqual(
      env.nodes.calls.slice(4).map((c) => c.op),
      ["produceBlockV2", "publishBlock"],
    );
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "block" }), 2);
  });

  it("phase0 nodes serving only v1 produce through GET /eth/v1/validator/blocks", async () => {
    const env = setup({ fork: "phase0", startSlot: SLOT });
    withDuty(env);
    env.nodes.answer("produceBlock", () => ({ data: block("phase0") })).answer("publishBlock", () => ({ status: 200 }));
    await runSlot(env, service(env));
    assert.deepEqual(
      env.nodes.calls.map((c) => c.op),
      ["produceBlockV3", "produceBlockV2", "produceBlock", "publishBlockV2", "publishBlock"],
    );
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "block" }), 1);
  });

  it("a block of another proposer is not signed", async () => {
    const env = setup({ fork: "deneb", startSlot: SLOT });
    withDuty(env);
    env.nodes.answer("produceBlockV3", () => ({
      data: { block: block("deneb", SLOT, 10), kzgProofs: [], blobs: [] },
      meta: v3Meta("deneb", false),
    }));
    await runSlot(env, service(env));
    assert.equal(env.signer.of("signBlock").length, 0);
    assert.equal(await metricValue(env.metrics.dutiesMissed, { duty: "block" }), 1);
  });

  it("a block slashing protection refuses is not published", async () => {
    const env = setup({ fork: "deneb", startSlot: SLOT });
    withDuty(env);
    env.signer.refuse.add(pk(9));
    env.nodes
      .answer("produceBlockV3", () => ({
        data: { block: block("deneb"), kzgProofs: [], blobs: [] },
        meta: v3Meta("deneb", false),
      }))
      .answer("publishBlockV2", () => ({ status: 200 }));
    await runSlot(env, service(env));
    assert.equal(env.nodes.of("publishBlockV2").length, 0);
    assert.equal(await metricValue(env.metrics.dutiesMissed, { duty: "block", reason: "refused" }), 1);
  });

  it("no duty of ours: nothing asked", async () => {
    const env = setup({ fork: "deneb", startSlot: SLOT });
    env.duties.proposer = [{ pubkey: pk(9), validatorIndex: 9, slot: SLOT }];
    await runSlot(env, service(env));
    assert.equal(env.nodes.calls.length, 0);
  });
});
