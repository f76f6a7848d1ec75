// The simulated beacon node (test/support/simBeaconNode.ts) answers through our api-spec client: genesis, spec,
// validators, deterministic duties (each validator exactly once per epoch), attestation data that is never slashable
// across slots, submissions recorded with their attester, blocks, head events, and the syncing / down / disabled
// switches. A fake clock keeps every answer deterministic.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type ApiClientError,
  beaconEventCodec,
  beaconRoutes,
  createApiClient,
  subscribeEvents,
} from "@sextant/api-spec";
import { parseChainConfigYaml } from "@sextant/consensus/params/index";
import { toHex } from "@sextant/consensus/util/hex";
import { Rng } from "../../support/random.ts";
import { type SimBeaconNode, simChainConfig, simSpecJson, startSimBeaconNode } from "../../support/simBeaconNode.ts";

const GENESIS = 1_700_000_000;
/** Minimal preset: 8 slots an epoch, committees of 4, at most 4 committees a slot. */
const VALIDATORS = 300;
const config = simChainConfig({ preset: "minimal", genesisFork: "electra", slotDurationMs: 6000 });
const rng = new Rng(7);
const pubkeys = Array.from({ length: VALIDATORS }, () => rng.bytes(48));
/** The fake clock: 3 epochs and 2.5 slots after genesis. */
let nowMs = GENESIS * 1000 + (3 * 8 + 2) * 6000 + 3000;

let sim: SimBeaconNode;
let api: ReturnType<typeof createApiClient<ReturnType<typeof beaconRoutes>>>;

before(async () => {
  sim = await startSimBeaconNode({ pubkeys, config, genesisTimeSec: GENESIS, now: () => nowMs, autoHead: false });
  api = createApiClient(beaconRoutes({ types: sim.types }), { baseUrl: sim.url, timeoutMs: 5000 });
});
after(async () => {
  await api.close();
  await sim.close();
});

describe("simulated beacon node: node, config and validators", () => {
  it("answers genesis, spec (every value a string), version, syncing and health", async () => {
    const genesis = await api.getGenesis();
    assert.equal(genesis.data.genesisTime, GENESIS);
    assert.equal(toHex(genesis.data.genesisForkVersion), toHex(config.GENESIS_FORK_VERSION));
    const spec = await api.getSpec();
    assert.equal(spec.data.SLOT_DURATION_MS, "6000");
    assert.equal(spec.data.SLOTS_PER_EPOCH, "8");
    assert.equal(spec.data.ELECTRA_FORK_EPOCH, "0");
    assert.equal(spec.data.FULU_FORK_EPOCH, "18446744073709551615");
    assert.equal(spec.data.DOMAIN_BEACON_ATTESTER, "0x01000000");
    for (const [k, v] of Object.entries(spec.data)) assert.equal(typeof v, "string", k);
    // The spec JSON (with BLOB_SCHEDULE) reads back as the same chain config.
    const file = JSON.stringify(simSpecJson(config, sim.preset, { blobSchedule: true }));
    const parsed = parseChainConfigYaml(file).config;
    assert.equal(parsed.CONFIG_NAME, "sextant-sim");
    assert.equal(toHex(parsed.ELECTRA_FORK_VERSION), toHex(config.ELECTRA_FORK_VERSION));
    assert.deepEqual(parsed.BLOB_SCHEDULE, config.BLOB_SCHEDULE);

    assert.match((await api.getNodeVersion()).data.version, /sim/);
    assert.equal((await api.getSyncingStatus()).data.isSyncing, false);
    assert.equal((await api.getHealth()).status, 200);
    sim.setSyncing(true, 10);
    const syncing = await api.getSyncingStatus();
    assert.deepEqual([syncing.data.isSyncing, syncing.data.syncDistance, syncing.data.headSlot], [true, 10, 16]);
    assert.equal((await api.getHealth()).status, 206);
    sim.setSyncing(false);
    assert.equal((await api.getHealth()).status, 200);
  });

  it("finds validators by index and by public key, all active_ongoing", async () => {
    const all = await api.postStateValidators({ stateId: "head", body: {} });
    assert.equal(all.data.length, VALIDATORS);
    const some = await api.postStateValidators({ stateId: "head", body: { ids: [pubkeys[5], 7, 100_000] } });
    assert.deepEqual(
      some.data.map((v) => v.index),
      [5, 7],
    );
    assert.ok(some.data.every((v) => v.status === "active_ongoing"));
    const one = await api.getStateValidator({ stateId: "head", validatorId: pubkeys[42] });
    assert.equal(one.data.index, 42);
    assert.equal(toHex(one.data.validator.pubkey), toHex(pubkeys[42]));
    const got = await api.getStateValidators({ stateId: "head", id: [3] });
    assert.equal(got.data[0].index, 3);
    await assert.rejects(api.getStateValidator({ stateId: "head", validatorId: 999 }), (e: ApiClientError) => {
      return e.context.status === 404;
    });
  });
});

