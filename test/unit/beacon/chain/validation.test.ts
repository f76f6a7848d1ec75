// Validation of API submissions (chain/validation/), called directly on small test chains: phase0 attestations
// (one bit, slot window, target epoch, committee, signature) and aggregates (selection proof, aggregator, three
// signatures in one batch), altair sync committee messages and contributions, and exits/slashings checked with the
// block-processing rules on a copy of the head state. Accepted items reach the pools, the fork choice and the events;
// repeats are accepted as known; refusals name their reason.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import type { BeaconEvent } from "@sextant/api-spec/routes/events";
import {
  commitOne,
  type Prepared,
  prepareAggregate,
  prepareAttestation,
  prepareContribution,
  prepareSyncCommitteeMessage,
  slotRoot,
  submitProposerSlashing,
  submitVoluntaryExit,
  verifyAndCommit,
} from "@sextant/beacon/chain/validation/index";
import { aggregateSignatures, interopSecretKey } from "@sextant/consensus/bls/index";
import { getSyncCommitteeSeats } from "@sextant/consensus/committees/aggregators";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import {
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_SELECTION_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
  DOMAIN_VOLUNTARY_EXIT,
} from "@sextant/consensus/signing/domainTypes";
import { stateDomain } from "@sextant/consensus/state/accessors";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { fromHex } from "@sextant/consensus/util/hex";
import { proposeAt, startTestChain, type TestChain } from "../../../support/devChain.ts";

function sign(cs: CachedState, validator: number, domainType: Uint8Array, epoch: number, root: Uint8Array): Uint8Array {
  return interopSecretKey(validator)
    .sign(computeSigningRoot(root, stateDomain(cs, domainType as never, epoch)))
    .toBytes();
}

function events(t: TestChain): BeaconEvent[] {
  const got: BeaconEvent[] = [];
  t.chain.events.on((e) => got.push(e));
  return got;
}

function refusedWith(fn: () => unknown, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof Error && reason.test(e.message));
}

