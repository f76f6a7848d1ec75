// Unrealized checkpoints (compute_pulled_up_tip), differentially, minimal preset: chains generated with the oracle
// at phase0, altair, phase0 → altair and electra → fulu, with an epoch of low participation (nothing justified)
// among fully attested ones (justified, then finalized) and an attester slashing (slashed attesters do not
// count), are replayed through our transition; after every step our computeUnrealizedCheckpoints must equal the
// oracle's (Lodestar's computeUnrealizedCheckpoints on the same state bytes) and running
// processJustificationAndFinalization on a clone, and must leave the state's root unchanged.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parseChainConfigYaml } from "@sextant/consensus/params/index";
import { type CachedState, cloneCachedState, loadCachedState } from "@sextant/consensus/state/cachedState";
import type { StatePhase0 } from "@sextant/consensus/state/types";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { collectEpochData } from "@sextant/consensus/transition/epoch/epochData";
import { processJustificationAndFinalization } from "@sextant/consensus/transition/epoch/justification";
import { type Checkpoint, computeUnrealizedCheckpoints } from "@sextant/consensus/transition/epoch/unrealized";
import { processSlots, stateTransition } from "@sextant/consensus/transition/stateTransition";
import { toHex } from "@sextant/consensus/util/hex";
import { type GeneratedChain, generateChain, type ScenarioSpec } from "../support/chainGen/index.ts";
import { beaconConfigOf, oracleBeaconConfig } from "../support/dualState.ts";
import { loadOracle, type Oracle, oracleSkip } from "../support/oracle.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped in this project
type Any = any;

const SPE = 8;
const skip = oracleSkip();

/**
 * Epochs 0–7, fully attested but for epoch 3 (40%: nothing justified) and epoch 4 (80%, of
 * which a quarter are validators slashed at slot 10 who still attest: 2/3 is reached only if slashed attesters
 * were counted).
 */
function spec(name: string, seed: number, genesisFork: ScenarioSpec["genesisFork"], extra: Partial<ScenarioSpec>) {
  const participation: Record<number, number> = { 3: 0.4, 4: 0.8 };
  return {
    name,
    seed,
    genesisFork,
    slots: 8 * SPE - 1,
    epochBoundarySteps: [2, 4],
    plan: (slot: number) => ({
      participation: participation[Math.floor(slot / SPE)] ?? 1,
      ...(slot === 10 ? { ops: [{ kind: "attester_slashing" as const, validators: 16 }] } : {}),
      ...(slot === 19 ? { inclusionDelay: 3 } : {}),
    }),
    ...extra,
  } satisfies ScenarioSpec;
}

const SPECS: ScenarioSpec[] = [
  spec("unrealized-phase0", 401, "phase0", {}),
  spec("unrealized-altair", 402, "altair", {}),
  // The altair upgrade translates the phase0 pending attestations into participation flags.
  spec("unrealized-phase0-altair", 404, "phase0", { forkEpochs: { altair: 5 } }),
  spec("unrealized-electra-fulu", 403, "electra", { forkEpochs: { fulu: 3 } }),
];

function cp(c: Checkpoint): string {
  return `${c.epoch}/${toHex(c.root)}`;
}

function oracleCp(c: Any): string {
  return `${c.epoch}/${toHex(Uint8Array.from(c.root))}`;
}

/** What the compared cases covered. */
interface Tally {
  cases: number;
  forks: Set<string>;
  /** epoch ≥ 2 and the unrealized justified checkpoint is the state's own (justification not reached). */
  notJustified: number;
  /** the unrealized justified checkpoint is newer than the state's. */
  justified: number;
  /** the unrealized finalized checkpoint is newer than the state's. */
  finalized: number;
  /** states at an epoch's first slot. */
  epochStart: number;
  /** the phase0 duplicated-attestations case ran. */
  duplicated: boolean;
}

/** Compares ours with the oracle and with the epoch-transition step on a clone, for the state `cs`. */
function compare(o: Oracle, oracleConfig: Any, pubkeyCache: Any, cs: CachedState, where: string, t: Tally): void {
  const rootBefore = cs.state.hashTreeRoot();
  const ours = computeUnrealizedCheckpoints(cs);
  assert.deepEqual(cs.state.hashTreeRoot(), rootBefore, `${where}: the state root changed`);

  const bytes = cs.state.serialize();
  const view = o.types.ssz[cs.fork].BeaconState.deserializeToViewDU(bytes);
  const oracleState = o.stateTransition.createCachedBeaconState(view, { config: oracleConfig, pubkeyCache });
  const theirs = o.stEpoch.computeUnrealizedCheckpoints(oracleState);
  assert.equal(cp(ours.justified), oracleCp(theirs.justifiedCheckpoint), `${where}: justified`);
  assert.equal(cp(ours.finalized), oracleCp(theirs.finalizedCheckpoint), `${where}: finalized`);

  const clone = cloneCachedState(cs);
  processJustificationAndFinalization(clone, collectEpochData(clone));
  assert.equal(cp(ours.justified), cp(clone.state.currentJustifiedCheckpoint.toValue()), `${where}: vs clone`);
  assert.equal(cp(ours.finalized), cp(clone.state.finalizedCheckpoint.toValue()), `${where}: vs clone`);

  const epoch = Math.floor(cs.state.slot / SPE);
  const stateJustified = cs.state.currentJustifiedCheckpoint.toValue();
  const stateFinalized = cs.state.finalizedCheckpoint.toValue();
  t.cases++;
  t.forks.add(cs.fork);
  if (cs.state.slot % SPE === 0) t.epochStart++;
  if (ours.justified.epoch > stateJustified.epoch) t.justified++;
  else if (epoch >= 2) t.notJustified++;
  if (ours.finalized.epoch > stateFinalized.epoch) t.finalized++;
}

