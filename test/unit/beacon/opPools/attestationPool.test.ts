// The attestation pool: aggregation of disjoint bits with BLS signature aggregation, overlap handling, refusal of
// structurally impossible items, getAggregate per fork, block packing by new participation (a case where a naive
// "first N" pick loses), inclusion windows per fork (altair vs deneb EIP-7045), source matching, electra's
// multi-committee on-chain aggregates, bounded size and pruning.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import { AttestationPool } from "@sextant/beacon/opPools/attestationPool";
import { OpPoolError } from "@sextant/beacon/opPools/errors";
import { aggregateSignatures, signatureFromBytes } from "@sextant/consensus/bls/index";
import type { AttestationData, ElectraAttestation, Phase0Attestation } from "@sextant/consensus/state/accessors";
import { type CachedState, cloneCachedState } from "@sextant/consensus/state/cachedState";
import type { AltairPlusState } from "@sextant/consensus/state/types";
import { processAttestations } from "@sextant/consensus/transition/block/operations/index";
import { acceptingExecutionEngine } from "@sextant/consensus/transition/execution";
import { advanceToSlot } from "@sextant/consensus/transition/produce/index";
import { attestationData, genesisAt, signAttestation, types } from "./support.ts";

const dataRoot = (data: AttestationData) => types.phase0.AttestationData.hashTreeRoot(data);

/** A phase0-format attestation of `positions` of committee data.index, signed by those members. */
function attestation(cs: CachedState, data: AttestationData, positions: number[]): Phase0Attestation {
  const committee = cs.ctx.getBeaconCommittee(data.slot, data.index);
  const bools = Array.from(committee, (_, i) => positions.includes(i));
  const sigs = positions.map((p) => signAttestation(cs, data, committee[p]));
  return {
    aggregationBits: BitArray.fromBoolArray(bools),
    data,
    signature: aggregateSignatures(sigs).toBytes(true),
  };
}

function isError(e: unknown): boolean {
  return e instanceof OpPoolError && e.code === "INVALID_ITEM";
}

/** Σ participation flag weights over the registry after processing `atts` on a copy of `cs`. */
function participationAfter(cs: CachedState, atts: readonly Phase0Attestation[]): number {
  const copy = cloneCachedState(cs);
  processAttestations(copy, atts, { executionEngine: acceptingExecutionEngine, signatureSets: null });
  const state = copy.state as AltairPlusState;
  let sum = 0;
  const weights = [14, 26, 14];
  for (const list of [state.previousEpochParticipation, state.currentEpochParticipation]) {
    for (let i = 0; i < list.length; i++) {
      const f = list.get(i);
      for (let b = 0; b < 3; b++) if (f & (1 << b)) sum += weights[b];
    }
  }
  return sum;
}