describe("simulated beacon node: duties", () => {
  it("gives each validator exactly one attester duty per epoch, deterministically", async () => {
    const indices = Array.from({ length: VALIDATORS }, (_, i) => i);
    for (const epoch of [3, 4]) {
      const a = await api.getAttesterDuties({ epoch, body: indices });
      const b = await api.getAttesterDuties({ epoch, body: indices });
      assert.deepEqual(a.data, b.data);
      assert.equal(a.data.length, VALIDATORS);
      const seats = new Set<string>();
      for (const d of a.data) {
        assert.equal(d.slot, epoch * 8 + (d.validatorIndex % 8));
        assert.equal(d.committeesAtSlot, 4); // 300 / 8 / 4 = 9, clamped to MAX_COMMITTEES_PER_SLOT
        assert.ok(d.committeeIndex < d.committeesAtSlot);
        assert.ok(d.validatorCommitteeIndex < d.committeeLength);
        const seat = `${d.slot}/${d.committeeIndex}/${d.validatorCommitteeIndex}`;
        assert.ok(!seats.has(seat), `two validators in seat ${seat}`);
        seats.add(seat);
        assert.equal(sim.committeeMember(d.slot, d.committeeIndex, d.validatorCommitteeIndex), d.validatorIndex);
      }
      // Committees of a slot add up to the slot's attesters.
      for (let k = 0; k < 8; k++) {
        const atSlot = a.data.filter((d) => d.slot === epoch * 8 + k);
        assert.equal(atSlot.length, sim.attestersAt(k));
      }
    }
    const e3 = await api.getAttesterDuties({ epoch: 3, body: [10] });
    const e4 = await api.getAttesterDuties({ epoch: 4, body: [10] });
    assert.notDeepEqual(e3.data[0].validatorCommitteeIndex, e4.data[0].validatorCommitteeIndex);
    assert.equal(toHex(e3.meta.dependentRoot), toHex(sim.blockRoot(2 * 8 - 1)));
    sim.setDependentRoot("attester", 3, new Uint8Array(32).fill(9));
    assert.equal(
      toHex((await api.getAttesterDuties({ epoch: 3, body: [10] })).meta.dependentRoot),
      `0x${"09".repeat(32)}`,
    );
    sim.setDependentRoot("attester", 3, undefined);
    await assert.rejects(
      api.getAttesterDuties({ epoch: 5, body: [1] }),
      (e: ApiClientError) => e.context.status === 400,
    );
  });

  it("gives one proposer per slot and sync committee duties", async () => {
    const proposers = await api.getProposerDuties({ epoch: 3 });
    assert.deepEqual(
      proposers.data.map((d) => d.slot),
      Array.from({ length: 8 }, (_, k) => 24 + k),
    );
    for (const d of proposers.data) assert.equal(toHex(d.pubkey), toHex(pubkeys[d.validatorIndex]));
    const sync = await api.getSyncCommitteeDuties({ epoch: 3, body: [0, 31, 32, 299] });
    // minimal SYNC_COMMITTEE_SIZE = 32: period 0 is validators 0..31
    assert.deepEqual(
      sync.data.map((d) => [d.validatorIndex, d.validatorSyncCommitteeIndices]),
      [
        [0, [0]],
        [31, [31]],
      ],
    );
  });
});

