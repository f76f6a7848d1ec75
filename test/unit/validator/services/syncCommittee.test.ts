// SyncCommitteeService: messages on the head root at the due point or early head, one signing batch, the
// contribution flow at the contribution due point, optimistic heads not signed, nothing before altair.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import { SyncCommitteeService } from "../../../../validator/src/services/syncCommittee.ts";
import { metricValue, pk, runUntil, setup, types } from "./fakes.ts";

const SLOT = 20;
const ROOT = new Uint8Array(32).fill(0x42);

function service(env: ReturnType<typeof setup>) {
  return new SyncCommitteeService({
    nodes: env.nodes,
    signer: env.signer,
    duties: env.duties,
    clock: env.clock,
    head: env.head,
    forkAtEpoch: env.forkAtEpoch,
    logger: env.logger,
    metrics: env.metrics,
  });
}

function members(env: ReturnType<typeof setup>) {
  env.duties.sync = [
    { pubkey: pk(1), validatorIndex: 1, validatorSyncCommitteeIndices: [0, 9] },
    { pubkey: pk(2), validatorIndex: 2, validatorSyncCommitteeIndices: [17] },
  ];
  env.signer.keys.add(pk(1));
  env.signer.keys.add(pk(2));
}

function contribution(subcommitteeIndex: number) {
  const c = types.altair.SyncCommitteeContribution.defaultValue();
  c.slot = SLOT;
  c.subcommitteeIndex = subcommitteeIndex;
  c.beaconBlockRoot = ROOT;
  c.aggregationBits = BitArray.fromSingleBit(c.aggregationBits.bitLen, 1);
  return c;
}

async function runSlot(env: ReturnType<typeof setup>, svc: SyncCommitteeService) {
  await runUntil(env.time, svc.onSlot(SLOT, env.ac.signal), env.clock.timeAtSlot(SLOT + 1));
}

describe("SyncCommitteeService", () => {
  it("signs one message per member on the head root at the due point and submits them", async () => {
    const env = setup({ fork: "deneb", startSlot: SLOT });
    members(env);
    env.nodes
      .answer("getBlockRoot", () => ({ data: { root: ROOT }, meta: { executionOptimistic: false, finalized: false } }))
      .answer("submitPoolSyncCommitteeSignatures", () => ({ status: 200 }));
    await runSlot(env, service(env));
    const root = env.nodes.of("getBlockRoot")[0];
    assert.equal(root.args.blockId, "head");
    assert.equal(root.at, env.clock.timeAtSlot(SLOT, env.clock.due.syncMessage));
    assert.equal(env.signer.of("signSyncCommitteeMessages").length, 1);
    const body = env.nodes.of("submitPoolSyncCommitteeSignatures")[0].args.body as {
      slot: number;
      beaconBlockRoot: Uint8Array;
      validatorIndex: number;
    }[];
    assert.deepEqual(
      body.map((m) => [m.slot, m.validatorIndex]),
      [
        [SLOT, 1],
        [SLOT, 2],
      ],
    );
    assert.deepEqual(body[0].beaconBlockRoot, ROOT);
    types.altair.SyncCommitteeMessage.serialize(body[0] as never);
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "sync_committee_message" }), 2);
  });

  it("signs early when the head of the slot arrives", async () => {
    const env = setup({ fork: "deneb", startSlot: SLOT });
    members(env);
    env.head.arrivals.set(SLOT, env.clock.timeAtSlot(SLOT, 300));
    env.nodes
      .answer("getBlockRoot", () => ({ data: { root: ROOT }, meta: { executionOptimistic: false, finalized: false } }))
      .answer("submitPoolSyncCommitteeSignatures", () => ({ status: 200 }));
    await runSlot(env, service(env));
    assert.equal(env.nodes.of("submitPoolSyncCommitteeSignatures")[0].at, env.clock.timeAtSlot(SLOT, 300));
  });

  it("aggregators publish signed contributions at the contribution due point", async () => {
    const env = setup({ fork: "deneb", startSlot: SLOT });
    members(env);
    const proof = new Uint8Array(96).fill(0x31);
    env.duties.syncAggregation = [
      { pubkey: pk(1), validatorIndex: 1, subcommitteeIndex: 0, selectionProof: proof },
      { pubkey: pk(2), validatorIndex: 2, subcommitteeIndex: 2, selectionProof: proof },
    ];
    env.nodes
      .answer("getBlockRoot", () => ({ data: { root: ROOT }, meta: { executionOptimistic: false, finalized: false } }))
      .answer("submitPoolSyncCommitteeSignatures", () => ({ status: 200 }))
      .answer("produceSyncCommitteeContribution", (a) => ({ data: contribution(a.subcommitteeIndex as number) }))
      .answer("publishContributionAndProofs", () => ({ status: 200 }));
    await runSlot(env, service(env));
    const produce = env.nodes.of("produceSyncCommitteeContribution");
    assert.deepEqual(produce.map((c) => c.args.subcommitteeIndex).sort(), [0, 2]);
    for (const c of produce) {
      assert.equal(c.at, env.clock.timeAtSlot(SLOT, env.clock.due.contribution));
      assert.deepEqual(c.args.beaconBlockRoot, ROOT);
    }
    assert.equal(env.signer.of("signContributionAndProofs").length, 1);
    const body = env.nodes.of("publishContributionAndProofs")[0].args.body as {
      message: { aggregatorIndex: number; selectionProof: Uint8Array };
    }[];
    assert.equal(body.length, 2);
    assert.deepEqual(body[0].message.selectionProof, proof);
    types.altair.SignedContributionAndProof.serialize(body[0] as never);
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "sync_committee_contribution" }), 2);
  });

  it("does not sign an optimistic head", async () => {
    const env = setup({ fork: "deneb", startSlot: SLOT });
    members(env);
    env.nodes.answer("getBlockRoot", () => ({
      data: { root: ROOT },
      meta: { executionOptimistic: true, finalized: false },
    }));
    await runSlot(env, service(env));
    assert.equal(env.signer.of("signSyncCommitteeMessages").length, 0);
    assert.equal(await metricValue(env.metrics.dutiesMissed, { duty: "sync_committee_message" }), 2);
  });

  it("does nothing before altair", async () => {
    const env = setup({ fork: "phase0", startSlot: SLOT });
    members(env);
    await runSlot(env, service(env));
    assert.equal(env.nodes.calls.length, 0);
  });
});