describe("attestation and aggregate validation (phase0)", () => {
  let t: TestChain;
  before(async () => {
    t = await startTestChain({ validators: 64, fork: "phase0" });
    for (let slot = 1; slot <= 2; slot++) await proposeAt(t, slot);
    t.setTime(2, 4000);
  });
  after(async () => t?.close());

  function attestationOf(slot: number, position: number, signer?: number) {
    const { chain } = t;
    const cs = chain.headState();
    const committee = cs.ctx.getBeaconCommittee(slot, 0);
    const data = {
      slot,
      index: 0,
      beaconBlockRoot: fromHex(chain.head().root),
      source: cs.state.currentJustifiedCheckpoint.toValue(),
      target: { epoch: 0, root: fromHex(chain.forkChoice.getAncestorRoot(chain.head().root, 0) ?? "") },
    };
    const bits = BitArray.fromBitLen(committee.length);
    bits.set(position, true);
    const root = t.config.types.phase0.AttestationData.hashTreeRoot(data);
    const signature = sign(cs, signer ?? committee[position], DOMAIN_BEACON_ATTESTER, 0, root);
    return { attestation: { aggregationBits: bits, data, signature }, committee, cs, root };
  }

  it("accepts a one-bit attestation into the pool, the fork choice and the events; a repeat is known", () => {
    const got = events(t);
    const votes: number[][] = [];
    const fc = t.chain.forkChoice;
    const original = fc.onAttestation.bind(fc);
    fc.onAttestation = (vote, indices, isFromBlock) => {
      votes.push(Array.from(indices));
      original(vote, indices, isFromBlock);
    };
    const { attestation, root, committee } = attestationOf(2, 0);
    try {
      commitOne(prepareAttestation(t.chain, attestation));
    } finally {
      fc.onAttestation = original;
    }
    assert.deepEqual(votes, [[committee[0]]], "the attester's vote reached the fork choice");
    assert.equal(t.chain.attestationPool.getAggregate(2, root)?.aggregationBits.getTrueBitIndexes().length, 1);
    assert.deepEqual(
      got.map((e) => e.topic),
      ["attestation"],
    );
    const repeat = prepareAttestation(t.chain, attestation);
    assert.equal(repeat.sets.length, 0, "seen before: accepted without checks");
  });

  it("refuses two bits, a future slot, a wrong target epoch, an unknown root, a bad signature", () => {
    const { attestation, committee } = attestationOf(2, 1);
    const twoBits = { ...attestation, aggregationBits: BitArray.fromBoolArray(Array.from(committee, (_, i) => i < 2)) };
    refusedWith(() => prepareAttestation(t.chain, twoBits), /exactly one aggregation bit/);
    refusedWith(
      () => prepareAttestation(t.chain, { ...attestation, data: { ...attestation.data, slot: 3 } }),
      /future/,
    );
    refusedWith(
      () =>
        prepareAttestation(t.chain, {
          ...attestation,
          data: { ...attestation.data, target: { ...attestation.data.target, epoch: 1 } },
        }),
      /target epoch/,
    );
    refusedWith(
      () =>
        prepareAttestation(t.chain, {
          ...attestation,
          data: { ...attestation.data, beaconBlockRoot: new Uint8Array(32).fill(3) },
        }),
      /unknown block/,
    );
    refusedWith(
      () => prepareAttestation(t.chain, { ...attestation, data: { ...attestation.data, index: 5 } }),
      /wrong committee/,
    );
    const forged = attestationOf(2, 2, 63);
    const [failure] = verifyAndCommit([prepareAttestation(t.chain, forged.attestation)]);
    assert.match(failure?.message ?? "", /invalid signature/);
  });

  it("checks an aggregate's selection proof, aggregator and three signatures in one batch", () => {
    const { chain, config } = t;
    const cs = chain.headState();
    const slot = 1;
    const committee = cs.ctx.getBeaconCommittee(slot, 0);
    const data = {
      slot,
      index: 0,
      beaconBlockRoot: fromHex(chain.forkChoice.getAncestorRoot(chain.head().root, 1) ?? ""),
      source: cs.state.currentJustifiedCheckpoint.toValue(),
      target: { epoch: 0, root: fromHex(chain.forkChoice.getAncestorRoot(chain.head().root, 0) ?? "") },
    };
    const dataRoot = config.types.phase0.AttestationData.hashTreeRoot(data);
    const aggregationBits = BitArray.fromBoolArray(Array.from(committee, () => true));
    const signature = aggregateSignatures(
      Array.from(committee, (v) =>
        interopSecretKey(v).sign(computeSigningRoot(dataRoot, stateDomain(cs, DOMAIN_BEACON_ATTESTER, 0))),
      ),
    ).toBytes();
    // Minimal committees are smaller than TARGET_AGGREGATORS_PER_COMMITTEE: every member is selected.
    const aggregator = committee[0];
    const message = {
      aggregatorIndex: aggregator,
      aggregate: { aggregationBits, data, signature },
      selectionProof: sign(cs, aggregator, DOMAIN_SELECTION_PROOF, 0, slotRoot(slot)),
    };
    const signed = {
      message,
      signature: sign(
        cs,
        aggregator,
        DOMAIN_AGGREGATE_AND_PROOF,
        0,
        config.types.phase0.AggregateAndProof.hashTreeRoot(message),
      ),
    };
    const badProof = {
      ...signed,
      message: { ...message, selectionProof: sign(cs, aggregator, DOMAIN_SELECTION_PROOF, 0, slotRoot(slot + 1)) },
    };
    const outsider = Array.from({ length: 64 }, (_, i) => i).find((i) => !committee.includes(i)) ?? -1;
    refusedWith(
      () => prepareAggregate(chain, { ...signed, message: { ...message, aggregatorIndex: outsider } }),
      /aggregator .* is not in committee/,
    );
    const prepared: Prepared[] = [prepareAggregate(chain, badProof), prepareAggregate(chain, signed)];
    assert.equal(prepared[1].sets.length, 3);
    const results = verifyAndCommit(prepared);
    assert.match(results[0]?.message ?? "", /selection proof/);
    assert.equal(results[1], undefined);
    assert.equal(
      chain.attestationPool.getAggregate(slot, dataRoot)?.aggregationBits.getTrueBitIndexes().length,
      committee.length,
    );
  });

  it("exits and slashings are checked with the block rules on the head state", () => {
    const { chain, config } = t;
    const cs = chain.headState();
    const exit: { message: { epoch: number; validatorIndex: number }; signature: Uint8Array } = {
      message: { epoch: 0, validatorIndex: 5 },
      signature: new Uint8Array(96),
    };
    exit.signature = sign(
      cs,
      5,
      DOMAIN_VOLUNTARY_EXIT,
      0,
      config.types.phase0.VoluntaryExit.hashTreeRoot(exit.message),
    );
    refusedWith(() => submitVoluntaryExit(chain, exit), /SHARD_COMMITTEE_PERIOD/);
    const got = events(t);
    const header = (bodyByte: number) => {
      const message = {
        slot: 1,
        proposerIndex: 9,
        parentRoot: new Uint8Array(32),
        stateRoot: new Uint8Array(32),
        bodyRoot: new Uint8Array(32).fill(bodyByte),
      };
      return {
        message,
        signature: sign(cs, 9, DOMAIN_BEACON_PROPOSER, 0, config.types.phase0.BeaconBlockHeader.hashTreeRoot(message)),
      };
    };
    const slashing = { signedHeader1: header(1), signedHeader2: header(2) };
    assert.equal(submitProposerSlashing(chain, slashing), "added");
    assert.equal(submitProposerSlashing(chain, slashing), "known");
    assert.deepEqual(
      got.map((e) => e.topic),
      ["proposer_slashing"],
    );
    const forged = { signedHeader1: header(1), signedHeader2: { ...header(3), signature: header(1).signature } };
    refusedWith(
      () =>
        submitProposerSlashing(chain, {
          ...forged,
          signedHeader1: { ...forged.signedHeader1, message: { ...forged.signedHeader1.message, proposerIndex: 10 } },
        }),
      /invalid/,
    );
  });
});

