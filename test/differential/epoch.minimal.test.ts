// Differential test of process_epoch (consensus/src/transition/epoch) against the oracle's processEpoch, minimal
// preset, every fork phase0 … fulu: random-but-valid states (test/support/stateBuilder.ts) at the last slot of an
// epoch, with inactivity leaks, sync-committee / historical / eth1-voting boundaries, slashings at the penalty
// epoch, ejections, activation queues and electra's deposit and consolidation queues. The post-state roots must
// be equal; on a mismatch the differing top-level fields are named.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FORK_NAMES, type ForkName, minimalChainConfig } from "@sextant/consensus/params/index";
import { getPreset } from "@sextant/consensus/params/presets/index";
import { processSlots } from "@sextant/consensus/transition/stateTransition";
import { loadDualState } from "../support/dualState.ts";
import { oracleSkip } from "../support/oracle.ts";
import { buildState, differingFields, lastSlotOfEpoch, type StateBuildOptions } from "../support/stateBuilder.ts";
import { chainAtFork, processEpochBoth } from "../support/transitionFixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: state values are compared field by field
type Any = any;

const preset = getPreset("minimal");

/** Builds the state, runs process_epoch in both implementations, compares the results and says what it did. */
async function runCase(fork: ForkName, epoch: number, options: Partial<StateBuildOptions>, seed: number) {
  const { built, post } = await processEpochBoth(chainAtFork(minimalChainConfig, fork), fork, epoch, {
    validators: 64,
    seed,
    ...options,
  });
  return effectsOf(built.value, post, epoch);
}

/** What a case's epoch transition did (summed per fork to show the cases exercise every step). */
interface Effects {
  activations: number;
  queued: number;
  exits: number;
  slashingPenalized: number;
  finalizedMoved: number;
  justifiedMoved: number;
  syncRotated: number;
  historyAppended: number;
  newValidators: number;
  depositsApplied: number;
  consolidationsDone: number;
  effectiveBalanceChanges: number;
}

const FAR = Number.POSITIVE_INFINITY;

function effectsOf(pre: Any, post: Any, epoch: number): Effects {
  const penaltyEpoch = epoch + preset.EPOCHS_PER_SLASHINGS_VECTOR / 2;
  const e: Effects = {
    activations: 0,
    queued: 0,
    exits: 0,
    slashingPenalized: 0,
    finalizedMoved: Number(post.finalizedCheckpoint.epoch !== pre.finalizedCheckpoint.epoch),
    justifiedMoved: Number(post.currentJustifiedCheckpoint.epoch !== pre.currentJustifiedCheckpoint.epoch),
    syncRotated: Number(
      pre.nextSyncCommittee !== undefined &&
        Buffer.compare(post.currentSyncCommittee.aggregatePubkey, pre.nextSyncCommittee.aggregatePubkey) === 0,
    ),
    historyAppended:
      (post.historicalSummaries?.length ?? post.historicalRoots.length) -
      (pre.historicalSummaries?.length ?? pre.historicalRoots.length),
    newValidators: post.validators.length - pre.validators.length,
    depositsApplied: (pre.pendingDeposits?.length ?? 0) - (post.pendingDeposits?.length ?? 0),
    consolidationsDone: (pre.pendingConsolidations?.length ?? 0) - (post.pendingConsolidations?.length ?? 0),
    effectiveBalanceChanges: 0,
  };
  for (let i = 0; i < pre.validators.length; i++) {
    const a = pre.validators[i];
    const b = post.validators[i];
    if (a.activationEpoch === FAR && b.activationEpoch !== FAR) e.activations++;
    if (a.activationEligibilityEpoch === FAR && b.activationEligibilityEpoch !== FAR) e.queued++;
    if (a.exitEpoch === FAR && b.exitEpoch !== FAR) e.exits++;
    if (a.effectiveBalance !== b.effectiveBalance) e.effectiveBalanceChanges++;
    if (a.slashed && a.withdrawableEpoch === penaltyEpoch && post.balances[i] < pre.balances[i] - 1e9) {
      e.slashingPenalized++;
    }
  }
  return e;
}

