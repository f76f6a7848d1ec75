// The node's status line: previous-epoch target participation read from a head state (altair+ flags and phase0
// pending attestations) on a real test chain where a known share of each committee attests, and the line's format.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatStatusLine, previousEpochParticipation } from "@sextant/beacon/node/status";
import type { ForkName } from "@sextant/consensus/params/index";
import { attestAt, proposeAt, startTestChain } from "../../../support/devChain.ts";

const VALIDATORS = 64;

/** Epoch 0: every slot's committees attest with `share`, blocks at slots 1..9 include them. */
async function participationAfterEpoch0(fork: ForkName, share: number) {
  const t = await startTestChain({ validators: VALIDATORS, fork });
  try {
    const spe = t.config.preset.SLOTS_PER_EPOCH;
    const atGenesis = previousEpochParticipation(t.chain.headState());
    let attesters = 0;
    t.setTime(0, 4000);
    attesters += attestAt(t, 0, share);
    for (let slot = 1; slot <= spe + 1; slot++) {
      await proposeAt(t, slot);
      if (slot < spe) attesters += attestAt(t, slot, share);
    }
    const headSlot = t.chain.headState().state.slot;
    return { atGenesis, after: previousEpochParticipation(t.chain.headState()), attesters, headSlot, spe };
  } finally {
    await t.close();
  }
}

for (const fork of ["fulu", "phase0"] as const) {
  describe(`previousEpochParticipation (${fork})`, () => {
    it("is the share of the active balance that attested to epoch 0's target", async () => {
      const { atGenesis, after, attesters, headSlot, spe } = await participationAfterEpoch0(fork, 0.5);
      // The head is in epoch 1: epoch 0 is its previous epoch.
      assert.equal(headSlot, spe + 1);
      // At genesis nothing has attested (phase0 cannot tell before the first slot has a block root).
      if (fork === "phase0") assert.equal(atGenesis, undefined);
      else assert.equal(atGenesis?.ratio, 0);
      assert.ok(after !== undefined);
      assert.equal(after.epoch, 0);
      assert.equal(after.activeIncrements, VALIDATORS * 32);
      assert.ok(attesters > 0 && attesters < VALIDATORS, `attesters ${attesters}`);
      assert.equal(after.targetIncrements, attesters * 32);
      assert.equal(after.ratio, attesters / VALIDATORS);
    });
  });
}

describe("formatStatusLine", () => {
  it("shows slot, head, finality, participation and peers", () => {
    const line = formatStatusLine({
      slot: 17,
      headSlot: 17,
      headRoot: `0xab12${"0".repeat(60)}`,
      finalizedEpoch: 1,
      justifiedEpoch: 2,
      participation: 0.987,
      peers: 0,
    });
    assert.equal(line, "slot 17 · head 17 0xab12… · finalized epoch 1 · justified 2 · participation 98% · peers 0");
  });
  it("marks unknown participation and an optimistic head", () => {
    const line = formatStatusLine({
      slot: 3,
      headSlot: 1,
      headRoot: "0xffee0000",
      finalizedEpoch: 0,
      justifiedEpoch: 0,
      participation: undefined,
      peers: 2,
      optimistic: true,
    });
    assert.match(line, /head 1 0xffee… \(optimistic\)/);
    assert.match(line, /participation – · peers 2$/);
  });
});