describe("sync committee validation (altair)", () => {
  let t: TestChain;
  before(async () => {
    t = await startTestChain({ validators: 64, fork: "altair" });
    await proposeAt(t, 1);
    t.setTime(1, 4000);
  });
  after(async () => t?.close());

  it("accepts members' messages at their seats and refuses non-members and bad signatures", () => {
    const { chain } = t;
    const cs = chain.headState();
    const indices = cs.ctx.currentSyncCommittee?.indices ?? new Uint32Array();
    const member = indices[0];
    const root = fromHex(chain.head().root);
    const message = {
      slot: 1,
      beaconBlockRoot: root,
      validatorIndex: member,
      signature: sign(cs, member, DOMAIN_SYNC_COMMITTEE, 0, root),
    };
    commitOne(prepareSyncCommitteeMessage(chain, message));
    const seats = getSyncCommitteeSeats(indices, member, t.config.preset);
    const c = chain.syncMessagePool.getContribution(1, root, seats[0].subcommitteeIndex);
    assert.ok(c?.aggregationBits.get(seats[0].indexInSubcommittee));
    const outsider = Array.from({ length: 64 }, (_, i) => i).find((i) => !indices.includes(i));
    if (outsider !== undefined) {
      refusedWith(
        () => prepareSyncCommitteeMessage(chain, { ...message, validatorIndex: outsider }),
        /not in the sync committee/,
      );
    }
    const other = indices.find((v) => v !== member) ?? member;
    const [bad] = verifyAndCommit([prepareSyncCommitteeMessage(chain, { ...message, validatorIndex: other })]);
    assert.match(bad?.message ?? "", /invalid signature/);
  });

  it("checks a contribution's selection proof, aggregator and aggregate signature", () => {
    const { chain, config } = t;
    const cs = chain.headState();
    const indices = cs.ctx.currentSyncCommittee?.indices ?? new Uint32Array();
    const size = config.preset.SYNC_COMMITTEE_SIZE / 4;
    const sub = Array.from(indices.subarray(0, size));
    const root = fromHex(chain.head().root);
    const domainRoot = computeSigningRoot(root, stateDomain(cs, DOMAIN_SYNC_COMMITTEE, 0));
    const contribution = {
      slot: 1,
      beaconBlockRoot: root,
      subcommitteeIndex: 0,
      aggregationBits: BitArray.fromBoolArray(sub.map(() => true)),
      signature: aggregateSignatures(sub.map((v) => interopSecretKey(v).sign(domainRoot))).toBytes(),
    };
    const aggregator = sub[0];
    const selectionRoot = config.types.altair.SyncAggregatorSelectionData.hashTreeRoot({
      slot: 1,
      subcommitteeIndex: 0,
    });
    const message = {
      aggregatorIndex: aggregator,
      contribution,
      selectionProof: sign(cs, aggregator, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, 0, selectionRoot),
    };
    const signed = {
      message,
      signature: sign(
        cs,
        aggregator,
        DOMAIN_CONTRIBUTION_AND_PROOF,
        0,
        config.types.altair.ContributionAndProof.hashTreeRoot(message),
      ),
    };
    const got = events(t);
    // A contribution whose aggregate signature is not the members' (correctly signed by the aggregator otherwise).
    const forgedMessage = { ...message, contribution: { ...contribution, signature: message.selectionProof } };
    const forged = {
      message: forgedMessage,
      signature: sign(
        cs,
        aggregator,
        DOMAIN_CONTRIBUTION_AND_PROOF,
        0,
        config.types.altair.ContributionAndProof.hashTreeRoot(forgedMessage),
      ),
    };
    const [bad] = verifyAndCommit([prepareContribution(chain, forged)]);
    assert.match(bad?.message ?? "", /invalid contribution signature/);
    commitOne(prepareContribution(chain, signed));
    assert.deepEqual(
      got.map((e) => e.topic),
      ["contribution_and_proof"],
    );
    const aggregate = chain.syncContributionPool.getSyncAggregate(1, root);
    assert.equal(aggregate.syncCommitteeBits.getTrueBitIndexes().length, new Set(sub.map((_, i) => i)).size);
  });
});
