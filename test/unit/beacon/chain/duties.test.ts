// Duties from a state's epoch caches: the same duties as the consensus committees say, the next epoch without an
// epoch transition, a refusal (not a transition) for epochs the state cannot answer, and one computation per
// (epoch, dependent root) however many requests arrive.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  computeAttesterDuties,
  computeProposerDuties,
  computeSyncCommittee,
  DutyCaches,
  DutyError,
} from "@sextant/beacon/chain/duties";
import { createDevChainConfig, getPreset } from "@sextant/consensus/params/index";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import { createInteropGenesisState } from "@sextant/consensus/transition/genesis/index";
import { processSlots } from "@sextant/consensus/transition/stateTransition";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";

function genesis(fork: "phase0" | "fulu"): CachedState {
  const never = Number.POSITIVE_INFINITY;
  const chain =
    fork === "fulu"
      ? createDevChainConfig()
      : createDevChainConfig({
          forkEpochs: { altair: never, bellatrix: never, capella: never, deneb: never, electra: never, fulu: never },
        });
  const config: BeaconConfig = { chain, preset: getPreset("minimal"), types: getSszTypes("minimal") };
  return createInteropGenesisState(config, { validatorCount: 64, genesisTime: 1_600_000_000 });
}

describe("duties from epoch caches", () => {
  it("attester duties of the current and next epoch match the committees, and the epoch after is refused", () => {
    const cs = genesis("phase0");
    for (const epoch of [0, 1]) {
      const duties = computeAttesterDuties(cs, epoch);
      assert.equal(duties.size, 64, "every active validator has one duty");
      for (const d of duties.values()) {
        const committee = cs.ctx.getBeaconCommittee(d.slot, d.committeeIndex);
        assert.equal(committee[d.validatorCommitteeIndex], d.validatorIndex);
        assert.equal(committee.length, d.committeeLength);
      }
    }
    assert.throws(
      () => computeAttesterDuties(cs, 2),
      (e: unknown) => e instanceof DutyError && e.code === "EPOCH_OUT_OF_RANGE",
    );
  });

  it("proposer duties: the current epoch; the next one only from fulu's lookahead, equal to what the transition gives", () => {
    const phase0 = genesis("phase0");
    assert.deepEqual([...computeProposerDuties(phase0, 0)], [...phase0.ctx.proposers]);
    assert.throws(() => computeProposerDuties(phase0, 1), /without an epoch transition/);
    const fulu = genesis("fulu");
    const next = computeProposerDuties(fulu, 1);
    const advanced = genesis("fulu");
    processSlots(advanced, advanced.config.preset.SLOTS_PER_EPOCH);
    assert.deepEqual([...next], [...advanced.ctx.proposers]);
  });

  it("sync committees of the current and next period; none before altair", () => {
    const fulu = genesis("fulu");
    assert.equal(computeSyncCommittee(fulu, 0).length, fulu.config.preset.SYNC_COMMITTEE_SIZE);
    const period = fulu.config.preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
    assert.equal(computeSyncCommittee(fulu, period), fulu.ctx.nextSyncCommittee?.indices);
    assert.throws(() => computeSyncCommittee(fulu, 2 * period), /without an epoch transition/);
    assert.throws(() => computeSyncCommittee(genesis("phase0"), 0), /before altair/);
  });

  it("1,000 concurrent duty requests for one (epoch, dependent root) compute once and never advance the state", async () => {
    const cs = genesis("phase0");
    const slotBefore = cs.state.slot;
    const caches = new DutyCaches();
    let stateReads = 0;
    const state = () => {
      stateReads++;
      return cs;
    };
    const root = new Uint8Array(32).fill(9);
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2 ? caches.attesterDuties(1, root, state) : caches.proposerDuties(0, root, state),
      ),
    );
    assert.equal(stateReads, 2, "one computation per key");
    assert.equal(answers.length, 1000);
    assert.equal(cs.state.slot, slotBefore, "no slot or epoch processing happened");
    await assert.rejects(async () => caches.attesterDuties(5, root, state), /without an epoch transition/);
  });
});