/** The cases run for every fork: epoch and options. */
const CASES: { name: string; epoch: number; options: Partial<StateBuildOptions> }[] = [
  { name: "plain epoch", epoch: 5, options: {} },
  { name: "sync period, historical and eth1 boundary", epoch: 7, options: {} },
  { name: "eth1 voting period reset", epoch: 3, options: { validators: 128 } },
  { name: "genesis+2 (first justification)", epoch: 2, options: { finalityLag: 1 } },
  { name: "inactivity leak", epoch: 12, options: { finalityLag: 8, participation: 0.5, inactivityScoreMax: 500 } },
  {
    name: "deep inactivity leak",
    epoch: 40,
    options: { finalityLag: 30, participation: 0.2, inactivityScoreMax: 5000 },
  },
  { name: "full participation (finalization)", epoch: 9, options: { participation: 1, validators: 256 } },
  { name: "low participation", epoch: 10, options: { participation: 0.3, validators: 96 } },
  {
    name: "many slashed at the penalty epoch",
    epoch: 15,
    options: { slashed: 0.2, slashedAtPenaltyEpoch: 1, slashingsTotalEth: 400 },
  },
  { name: "queues and ejections", epoch: 6, options: { pending: 0.3, ejectable: 0.1, validators: 200 } },
  { name: "large registry", epoch: 23, options: { validators: 512, pendingDeposits: 40, pendingConsolidations: 10 } },
  { name: "historical boundary (no sync boundary)", epoch: 31, options: { validators: 80 } },
];

describe("process_epoch vs oracle (minimal)", { skip: oracleSkip() }, () => {
  for (const fork of FORK_NAMES) {
    describe(fork, () => {
      const totals: Record<string, number> = {};
      CASES.forEach(({ name, epoch, options }, i) => {
        it(name, async () => {
          const effects = await runCase(fork, epoch, options, 1000 * (FORK_NAMES.indexOf(fork) + 1) + i);
          for (const [key, value] of Object.entries(effects)) totals[key] = (totals[key] ?? 0) + value;
        });
      });
      it("the cases exercise every step of the fork", () => {
        const expected = [
          "activations",
          "queued",
          "exits",
          "slashingPenalized",
          "finalizedMoved",
          "justifiedMoved",
          "historyAppended",
          "effectiveBalanceChanges",
        ];
        if (fork !== "phase0") expected.push("syncRotated");
        if (fork === "electra" || fork === "fulu")
          expected.push("newValidators", "depositsApplied", "consolidationsDone");
        for (const key of expected)
          assert.ok((totals[key] ?? 0) > 0, `no case of ${fork} has ${key}: ${JSON.stringify(totals)}`);
      });
    });
  }
});

/** Through processSlots (ours: stateTransition.ts; the oracle's processSlots): two epoch transitions in a row. */
describe("processSlots across two epoch boundaries vs oracle (minimal)", { skip: oracleSkip() }, () => {
  for (const fork of FORK_NAMES) {
    it(fork, async () => {
      const chain = chainAtFork(minimalChainConfig, fork);
      const epoch = 6; // the second transition crosses the sync committee period and historical boundary
      const slot = lastSlotOfEpoch(preset, epoch);
      const built = buildState({ chain, fork, slot, validators: 96, seed: 77 + FORK_NAMES.indexOf(fork) });
      const dual = await loadDualState(chain, fork, built.bytes);
      const target = slot + 1 + preset.SLOTS_PER_EPOCH;
      processSlots(dual.ours, target);
      const oracle = dual.oracleModule.stateTransition.processSlots(dual.oracle, target);
      const diff = differingFields(built.config, fork, dual.ours.state.serialize(), oracle.serialize());
      assert.deepEqual(diff, [], `${fork}: fields differ: ${diff.join("; ")}`);
      assert.deepEqual(dual.ours.state.hashTreeRoot(), oracle.hashTreeRoot());
    });
  }
});