describe("simulated beacon node: production and submissions", () => {
  it("produces attestation data that is never slashable across slots", async () => {
    const seenTargets = new Map<number, string>();
    let lastSource = -1;
    for (let slot = 0; slot <= 26; slot++) {
      const { data } = await api.produceAttestationData({ slot, committeeIndex: 1 });
      assert.equal(data.slot, slot);
      assert.equal(data.index, 0); // electra
      assert.equal(data.target.epoch, Math.floor(slot / 8));
      assert.ok(data.source.epoch <= data.target.epoch && data.source.epoch >= lastSource);
      lastSource = data.source.epoch;
      const root = toHex(data.target.root);
      assert.equal(seenTargets.get(data.target.epoch) ?? root, root, "one target root per epoch");
      seenTargets.set(data.target.epoch, root);
    }
  });

  it("records attestations with their attester and arrival time, and aggregates them", async () => {
    const duty = sim.attesterDuty(17, 3);
    const data = sim.attestationData(duty.slot, duty.committeeIndex);
    const signature = rng.bytes(96);
    const before = nowMs;
    await api.submitPoolAttestationsV2({
      version: "electra",
      body: [
        { committeeIndex: duty.committeeIndex, attesterIndex: 17, data, signature },
        { committeeIndex: duty.committeeIndex, attesterIndex: 18, data, signature },
      ],
    });
    const [good, wrong] = sim.received.attestations.slice(-2);
    assert.equal(good.validatorIndex, 17);
    assert.equal(good.problem, "");
    assert.equal(good.arrivalMs, before);
    assert.equal(wrong.validatorIndex, 18);
    assert.match(wrong.problem, /validator 18 attests at slot/);
    assert.equal(sim.counts.get("submitPoolAttestationsV2"), 1);

    const root = sim.types.phase0.AttestationData.hashTreeRoot(data);
    const agg = await api.getAggregatedAttestationV2({
      attestationDataRoot: root,
      slot: duty.slot,
      committeeIndex: duty.committeeIndex,
    });
    assert.equal(agg.meta.version, "electra");
    const value = agg.data as { aggregationBits: { getTrueBitIndexes(): number[] } };
    assert.deepEqual(value.aggregationBits.getTrueBitIndexes(), [duty.validatorCommitteeIndex]);
  });

  it("produces an empty electra block (contents) and records the published block", async () => {
    const randao = rng.bytes(96);
    const res = await api.produceBlockV3({ slot: 27, randaoReveal: randao });
    assert.equal(res.meta.version, "electra");
    assert.equal(res.meta.executionPayloadBlinded, false);
    const contents = res.data as { block: { slot: number; proposerIndex: number; body: { randaoReveal: Uint8Array } } };
    assert.equal(contents.block.slot, 27);
    assert.equal(contents.block.proposerIndex, sim.proposerAt(27));
    assert.equal(toHex(contents.block.body.randaoReveal), toHex(randao));

    const signed = sim.types.electra.SignedBlockContents.defaultValue();
    signed.signedBlock.message.slot = 27;
    signed.signedBlock.message.proposerIndex = sim.proposerAt(27);
    await api.publishBlockV2({ version: "electra", body: signed });
    assert.deepEqual(
      sim.received.blocks.map((b) => [b.slot, b.proposerIndex, b.version]),
      [[27, sim.proposerAt(27), "electra"]],
    );
    assert.equal(toHex((await api.getBlockRoot({ blockId: 20 })).data.root), toHex(sim.blockRoot(20)));
  });

  it("records sync committee messages and builds a contribution of them", async () => {
    const root = sim.blockRoot(26);
    await api.submitPoolSyncCommitteeSignatures({
      body: [{ slot: 26, beaconBlockRoot: root, validatorIndex: 9, signature: rng.bytes(96) }],
    });
    assert.equal(sim.received.syncCommitteeMessages.at(-1)?.validatorIndex, 9);
    // minimal: 32 members in 4 subcommittees of 8: position 9 is subcommittee 1, bit 1
    const c = await api.produceSyncCommitteeContribution({ slot: 26, subcommitteeIndex: 1, beaconBlockRoot: root });
    assert.deepEqual(c.data.aggregationBits.getTrueBitIndexes(), [1]);
    await assert.rejects(
      api.produceSyncCommitteeContribution({ slot: 26, subcommitteeIndex: 0, beaconBlockRoot: root }),
      (e: ApiClientError) => e.context.status === 404,
    );
  });

  it("answers liveness false unless set", async () => {
    sim.setLive([4], 2);
    const res = await api.getLiveness({ epoch: 2, body: [3, 4] });
    assert.deepEqual(
      res.data.map((d) => d.isLive),
      [false, true],
    );
    assert.equal((await api.getLiveness({ epoch: 3, body: [4] })).data[0].isLive, false);
  });
});

