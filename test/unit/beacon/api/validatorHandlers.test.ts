// The validator-side REST handlers over real HTTP on a small chain (64 interop validators, minimal preset, fulu):
// duties with their dependent roots and no epoch transition however many requests arrive, epoch current+2 refused,
// produce → sign → publish making the head, attestations signed with interop keys accepted and packed into the next
// block, refusals that name their reason, and the event stream delivering head and block events.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import { ApiClientError } from "@sextant/api-spec/client/errors";
import type { StateFulu } from "@sextant/consensus/state/types";
import { fromHex, toHex } from "@sextant/consensus/util/hex";
import { request } from "undici";
import { attestAt, proposeAt } from "../../../support/devChain.ts";
import {
  type ApiChain,
  randaoReveal,
  signAttestationData,
  signBlockRoot,
  startApiChain,
} from "./support-b/apiChain.ts";

const SPE = 8;

/** The status and message of a refused client call. */
async function refusal(call: Promise<unknown>): Promise<{ status: number | undefined; message: string }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiClientError) {
      const body = e.context.body as { message?: string; failures?: { message: string }[] } | undefined;
      const detail = [body?.message, ...(body?.failures ?? []).map((f) => f.message)].join(" | ");
      return { status: e.status, message: detail || e.message };
    }
    throw e;
  }
  assert.fail("the call was expected to be refused");
}

