// AttestationService: when it attests (due point vs early head), one signing batch per slot, the submitted shapes
// before and from electra, the v2 → v1 fallback and its memory, slashing-protection refusals, chunked submissions
// with indexed failures, and the aggregation flow.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import { AttestationService } from "../../../../validator/src/services/attestation.ts";
import { attestationData, attesterDuty, httpError, metricValue, pk, runUntil, setup, types } from "./fakes.ts";

function service(env: ReturnType<typeof setup>, chunkSize?: number) {
  return new AttestationService({
    nodes: env.nodes,
    signer: env.signer,
    duties: env.duties,
    clock: env.clock,
    head: env.head,
    forkAtEpoch: env.forkAtEpoch,
    types: env.types,
    logger: env.logger,
    metrics: env.metrics,
    endpoints: env.endpoints,
    chunkSize,
  });
}

/** Answers attestation data for any slot/committee, and accepts v2 submissions. */
function answerData(env: ReturnType<typeof setup>) {
  env.nodes
    .answer("produceAttestationData", (a) => ({ data: attestationData(a.slot as number, a.committeeIndex as number) }))
    .answer("submitPoolAttestationsV2", () => ({ status: 200 }));
}

async function runSlot(env: ReturnType<typeof setup>, svc: AttestationService, slot: number) {
  await runUntil(env.time, svc.onSlot(slot, env.ac.signal), env.clock.timeAtSlot(slot + 1));
}