describe("simulated beacon node: events and failure switches", () => {
  it("streams head events on demand", async () => {
    const heads: { slot: number; previous: string; current: string }[] = [];
    let resolveFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      resolveFirst = resolve;
    });
    let connected: () => void = () => {};
    const up = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const sub = subscribeEvents({
      baseUrl: sim.url,
      topics: ["head"],
      codec: beaconEventCodec({ types: sim.types }),
      onConnect: () => connected(),
      onEvent: (e) => {
        if (e.topic !== "head") return;
        const { slot, previousDutyDependentRoot, currentDutyDependentRoot } = e.data;
        heads.push({ slot, previous: toHex(previousDutyDependentRoot), current: toHex(currentDutyDependentRoot) });
        resolveFirst();
      },
    });
    await up;
    sim.emitHead(26);
    await first;
    await sub.close();
    assert.deepEqual(heads, [
      { slot: 26, previous: toHex(sim.blockRoot(2 * 8 - 1)), current: toHex(sim.blockRoot(3 * 8 - 1)) },
    ]);
  });

  it("answers 404/405 for disabled operations, 503 when down, and cuts connections in close mode", async () => {
    sim.setDisabled("submitPoolAttestationsV2", 404);
    await assert.rejects(
      api.submitPoolAttestationsV2({ version: "electra", body: [] }),
      (e: ApiClientError) => e.context.status === 404,
    );
    sim.setDisabled("submitPoolAttestationsV2", 405);
    await assert.rejects(
      api.submitPoolAttestationsV2({ version: "electra", body: [] }),
      (e: ApiClientError) => e.context.status === 405,
    );
    sim.setDisabled("submitPoolAttestationsV2", undefined);

    sim.setDown(true);
    await assert.rejects(api.getGenesis(), (e: ApiClientError) => e.context.status === 503);
    sim.setDown(true, "close");
    const fresh = createApiClient(beaconRoutes({ types: sim.types }), { baseUrl: sim.url, timeoutMs: 2000 });
    await assert.rejects(fresh.getGenesis(), (e: ApiClientError) => e.code === "API_CLIENT_NETWORK");
    await fresh.close();
    sim.setDown(false);
    assert.equal((await api.getGenesis()).status, 200);
  });

  it("moves a fork: the spec and the fork at a slot follow", async () => {
    sim.setForkEpoch("fulu", 5);
    assert.equal((await api.getSpec()).data.FULU_FORK_EPOCH, "5");
    assert.equal(sim.forkAtSlot(5 * 8), "fulu");
    assert.equal(sim.forkAtSlot(5 * 8 - 1), "electra");
    sim.setForkEpoch("fulu", Infinity);
  });

  it("moves with its clock", () => {
    nowMs += 6000;
    assert.equal(sim.currentSlot(), 27);
    assert.equal(sim.attestationDueAt(27) - sim.timeAtSlot(27), 1999);
  });
});