describe("validator handlers over HTTP", () => {
  let api: ApiChain;

  before(async () => {
    api = await startApiChain({ validators: 64, fork: "fulu" });
    for (let slot = 1; slot <= 3; slot++) await proposeAt(api.t, slot);
    api.t.setTime(3, 500);
  });
  after(async () => {
    await api?.close();
  });

  it("duties answer with the Beacon API dependent roots; epoch current+2 is refused with 400", async () => {
    const { chain } = api.t;
    const head = chain.head().root;
    const genesisRoot = chain.dependentRoot(head, 0);
    const all = Array.from({ length: 64 }, (_, i) => i);
    const att0 = await api.client.getAttesterDuties({ epoch: 0, body: all });
    assert.equal(att0.data.length, 64, "every validator attests once per epoch");
    assert.deepEqual(att0.meta.dependentRoot, fromHex(genesisRoot));
    const att1 = await api.client.getAttesterDuties({ epoch: 1, body: all });
    assert.equal(att1.data.length, 64);
    // Epoch 1's attester duties depend on the block at start_slot(0) - 1: the genesis side (not the head at slot 3).
    assert.deepEqual(att1.meta.dependentRoot, fromHex(genesisRoot));
    assert.notEqual(head, genesisRoot);
    for (const d of att1.data) {
      const v = chain.headState().state.validators.getReadonly(d.validatorIndex);
      assert.deepEqual(d.pubkey, v.pubkey);
    }
    const prop0 = await api.client.getProposerDuties({ epoch: 0 });
    assert.equal(prop0.data.length, SPE);
    assert.deepEqual(prop0.meta.dependentRoot, fromHex(genesisRoot));
    const state = chain.headState();
    for (const d of prop0.data.slice(1, 4)) {
      const block = chain.getBlockByRoot(chain.forkChoice.getAncestorRoot(head, d.slot) ?? "");
      assert.equal(block?.signed.message.proposerIndex, d.validatorIndex, `proposer of slot ${d.slot}`);
    }
    // fulu: next epoch's proposers come from the lookahead, fixed at start_slot(epoch - 1) - 1 (genesis side).
    const prop1 = await api.client.getProposerDuties({ epoch: 1 });
    assert.deepEqual(prop1.meta.dependentRoot, fromHex(genesisRoot));
    assert.deepEqual(
      prop1.data.map((d) => d.validatorIndex),
      Array.from((state.state as StateFulu).proposerLookahead.getAll().slice(SPE, 2 * SPE)),
    );
    const sync = await api.client.getSyncCommitteeDuties({ epoch: 0, body: all });
    const seats = sync.data.reduce((n, d) => n + d.validatorSyncCommitteeIndices.length, 0);
    assert.equal(seats, api.t.config.preset.SYNC_COMMITTEE_SIZE);

    const far = await refusal(api.client.getAttesterDuties({ epoch: 2, body: [0] }));
    assert.equal(far.status, 400);
    assert.match(far.message, /epoch 2/);
    const farProposer = await refusal(api.client.getProposerDuties({ epoch: 2 }));
    assert.equal(farProposer.status, 400);
  });

  it("1,000 concurrent duty requests cause zero epoch transitions", async () => {
    const { chain } = api.t;
    const counters = chain.counters.epochTransitions;
    const total = () => Object.values(counters).reduce((a, b) => a + b, 0);
    const before = total();
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const epoch = i % 2;
      calls.push(
        i % 3 === 0
          ? api.client.getProposerDuties({ epoch })
          : api.client.getAttesterDuties({ epoch, body: [i % 64, (i * 7) % 64] }),
      );
    }
    const results = await Promise.allSettled(calls);
    assert.equal(results.filter((r) => r.status === "rejected").length, 0);
    assert.equal(counters.request, 0);
    assert.equal(total(), before, "no epoch transition of any cause");
  });

  it("produce → sign → publish makes the block the head; attestations are accepted and packed into the next block", async () => {
    const { chain, config } = api.t;
    const types = config.types;
    // Slot 4: produce through the API, sign, publish.
    api.t.setTime(4, 100);
    const duties = await api.client.getProposerDuties({ epoch: 0 });
    const proposer4 = duties.data.find((d) => d.slot === 4)?.validatorIndex ?? -1;
    const cs = chain.headState();
    const produced = await api.client.produceBlockV3({ slot: 4, randaoReveal: randaoReveal(cs, proposer4, 4) });
    assert.equal(produced.meta.version, "fulu");
    assert.equal(produced.meta.executionPayloadBlinded, false);
    const contents = produced.data as { block: unknown; kzgProofs: Uint8Array[]; blobs: Uint8Array[] };
    const block = contents.block as { slot: number; proposerIndex: number };
    assert.equal(block.slot, 4);
    assert.equal(block.proposerIndex, proposer4);
    const root = types.fulu.BeaconBlock.hashTreeRoot(block as never);
    const signedBlock = { message: block, signature: signBlockRoot(cs, proposer4, 4, root) };
    const published = await api.client.publishBlockV2({
      body: { signedBlock, kzgProofs: contents.kzgProofs, blobs: contents.blobs } as never,
      version: "fulu",
      broadcastValidation: "consensus_and_equivocation",
    });
    assert.equal(published.status, 200);
    assert.equal(chain.head().slot, 4);
    assert.deepEqual(fromHex(chain.head().root), root);
    // Publishing it again: known, 200.
    const again = await api.client.publishBlockV2({
      body: { signedBlock, kzgProofs: contents.kzgProofs, blobs: contents.blobs } as never,
      version: "fulu",
    });
    assert.equal(again.status, 200);

    // Every member of slot 4's committee attests through the API (electra+: SingleAttestation).
    api.t.setTime(4, 4000);
    const { data } = await api.client.produceAttestationData({ slot: 4, committeeIndex: 0 });
    assert.deepEqual(data.beaconBlockRoot, root);
    assert.equal(data.index, 0);
    const head = chain.headState();
    const committee = head.ctx.getBeaconCommittee(4, 0);
    const dataRoot = types.phase0.AttestationData.hashTreeRoot(data);
    const singles = Array.from(committee, (attesterIndex) => ({
      committeeIndex: 0,
      attesterIndex,
      data,
      signature: signAttestationData(head, attesterIndex, 0, dataRoot),
    }));
    await api.client.submitPoolAttestationsV2({ body: singles as never, version: "fulu" });
    const pooled = await api.client.getPoolAttestationsV2({ slot: 4 });
    assert.equal(pooled.data.length, 1);
    assert.equal(pooled.data[0].aggregationBits.getTrueBitIndexes().length, committee.length);
    const aggregate = await api.client.getAggregatedAttestationV2({
      attestationDataRoot: dataRoot,
      slot: 4,
      committeeIndex: 0,
    });
    assert.equal(aggregate.data.aggregationBits.getTrueBitIndexes().length, committee.length);

    // The next block carries them.
    api.t.setTime(5, 100);
    const proposer5 = duties.data.find((d) => d.slot === 5)?.validatorIndex ?? -1;
    const next = await api.client.produceBlockV3({ slot: 5, randaoReveal: randaoReveal(head, proposer5, 5) });
    const body5 = (
      next.data as {
        block: {
          body: { attestations: { data: { slot: number }; aggregationBits: { getTrueBitIndexes(): number[] } }[] };
        };
      }
    ).block.body;
    const included = body5.attestations.filter((a) => a.data.slot === 4);
    assert.equal(included.length, 1);
    assert.equal(included[0].aggregationBits.getTrueBitIndexes().length, committee.length);

    // Liveness: the attesters and the proposer of slot 4 were seen in epoch 0.
    const live = await api.client.getLiveness({ epoch: 0, body: [committee[0], proposer4] });
    assert.deepEqual(
      live.data.map((l) => l.isLive),
      [true, true],
    );
  });

  it("bad signature, wrong committee and unknown root are refused with 400 naming the reason", async () => {
    const { chain, config } = api.t;
    const types = config.types;
    api.t.setTime(5, 4000);
    const { data } = await api.client.produceAttestationData({ slot: 5, committeeIndex: 0 });
    const head = chain.headState();
    const committee = head.ctx.getBeaconCommittee(5, 0);
    const outsider = Array.from({ length: 64 }, (_, i) => i).find((i) => !committee.includes(i)) ?? -1;
    const dataRoot = types.phase0.AttestationData.hashTreeRoot(data);
    const member = committee[0];
    const badSig = {
      committeeIndex: 0,
      attesterIndex: member,
      data,
      signature: signAttestationData(head, outsider, 0, dataRoot),
    };
    const wrongCommittee = {
      committeeIndex: 0,
      attesterIndex: outsider,
      data,
      signature: signAttestationData(head, outsider, 0, dataRoot),
    };
    const unknownData = { ...data, beaconBlockRoot: new Uint8Array(32).fill(7) };
    const unknownRoot = {
      committeeIndex: 0,
      attesterIndex: member,
      data: unknownData,
      signature: signAttestationData(head, member, 0, types.phase0.AttestationData.hashTreeRoot(unknownData)),
    };
    for (const [item, reason] of [
      [badSig, /invalid signature/],
      [wrongCommittee, /wrong committee/],
      [unknownRoot, /unknown block/],
    ] as const) {
      const r = await refusal(api.client.submitPoolAttestationsV2({ body: [item] as never, version: "fulu" }));
      assert.equal(r.status, 400);
      assert.match(r.message, reason);
    }
    // A batch: the valid item is accepted, the failures are indexed.
    const good = {
      committeeIndex: 0,
      attesterIndex: member,
      data,
      signature: signAttestationData(head, member, 0, dataRoot),
    };
    const res = await request(`${api.url}/eth/v2/beacon/pool/attestations`, {
      method: "POST",
      headers: { "content-type": "application/json", "eth-consensus-version": "fulu" },
      body: JSON.stringify([good, badSig].map((a) => types.electra.SingleAttestation.toJson(a as never))),
    });
    assert.equal(res.statusCode, 400);
    const body = (await res.body.json()) as { failures: { index: number; message: string }[] };
    assert.deepEqual(
      body.failures.map((f) => f.index),
      [1],
    );
    assert.equal(chain.attestationPool.getAggregate(5, dataRoot, 0)?.aggregationBits.getTrueBitIndexes().length, 1);
    // Attestation data: a committee index beyond the count is refused.
    const beyond = await refusal(api.client.produceAttestationData({ slot: 5, committeeIndex: 9 }));
    assert.equal(beyond.status, 400);
    assert.match(beyond.message, /committee/);
  });

  it("the event stream delivers head and block events", async () => {
    const { chain } = api.t;
    const abort = new AbortController();
    const res = await request(`${api.url}/eth/v1/events?topics=head,block`, {
      headers: { accept: "text/event-stream" },
      signal: abort.signal,
    });
    assert.equal(res.statusCode, 200);
    let text = "";
    const seen = (async () => {
      for await (const chunk of res.body) {
        text += Buffer.from(chunk as Uint8Array).toString();
        if (text.includes("event: head") && text.includes("event: block")) return;
      }
    })();
    await proposeAt(api.t, 6);
    await Promise.race([
      seen,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`events so far: ${text}`)), 5000)),
    ]);
    abort.abort();
    await seen.catch(() => {});
    assert.match(text, /"slot":"6"/);
    assert.match(text, new RegExp(chain.head().root));
  });

  it("in a later epoch, dependent roots are the blocks at start_slot(epoch - 1) - 1 (attester, fulu proposer)", async () => {
    const { chain } = api.t;
    for (let slot = 7; slot <= 8; slot++) await proposeAt(api.t, slot);
    attestAt(api.t, 8);
    await proposeAt(api.t, 9);
    // Liveness from blocks: slot 8's committee attested only through block 9 (not through the API).
    const committee8 = Array.from(chain.headState().ctx.getBeaconCommittee(8, 0));
    const proposers1 = new Set(
      [8, 9].map(
        (s) =>
          chain.getBlockByRoot(chain.forkChoice.getAncestorRoot(chain.head().root, s) ?? "")?.signed.message
            .proposerIndex,
      ),
    );
    const idle =
      Array.from({ length: 64 }, (_, i) => i).find((i) => !committee8.includes(i) && !proposers1.has(i)) ?? -1;
    const live = await api.client.getLiveness({ epoch: 1, body: [committee8[0], idle] });
    assert.deepEqual(
      live.data.map((l) => l.isLive),
      [true, false],
    );
    for (let slot = 16; slot <= 17; slot++) await proposeAt(api.t, slot);
    const head = chain.head().root;
    const att = await api.client.getAttesterDuties({ epoch: 3, body: [0] });
    // start_slot(epoch - 1) - 1 = 15: the block at or before it is slot 9's.
    assert.deepEqual(att.meta.dependentRoot, fromHex(chain.forkChoice.getAncestorRoot(head, 15) ?? ""));
    assert.equal(chain.forkChoice.getBlock(chain.forkChoice.getAncestorRoot(head, 15) ?? "")?.slot, 9);
    // fulu (lookahead): proposer duties of epoch 2 are fixed at start_slot(1) - 1 = 7.
    const prop = await api.client.getProposerDuties({ epoch: 2 });
    assert.equal(chain.forkChoice.getBlock(toHex(prop.meta.dependentRoot))?.slot, 7);
    assert.equal(chain.counters.epochTransitions.request, 0);
  });
});