describe("AttestationService: attesting", () => {
  it("attests at the due point when no head block arrives, one data request per committee before electra", async () => {
    const env = setup({ fork: "deneb", startSlot: 10 });
    env.duties.attester = [
      attesterDuty(1, 10, { committeeIndex: 0, validatorCommitteeIndex: 3 }),
      attesterDuty(2, 10, { committeeIndex: 0, validatorCommitteeIndex: 5 }),
      attesterDuty(3, 10, { committeeIndex: 1, validatorCommitteeIndex: 0, committeeLength: 9 }),
    ];
    for (const d of env.duties.attester) env.signer.keys.add(d.pubkey);
    answerData(env);
    await runSlot(env, service(env), 10);

    const due = env.clock.timeAtSlot(10, env.clock.due.attestation);
    const produced = env.nodes.of("produceAttestationData");
    assert.deepEqual(produced.map((c) => c.args.committeeIndex).sort(), [0, 1]);
    for (const c of produced) assert.equal(c.at, due, "data asked at the due point");
    assert.equal(env.signer.of("signAttestations").length, 1, "one signing batch for the slot");
    const submits = env.nodes.of("submitPoolAttestationsV2");
    assert.equal(submits.length, 1);
    assert.equal(submits[0].args.version, "deneb");
    const body = submits[0].args.body as { aggregationBits: BitArray; data: { index: number } }[];
    assert.equal(body.length, 3);
    assert.deepEqual(body[0].aggregationBits.getTrueBitIndexes(), [3]);
    assert.equal(body[0].aggregationBits.bitLen, 16);
    assert.deepEqual(body[2].aggregationBits.getTrueBitIndexes(), [0]);
    assert.equal(body[2].aggregationBits.bitLen, 9);
    assert.equal(body[2].data.index, 1);
    // The pre-electra Attestation type accepts what was built.
    types.deneb.Attestation.serialize(body[0] as never);
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "attestation" }), 3);
    const delay = await env.metrics.submissionDelaySeconds.get();
    assert.ok(
      delay.values.some(
        (v) =>
          v.labels.duty === "attestation" &&
          (v as { metricName?: string }).metricName?.endsWith("_count") &&
          v.value === 1,
      ),
    );
  });

  it("attests as soon as the head block of the slot arrives, before the due point", async () => {
    const env = setup({ fork: "deneb", startSlot: 10 });
    env.duties.attester = [attesterDuty(1, 10)];
    env.signer.keys.add(pk(1));
    env.head.arrivals.set(10, env.clock.timeAtSlot(10, 700));
    answerData(env);
    await runSlot(env, service(env), 10);
    const submit = env.nodes.of("submitPoolAttestationsV2")[0];
    assert.equal(submit.at, env.clock.timeAtSlot(10, 700));
    assert.equal(env.nodes.of("produceAttestationData")[0].at, env.clock.timeAtSlot(10, 700));
  });

  it("from electra: one data request, data.index 0, SingleAttestation with committee and attester index", async () => {
    const env = setup({ fork: "electra", startSlot: 10 });
    env.duties.attester = [
      attesterDuty(4, 10, { committeeIndex: 0 }),
      attesterDuty(5, 10, { committeeIndex: 1 }),
      attesterDuty(6, 10, { committeeIndex: 3 }),
    ];
    for (const d of env.duties.attester) env.signer.keys.add(d.pubkey);
    answerData(env);
    await runSlot(env, service(env), 10);
    const produced = env.nodes.of("produceAttestationData");
    assert.equal(produced.length, 1);
    assert.equal(produced[0].args.committeeIndex, 0);
    const submit = env.nodes.of("submitPoolAttestationsV2")[0];
    assert.equal(submit.args.version, "electra");
    const body = submit.args.body as { committeeIndex: number; attesterIndex: number; data: { index: number } }[];
    assert.deepEqual(
      body.map((b) => [b.committeeIndex, b.attesterIndex, b.data.index]),
      [
        [0, 4, 0],
        [1, 5, 0],
        [3, 6, 0],
      ],
    );
    types.electra.SingleAttestation.serialize(body[0] as never);
    assert.equal(env.nodes.of("submitPoolAttestations").length, 0, "no v1 from electra");
  });

  it("falls back to v1 on 405 and remembers: the next slot goes straight to v1", async () => {
    const env = setup({ fork: "deneb", startSlot: 10 });
    env.duties.attester = [attesterDuty(1, 10), attesterDuty(1, 11)];
    env.signer.keys.add(pk(1));
    env.nodes
      .answer("produceAttestationData", (a) => ({
        data: attestationData(a.slot as number, a.committeeIndex as number),
      }))
      .answer("submitPoolAttestationsV2", () => {
        throw httpError("submitPoolAttestationsV2", 405);
      })
      .answer("submitPoolAttestations", () => ({ status: 200 }));
    const svc = service(env);
    await runSlot(env, svc, 10);
    assert.deepEqual(
      env.nodes.calls.filter((c) => c.op.startsWith("submit")).map((c) => c.op),
      ["submitPoolAttestationsV2", "submitPoolAttestations"],
    );
    await runSlot(env, svc, 11);
    assert.deepEqual(
      env.nodes.calls.filter((c) => c.op.startsWith("submit")).map((c) => c.op),
      ["submitPoolAttestationsV2", "submitPoolAttestations", "submitPoolAttestations"],
    );
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "attestation" }), 2);
  });

  it("a key slashing protection refuses is not submitted and counts as missed", async () => {
    const env = setup({ fork: "deneb", startSlot: 10 });
    env.duties.attester = [attesterDuty(1, 10), attesterDuty(2, 10), attesterDuty(3, 10)];
    for (const d of env.duties.attester) env.signer.keys.add(d.pubkey);
    env.signer.refuse.add(pk(2));
    answerData(env);
    await runSlot(env, service(env), 10);
    const body = env.nodes.of("submitPoolAttestationsV2")[0].args.body as unknown[];
    assert.equal(body.length, 2);
    assert.equal(await metricValue(env.metrics.dutiesMissed, { duty: "attestation", reason: "refused" }), 1);
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "attestation" }), 2);
  });

  it("submits a large slot in chunks after one signing batch; indexed failures fail only their items", async () => {
    const env = setup({ fork: "deneb", startSlot: 10 });
    env.duties.attester = [1, 2, 3, 4, 5].map((i) => attesterDuty(i, 10, { validatorCommitteeIndex: i }));
    for (const d of env.duties.attester) env.signer.keys.add(d.pubkey);
    let n = 0;
    env.nodes
      .answer("produceAttestationData", (a) => ({
        data: attestationData(a.slot as number, a.committeeIndex as number),
      }))
      .answer("submitPoolAttestationsV2", () => {
        if (n++ === 1) throw httpError("submitPoolAttestationsV2", 400, [{ index: 1, message: "bad signature" }]);
        return { status: 200 };
      });
    await runSlot(env, service(env, 2), 10);
    assert.equal(env.signer.of("signAttestations").length, 1);
    assert.deepEqual(
      env.nodes.of("submitPoolAttestationsV2").map((c) => (c.args.body as unknown[]).length),
      [2, 2, 1],
    );
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "attestation" }), 4);
    assert.equal(await metricValue(env.metrics.dutiesMissed, { duty: "attestation" }), 1);
  });

  it("no attestation data: nothing signed, duties missed", async () => {
    const env = setup({ fork: "deneb", startSlot: 10 });
    env.duties.attester = [attesterDuty(1, 10)];
    env.signer.keys.add(pk(1));
    env.nodes.answer("produceAttestationData", () => {
      throw httpError("produceAttestationData", 503);
    });
    await runSlot(env, service(env), 10);
    assert.equal(env.signer.of("signAttestations").length, 0);
    assert.equal(
      await metricValue(env.metrics.dutiesMissed, { duty: "attestation", reason: "no_attestation_data" }),
      1,
    );
  });
});

