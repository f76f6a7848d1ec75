// Differential test of process_epoch against the oracle at mainnet scale (mainnet preset, 16,384 validators):
// electra and fulu with many slashed validators at the correlation-penalty epoch, ejections, deposit queues larger
// than the activation churn (some deposits stay queued) and consolidations past their withdrawable epoch; phase0
// with more validators eligible for activation than the churn allows; altair in an inactivity leak. Each case also
// checks that the step it is about did something (so a case cannot pass vacuously).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ForkName, mainnetChainConfig } from "@sextant/consensus/params/index";
import { getPreset } from "@sextant/consensus/params/presets/index";
import { oracleSkip } from "../support/oracle.ts";
import type { StateBuildOptions } from "../support/stateBuilder.ts";
import { chainAtFork, processEpochBoth } from "../support/transitionFixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: state values are compared field by field
type Any = any;

const preset = getPreset("mainnet");
const VALIDATORS = 16_384;
const FAR = Number.POSITIVE_INFINITY;

/** What changed between the pre-state value and our post-state value. */
interface Effects {
  activations: number;
  exits: number;
  slashingPenalized: number;
  newValidators: number;
  depositsLeft: number;
  consolidationsDone: number;
  finalizedMoved: boolean;
}

async function runCase(fork: ForkName, epoch: number, options: Partial<StateBuildOptions>, seed: number) {
  const chain = chainAtFork(mainnetChainConfig, fork);
  const { built, post } = await processEpochBoth(chain, fork, epoch, { validators: VALIDATORS, seed, ...options });
  const pre: Any = built.value;
  const penaltyEpoch = epoch + preset.EPOCHS_PER_SLASHINGS_VECTOR / 2;
  const effects: Effects = {
    activations: 0,
    exits: 0,
    slashingPenalized: 0,
    newValidators: post.validators.length - pre.validators.length,
    depositsLeft: post.pendingDeposits?.length ?? 0,
    consolidationsDone: (pre.pendingConsolidations?.length ?? 0) - (post.pendingConsolidations?.length ?? 0),
    finalizedMoved: post.finalizedCheckpoint.epoch !== pre.finalizedCheckpoint.epoch,
  };
  for (let i = 0; i < pre.validators.length; i++) {
    const a = pre.validators[i];
    const b = post.validators[i];
    if (a.activationEpoch === FAR && b.activationEpoch !== FAR) effects.activations++;
    if (a.exitEpoch === FAR && b.exitEpoch !== FAR) effects.exits++;
    if (a.slashed && a.withdrawableEpoch === penaltyEpoch && post.balances[i] < pre.balances[i] - 1e9) {
      effects.slashingPenalized++;
    }
  }
  return effects;
}

describe("process_epoch vs oracle (mainnet, 16,384 validators)", { skip: oracleSkip() }, () => {
  it("electra: slashings, ejections, deposit and consolidation queues", async () => {
    const e = await runCase(
      "electra",
      255, // sync committee period, historical summary and eth1 voting period boundary
      {
        slashed: 0.05,
        slashedAtPenaltyEpoch: 0.8,
        slashingsTotalEth: 40_000,
        ejectable: 0.03,
        pending: 0.05,
        pendingDeposits: 60,
        pendingConsolidations: 24,
        eth1BridgePending: false,
      },
      1,
    );
    assert.ok(e.slashingPenalized > 100, `slashing penalties applied to ${e.slashingPenalized}`);
    assert.ok(e.exits > 100, `ejections: ${e.exits}`);
    assert.ok(e.activations > 0, `activations: ${e.activations}`);
    assert.ok(e.depositsLeft > 0, "the deposit queue exceeds the churn: some deposits stay");
    assert.ok(e.newValidators > 0, "deposits of new validators applied");
    assert.ok(e.consolidationsDone > 0, "consolidations processed");
  });

  it("fulu: the same queues, proposer lookahead", async () => {
    const e = await runCase(
      "fulu",
      100,
      {
        slashed: 0.05,
        slashedAtPenaltyEpoch: 0.8,
        slashingsTotalEth: 40_000,
        ejectable: 0.03,
        pendingDeposits: 60,
        pendingConsolidations: 24,
        participation: 0.95,
      },
      2,
    );
    assert.ok(e.slashingPenalized > 100, `slashing penalties applied to ${e.slashingPenalized}`);
    assert.ok(e.exits > 100, `ejections: ${e.exits}`);
    assert.ok(e.depositsLeft > 0, "the deposit queue exceeds the churn: some deposits stay");
    assert.ok(e.consolidationsDone > 0, "consolidations processed");
  });

  it("phase0: activation churn, ejections, slashings", async () => {
    const e = await runCase(
      "phase0",
      63, // eth1 voting period boundary
      { pending: 0.1, ejectable: 0.02, slashed: 0.03, slashedAtPenaltyEpoch: 0.5, slashingsTotalEth: 30_000 },
      3,
    );
    const churn = Math.max(mainnetChainConfig.MIN_PER_EPOCH_CHURN_LIMIT, Math.floor(VALIDATORS / 65536));
    assert.equal(e.activations, churn, "activations limited by the churn");
    assert.ok(e.exits > 100, `ejections: ${e.exits}`);
    assert.ok(e.slashingPenalized > 50, `slashing penalties applied to ${e.slashingPenalized}`);
  });

  it("altair: inactivity leak", async () => {
    const e = await runCase("altair", 300, { finalityLag: 12, participation: 0.6, inactivityScoreMax: 2000 }, 4);
    assert.equal(e.finalizedMoved, false);
  });
});