describe("AttestationPool aggregation", () => {
  const { config, cs: g } = genesisAt("altair");
  const s1 = advanceToSlot(g, 1);

  it("merges unaggregated attestations of disjoint bits into one aggregate with the aggregate signature", () => {
    const pool = new AttestationPool(config);
    const data = attestationData(s1, 0);
    const committee = s1.ctx.getBeaconCommittee(1, 0);
    assert.equal(committee.length, 4);
    const singles = [0, 1, 2, 3].map((p) => attestation(s1, data, [p]));
    assert.equal(pool.add(singles[0]), "added");
    for (const a of singles.slice(1)) assert.equal(pool.add(a), "merged");
    assert.equal(pool.add(singles[2]), "known");
    const agg = pool.getAggregate(1, dataRoot(data)) as Phase0Attestation;
    assert.ok(agg);
    assert.deepEqual(agg.aggregationBits.getTrueBitIndexes(), [0, 1, 2, 3]);
    const expected = aggregateSignatures(singles.map((a) => a.signature)).toBytes(true);
    assert.deepEqual(agg.signature, expected);
    assert.deepEqual(pool.size(), { slots: 1, data: 1, aggregates: 1 });
    assert.equal(pool.getAggregate(1, new Uint8Array(32)), null);
  });

  it("keeps overlapping aggregates apart, drops the ones a newer aggregate covers", () => {
    const pool = new AttestationPool(config);
    const data = attestationData(s1, 1);
    assert.equal(pool.add(attestation(s1, data, [0, 1])), "added");
    assert.equal(pool.add(attestation(s1, data, [1, 2])), "added");
    assert.equal(pool.size().aggregates, 2);
    assert.equal(pool.add(attestation(s1, data, [1])), "known");
    assert.equal(pool.add(attestation(s1, data, [0, 1, 2])), "added");
    assert.equal(pool.size().aggregates, 1);
    const best = pool.getAggregate(1, dataRoot(data)) as Phase0Attestation;
    assert.deepEqual(best.aggregationBits.getTrueBitIndexes(), [0, 1, 2]);
  });

  it("refuses structurally impossible attestations with a clear error", () => {
    const pool = new AttestationPool(config);
    const data = attestationData(s1, 0);
    const good = attestation(s1, data, [0]);
    assert.throws(() => pool.add({ ...good, aggregationBits: BitArray.fromBitLen(4) }), isError, "no bit set");
    assert.throws(
      () => pool.add({ ...good, data: { ...data, index: config.preset.MAX_COMMITTEES_PER_SLOT } }),
      isError,
      "committee index",
    );
    assert.throws(
      () =>
        pool.add({
          ...good,
          aggregationBits: BitArray.fromSingleBit(config.preset.MAX_VALIDATORS_PER_COMMITTEE + 1, 0),
        }),
      isError,
      "too many bits",
    );
    assert.throws(() => pool.add(good, () => 5), isError, "committee size mismatch");
    assert.throws(() => pool.add({ ...good, signature: new Uint8Array(96).fill(1) }), isError, "signature");
    const withCommitteeBits = { ...good, committeeBits: BitArray.fromSingleBit(4, 0) } as ElectraAttestation;
    assert.throws(() => pool.add(withCommitteeBits), isError, "electra format before electra");
    pool.add(good);
    assert.throws(() => pool.add({ ...good, aggregationBits: BitArray.fromSingleBit(5, 0) }), isError, "length change");
    assert.throws(
      () => pool.addSingle({ committeeIndex: 0, attesterIndex: 1, data, signature: good.signature }, [1, 2]),
      isError,
      "single attestation before electra",
    );
  });

  it("prunes old slots and bounds the number of slots", () => {
    const pool = new AttestationPool(config, { maxSlots: 2 });
    const s2 = advanceToSlot(g, 2);
    const s3 = advanceToSlot(g, 3);
    pool.add(attestation(s1, attestationData(s1, 0), [0]));
    pool.add(attestation(s2, attestationData(s2, 0), [0]));
    pool.add(attestation(s3, attestationData(s3, 0), [0]));
    assert.equal(pool.size().slots, 2);
    assert.equal(pool.getAggregate(1, dataRoot(attestationData(s1, 0))), null);
    pool.prune(3);
    assert.equal(pool.size().slots, 1);
    assert.equal(pool.add(attestation(s2, attestationData(s2, 0), [1])), "known");
    assert.equal(pool.size().slots, 1);
  });
});