describe("AttestationService: aggregating", () => {
  it("at the aggregate due point, fetches the committee's aggregate, signs AggregateAndProofs, publishes v2", async () => {
    const env = setup({ fork: "deneb", startSlot: 10 });
    const proof = new Uint8Array(96).fill(0x99);
    env.duties.attester = [
      attesterDuty(1, 10, { committeeIndex: 1, isAggregator: true, selectionProof: proof }),
      attesterDuty(2, 10, { committeeIndex: 1, isAggregator: true }),
      attesterDuty(3, 10, { committeeIndex: 0 }),
    ];
    for (const d of env.duties.attester) env.signer.keys.add(d.pubkey);
    answerData(env);
    const aggregate = {
      aggregationBits: BitArray.fromBoolArray([true, true, false, true]),
      data: attestationData(10, 1),
      signature: new Uint8Array(96).fill(3),
    };
    env.nodes
      .answer("getAggregatedAttestationV2", () => ({ data: aggregate, meta: { version: "deneb" } }))
      .answer("publishAggregateAndProofsV2", () => ({ status: 200 }));
    await runSlot(env, service(env), 10);

    const get = env.nodes.of("getAggregatedAttestationV2");
    assert.equal(get.length, 1, "one request per committee");
    assert.equal(get[0].at, env.clock.timeAtSlot(10, env.clock.due.aggregate));
    assert.equal(get[0].args.committeeIndex, 1);
    assert.deepEqual(
      get[0].args.attestationDataRoot,
      types.phase0.AttestationData.hashTreeRoot(attestationData(10, 1)),
    );
    assert.equal(env.signer.of("signSelectionProofs").length, 1, "the missing selection proof is signed");
    const publish = env.nodes.of("publishAggregateAndProofsV2")[0];
    assert.equal(publish.args.version, "deneb");
    const body = publish.args.body as { message: { aggregatorIndex: number; selectionProof: Uint8Array } }[];
    assert.deepEqual(
      body.map((b) => b.message.aggregatorIndex),
      [1, 2],
    );
    assert.deepEqual(body[0].message.selectionProof, proof);
    types.deneb.SignedAggregateAndProof.serialize(body[0] as never);
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "aggregate" }), 2);
  });

  it("falls back to the v1 aggregate endpoints for nodes that serve only v1", async () => {
    const env = setup({ fork: "capella", startSlot: 10 });
    env.duties.attester = [attesterDuty(1, 10, { isAggregator: true, selectionProof: new Uint8Array(96) })];
    env.signer.keys.add(pk(1));
    env.nodes
      .answer("produceAttestationData", (a) => ({
        data: attestationData(a.slot as number, a.committeeIndex as number),
      }))
      .answer("submitPoolAttestations", () => ({ status: 200 }))
      .answer("getAggregatedAttestation", () => ({
        data: {
          aggregationBits: BitArray.fromBoolArray([true]),
          data: attestationData(10, 0),
          signature: new Uint8Array(96),
        },
      }))
      .answer("publishAggregateAndProofs", () => ({ status: 200 }));
    await runSlot(env, service(env), 10);
    assert.deepEqual(
      env.nodes.calls.map((c) => c.op),
      [
        "produceAttestationData",
        "submitPoolAttestationsV2",
        "submitPoolAttestations",
        "getAggregatedAttestationV2",
        "getAggregatedAttestation",
        "publishAggregateAndProofsV2",
        "publishAggregateAndProofs",
      ],
    );
    assert.equal(await metricValue(env.metrics.dutiesPerformed, { duty: "aggregate" }), 1);
  });

  it("electra: the aggregate must carry the committee's bit; published with the electra version", async () => {
    const env = setup({ fork: "electra", startSlot: 10 });
    env.duties.attester = [
      attesterDuty(1, 10, { committeeIndex: 2, isAggregator: true, selectionProof: new Uint8Array(96) }),
    ];
    env.signer.keys.add(pk(1));
    answerData(env);
    const committeeBits = BitArray.fromSingleBit(types.electra.Attestation.fields.committeeBits.lengthBits, 2);
    env.nodes
      .answer("getAggregatedAttestationV2", () => ({
        data: {
          aggregationBits: BitArray.fromBoolArray([true]),
          data: attestationData(10, 0),
          signature: new Uint8Array(96),
          committeeBits,
        },
        meta: { version: "electra" },
      }))
      .answer("publishAggregateAndProofsV2", () => ({ status: 200 }));
    await runSlot(env, service(env), 10);
    const publish = env.nodes.of("publishAggregateAndProofsV2")[0];
    assert.equal(publish.args.version, "electra");
    types.electra.SignedAggregateAndProof.serialize((publish.args.body as unknown[])[0] as never);
  });
});