describe("deprecated v1 routes on a phase0 chain", () => {
  let api: ApiChain;
  before(async () => {
    api = await startApiChain({ validators: 64, fork: "phase0" });
    await proposeAt(api.t, 1);
  });
  after(async () => {
    await api?.close();
  });

  it("produceBlock v1 → publishBlock v1; phase0 attestations through v1; v1 aggregate; blinded publish refused", async () => {
    const { chain, config } = api.t;
    const types = config.types;
    api.t.setTime(2, 100);
    const duties = await api.client.getProposerDuties({ epoch: 0 });
    const proposer = duties.data.find((d) => d.slot === 2)?.validatorIndex ?? -1;
    const cs = chain.headState();
    const produced = await api.client.produceBlock({ slot: 2, randaoReveal: randaoReveal(cs, proposer, 2) });
    const root = types.phase0.BeaconBlock.hashTreeRoot(produced.data);
    const signed = { message: produced.data, signature: signBlockRoot(cs, proposer, 2, root) };
    const published = await api.client.publishBlock({ body: signed as never, version: "phase0" });
    assert.equal(published.status, 200);
    assert.deepEqual(fromHex(chain.head().root), root);

    api.t.setTime(2, 4000);
    const { data } = await api.client.produceAttestationData({ slot: 2, committeeIndex: 0 });
    const head = chain.headState();
    const committee = head.ctx.getBeaconCommittee(2, 0);
    const dataRoot = types.phase0.AttestationData.hashTreeRoot(data);
    const attestations = Array.from(committee, (v, position) => {
      const aggregationBits = bitArrayOf(committee.length, position);
      return { aggregationBits, data, signature: signAttestationData(head, v, 0, dataRoot) };
    });
    await api.client.submitPoolAttestations({ body: attestations as never });
    const aggregate = await api.client.getAggregatedAttestation({ attestationDataRoot: dataRoot, slot: 2 });
    assert.equal(aggregate.data.aggregationBits.getTrueBitIndexes().length, committee.length);

    const blinded = await refusal(api.client.publishBlindedBlockV2({ body: signed as never, version: "phase0" }));
    assert.equal(blinded.status, 400);
    assert.match(blinded.message, /blinded/);
  });
});

/** A bitfield of `length` bits with one bit set. */
function bitArrayOf(length: number, position: number): BitArray {
  const bits = BitArray.fromBitLen(length);
  bits.set(position, true);
  return bits;
}