/**
 * Phase0, at the first state of epoch 4 (epoch 3 attested at 40%) with previous-epoch attestations: the same state
 * with every previous-epoch pending attestation included four times. Attesters count once, so nothing changes
 * (counted four times, the ~20% of unslashed attesters would pass 2/3).
 */
function duplicatedAttestations(o: Oracle, oracleConfig: Any, pubkeyCache: Any, cs: CachedState, t: Tally): boolean {
  if (cs.fork !== "phase0" || Math.floor(cs.state.slot / SPE) !== 4) return false;
  const state = cs.state as StatePhase0;
  if (state.previousEpochAttestations.length === 0) return false;
  const copy = cloneCachedState(cs);
  const list = (copy.state as StatePhase0).previousEpochAttestations;
  const type = cs.config.types.phase0.PendingAttestation;
  for (const att of list.getAllReadonlyValues()) for (let k = 0; k < 3; k++) list.push(type.toViewDU(att));
  const before = computeUnrealizedCheckpoints(cs);
  compare(o, oracleConfig, pubkeyCache, copy, `duplicated attestations at slot ${cs.state.slot}`, t);
  assert.deepEqual(computeUnrealizedCheckpoints(copy), before, "duplicated attestations changed the checkpoints");
  return true;
}

/** Replays `chain` through ours, comparing after every step; returns what was covered. */
function replayAndCompare(o: Oracle, chain: GeneratedChain, t: Tally): void {
  const chainConfig = parseChainConfigYaml(chain.configYaml).config;
  const config = beaconConfigOf(chainConfig);
  const cs = loadCachedState(config, chain.genesisState, chain.genesisFork);
  const oracleConfig = oracleBeaconConfig(o, chainConfig, cs.state.genesisValidatorsRoot);
  const pubkeyCache = o.stateTransition.createPubkeyCache();
  compare(o, oracleConfig, pubkeyCache, cs, `${chain.name} genesis`, t);
  for (const [i, step] of chain.steps.entries()) {
    if (step.kind === "slots") processSlots(cs, step.toSlot);
    else {
      const signed = config.types[step.fork].SignedBeaconBlock.deserialize(step.signedBlock) as AnySignedBeaconBlock;
      stateTransition(cs, signed, { verifySignatures: false });
    }
    assert.deepEqual(cs.state.hashTreeRoot(), step.postStateRoot, `${chain.name} step ${i}: replay diverged`);
    compare(o, oracleConfig, pubkeyCache, cs, `${chain.name} step ${i} (slot ${cs.state.slot}, ${cs.fork})`, t);
    if (!t.duplicated) t.duplicated = duplicatedAttestations(o, oracleConfig, pubkeyCache, cs, t);
  }
}

describe("computeUnrealizedCheckpoints equals the oracle's and the epoch step on a clone", { skip }, () => {
  let o: Oracle;
  const tallies = new Map<string, Tally>();
  before(async () => {
    o = await loadOracle("minimal");
  });

  for (const s of SPECS) {
    it(`${s.name}: every step`, { timeout: 300_000 }, async () => {
      const chain = await generateChain(s);
      const t: Tally = {
        cases: 0,
        forks: new Set(),
        notJustified: 0,
        justified: 0,
        finalized: 0,
        epochStart: 0,
        duplicated: false,
      };
      replayAndCompare(o, chain, t);
      tallies.set(s.name, t);
      assert.ok(t.cases >= 20, `${s.name}: ${t.cases} cases`);
      assert.ok(t.justified > 0, `${s.name}: some state pulls justification up`);
      assert.ok(t.finalized > 0, `${s.name}: some state pulls finalization up`);
      assert.ok(t.notJustified > 0, `${s.name}: some state at epoch ≥ 2 justifies nothing new`);
      assert.ok(t.epochStart > 0, `${s.name}: some state at an epoch's first slot`);
      if (s.genesisFork === "phase0") assert.ok(t.duplicated, "the duplicated-attestations case ran");
    });
  }

  it("covered phase0, altair, electra and fulu states", () => {
    const forks = new Set<string>();
    for (const t of tallies.values()) for (const f of t.forks) forks.add(f);
    for (const f of ["phase0", "altair", "electra", "fulu"]) assert.ok(forks.has(f), `no ${f} state compared`);
    const summary = [...tallies].map(
      ([n, t]) => `${n}: ${t.cases} (${t.justified}j ${t.finalized}f ${t.notJustified}-)`,
    );
    console.log(`# ${summary.join("; ")}`);
  });
});