describe("AttestationPool block packing", () => {
  it("chooses by new participation where a naive first-N pick loses", () => {
    const { config, cs: g } = genesisAt("altair");
    const s1 = advanceToSlot(g, 1);
    const good0 = attestationData(s1, 0);
    const wrongHead = { ...good0, beaconBlockRoot: new Uint8Array(32).fill(0xaa) };
    const good1 = attestationData(s1, 1);
    const pool = new AttestationPool(config);
    // In insertion order: a wrong-head vote of the whole committee 0, the right vote of the same validators, half
    // of committee 1. The first two cover the same validators, so "first two" wastes a slot.
    const x = attestation(s1, wrongHead, [0, 1, 2, 3]);
    const y = attestation(s1, good0, [0, 1, 2, 3]);
    const z = attestation(s1, good1, [0, 1]);
    for (const a of [x, y, z]) pool.add(a);
    const pre = advanceToSlot(g, 2);
    const chosen = pool.getAttestationsForBlock(pre, { maxAttestations: 2 }) as Phase0Attestation[];
    assert.equal(chosen.length, 2);
    const roots = chosen.map((a) => Buffer.from(dataRoot(a.data)).toString("hex")).sort();
    const expected = [good0, good1].map((d) => Buffer.from(dataRoot(d)).toString("hex")).sort();
    assert.deepEqual(roots, expected);
    assert.ok(participationAfter(pre, chosen) > participationAfter(pre, [x, y]), "greedy beats first-N");
    // With room for all three, the wrong-head vote adds nothing once the right one is in: it is left out.
    assert.equal(pool.getAttestationsForBlock(pre).length, 2);
  });

  it("skips votes whose flags the state already has", () => {
    const { config, cs: g } = genesisAt("altair");
    const s1 = advanceToSlot(g, 1);
    const pool = new AttestationPool(config);
    const full = attestation(s1, attestationData(s1, 0), [0, 1, 2, 3]);
    const half = attestation(s1, attestationData(s1, 1), [0, 1]);
    pool.add(full);
    pool.add(half);
    const pre = advanceToSlot(g, 2);
    processAttestations(pre, [full], { executionEngine: acceptingExecutionEngine, signatureSets: null });
    const chosen = pool.getAttestationsForBlock(pre, { maxAttestations: 1 }) as Phase0Attestation[];
    assert.equal(chosen.length, 1);
    assert.equal(chosen[0].data.index, 1);
    assert.equal(pool.getAttestationsForBlock(pre).length, 1);
  });

  it("phase0 counts validators not yet in the pending attestations", () => {
    const { config, cs: g } = genesisAt("phase0");
    const s1 = advanceToSlot(g, 1);
    const pool = new AttestationPool(config);
    const full = attestation(s1, attestationData(s1, 0), [0, 1, 2, 3]);
    pool.add(full);
    pool.add(attestation(s1, attestationData(s1, 1), [2]));
    const pre = advanceToSlot(g, 2);
    assert.equal(pool.getAttestationsForBlock(pre).length, 2);
    processAttestations(pre, [full], { executionEngine: acceptingExecutionEngine, signatureSets: null });
    const chosen = pool.getAttestationsForBlock(pre) as Phase0Attestation[];
    assert.deepEqual(
      chosen.map((a) => a.data.index),
      [1],
    );
  });

  for (const fork of ["altair", "deneb"] as const) {
    it(`${fork}: inclusion window and target epochs`, () => {
      const { config, cs: g } = genesisAt(fork);
      const s1 = advanceToSlot(g, 1);
      const pool = new AttestationPool(config);
      pool.add(attestation(s1, attestationData(s1, 0), [0, 1]));
      const count = (slot: number) => pool.getAttestationsForBlock(advanceToSlot(g, slot)).length;
      assert.equal(count(1), 0, "same slot: before MIN_ATTESTATION_INCLUSION_DELAY");
      assert.equal(count(2), 1);
      assert.equal(count(9), 1, "data.slot + SLOTS_PER_EPOCH");
      assert.equal(count(10), fork === "deneb" ? 1 : 0, "EIP-7045 lifts the upper bound from deneb on");
      assert.equal(count(15), fork === "deneb" ? 1 : 0);
      assert.equal(count(16), 0, "target epoch older than the previous epoch");
    });
  }

  it("leaves out data whose source is not the justified checkpoint", () => {
    const { config, cs: g } = genesisAt("altair");
    const s1 = advanceToSlot(g, 1);
    const pool = new AttestationPool(config);
    const bad = attestationData(s1, 0, { epoch: 0, root: new Uint8Array(32).fill(0x11) });
    pool.add(attestation(s1, bad, [0, 1]));
    assert.equal(pool.getAttestationsForBlock(advanceToSlot(g, 2)).length, 0);
    pool.add(attestation(s1, attestationData(s1, 0), [0]));
    assert.equal(pool.getAttestationsForBlock(advanceToSlot(g, 2)).length, 1);
  });
});

describe("AttestationPool electra", () => {
  const { config, cs: g } = genesisAt("electra");
  const s1 = advanceToSlot(g, 1);

  it("aggregates SingleAttestations per committee and combines committees of one data in a block", () => {
    const pool = new AttestationPool(config);
    const data = attestationData(s1, 0);
    const sigs: Uint8Array[][] = [[], []];
    for (const committeeIndex of [0, 1]) {
      const committee = s1.ctx.getBeaconCommittee(1, committeeIndex);
      for (const attesterIndex of committee) {
        const signature = signAttestation(s1, data, attesterIndex);
        sigs[committeeIndex].push(signature);
        pool.addSingle({ committeeIndex, attesterIndex, data, signature }, committee);
      }
    }
    assert.deepEqual(pool.size(), { slots: 1, data: 1, aggregates: 2 });
    assert.throws(
      () => pool.getAggregate(1, dataRoot(data)),
      (e: unknown) => e instanceof OpPoolError && e.code === "INVALID_REQUEST",
    );
    const agg1 = pool.getAggregate(1, dataRoot(data), 1) as ElectraAttestation;
    assert.deepEqual(agg1.committeeBits.getTrueBitIndexes(), [1]);
    assert.equal(agg1.aggregationBits.bitLen, 4);
    assert.deepEqual(agg1.signature, aggregateSignatures(sigs[1]).toBytes(true));
    // A gossip aggregate of committee 0 (one committee bit) is known already.
    const agg0 = pool.getAggregate(1, dataRoot(data), 0) as ElectraAttestation;
    assert.equal(pool.add(agg0), "known");

    const chosen = pool.getAttestationsForBlock(advanceToSlot(g, 2)) as ElectraAttestation[];
    assert.equal(chosen.length, 1);
    assert.deepEqual(chosen[0].committeeBits.getTrueBitIndexes(), [0, 1]);
    assert.equal(chosen[0].aggregationBits.bitLen, 8);
    assert.equal(chosen[0].aggregationBits.getTrueBitIndexes().length, 8);
    assert.deepEqual(chosen[0].signature, aggregateSignatures([...sigs[0], ...sigs[1]]).toBytes(true));
    signatureFromBytes(chosen[0].signature);
  });

  it("refuses electra items that cannot be right", () => {
    const pool = new AttestationPool(config);
    const data = attestationData(s1, 0);
    const committee = s1.ctx.getBeaconCommittee(1, 0);
    const signature = signAttestation(s1, data, committee[0]);
    const notMember = 63 - [...Array(64).keys()].reverse().findIndex((i) => !committee.includes(i));
    assert.throws(
      () => pool.addSingle({ committeeIndex: 0, attesterIndex: notMember, data, signature }, committee),
      isError,
    );
    assert.throws(
      () =>
        pool.addSingle(
          { committeeIndex: config.preset.MAX_COMMITTEES_PER_SLOT, attesterIndex: committee[0], data, signature },
          committee,
        ),
      isError,
    );
    assert.throws(
      () =>
        pool.addSingle(
          { committeeIndex: 0, attesterIndex: committee[0], data: { ...data, index: 1 }, signature },
          committee,
        ),
      isError,
    );
    const twoCommittees: ElectraAttestation = {
      aggregationBits: BitArray.fromSingleBit(8, 0),
      data,
      signature,
      committeeBits: BitArray.fromBoolArray([true, true, false, false]),
    };
    assert.throws(() => pool.add(twoCommittees), isError, "multi-committee aggregate");
    const phase0Format: Phase0Attestation = { aggregationBits: BitArray.fromSingleBit(4, 0), data, signature };
    assert.throws(() => pool.add(phase0Format), isError, "phase0 format at an electra slot");
  });

  it("caps a block at MAX_ATTESTATIONS_ELECTRA", () => {
    const pool = new AttestationPool(config);
    // Votes of slots 1…7 and 8…9 (each slot's committees share one data): 9 data > MAX_ATTESTATIONS_ELECTRA = 8.
    for (let slot = 1; slot <= 9; slot++) {
      const s = advanceToSlot(g, slot);
      const data = attestationData(s, 0);
      const committee = s.ctx.getBeaconCommittee(slot, 0);
      pool.addSingle(
        { committeeIndex: 0, attesterIndex: committee[0], data, signature: signAttestation(s, data, committee[0]) },
        committee,
      );
    }
    const chosen = pool.getAttestationsForBlock(advanceToSlot(g, 10));
    assert.equal(chosen.length, config.preset.MAX_ATTESTATIONS_ELECTRA);
  });
});
