// Named scenarios of the test-chain generator. Each is a function of a size option (`long`: the full version,
// for SEXTANT_DIFF_LONG=1 runs) returning a ScenarioSpec. The default set covers every required content kind
// (see coverage.ts) at least once; the long versions run more epochs and the large one 16,384 validators.
import type { ForkName } from "../../../consensus/src/params/index.ts";
import type { ConfigOverrides } from "./env.ts";
import { ETH } from "./genesis.ts";
import type { OpRequest, ScenarioSpec, SlotPlan } from "./types.ts";

/** Size options of a scenario. */
export interface ScenarioSize {
  /** The full-length version (more epochs, more validators where it matters). */
  long?: boolean;
}

/** Minimal preset slots per epoch. */
const SPE = 8;

/** Config that lets exits, withdrawals and consolidations happen within a few epochs of genesis. */
const FAST_EXITS: ConfigOverrides = {
  SHARD_COMMITTEE_PERIOD: 0,
  MIN_VALIDATOR_WITHDRAWABILITY_DELAY: 1,
  // Consolidation churn = balance churn − activation/exit churn: 128 − 64 ETH, enough for one validator per epoch.
  MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA: 128 * ETH,
  MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT: 64 * ETH,
};

/** A plan from a table of slot → plan. */
function table(
  entries: Record<number, SlotPlan>,
  base: (slot: number) => SlotPlan = () => ({}),
): (slot: number) => SlotPlan {
  return (slot) => ({ ...base(slot), ...(entries[slot] ?? {}) });
}

const op = (...ops: OpRequest[]): SlotPlan => ({ ops });

/** phase0 genesis, then one fork per epoch up to fulu, with operations at every fork. */
function forksEveryEpoch(size: ScenarioSize): ScenarioSpec {
  return {
    name: "forks-every-epoch",
    seed: 101,
    genesisFork: "phase0",
    forkEpochs: { altair: 1, bellatrix: 2, capella: 3, deneb: 4, electra: 5, fulu: 6 },
    // Every 8th validator has compounding credentials and 40 ETH (partial withdrawal requests after electra),
    // every 8th+6 has 0x01 credentials (withdrawals from capella on).
    genesisCredentials: (i) => (i % 8 === 7 ? "compounding" : i % 8 === 6 ? "eth1" : "bls"),
    genesisBalance: (i) => (i % 8 === 7 ? 40 * ETH : i % 8 === 6 ? 33 * ETH : 32 * ETH),
    config: FAST_EXITS,
    slots: (size.long ? 12 : 8) * SPE,
    epochBoundarySteps: [3, 7],
    plan: table({
      2: op({ kind: "deposit", count: 2 }, { kind: "deposit", topUp: true }),
      3: op({ kind: "proposer_slashing" }),
      5: op({ kind: "attester_slashing" }),
      10: op({ kind: "voluntary_exit" }),
      12: { inclusionDelay: 3, participation: 0.75 },
      13: { skip: true },
      14: { skip: true },
      20: op({ kind: "attester_slashing", surround: true }),
      25: op({ kind: "bls_change", count: 8 }),
      27: op({ kind: "bls_change", count: 8 }),
      30: { skip: true },
      33: op({ kind: "voluntary_exit" }),
      35: op({ kind: "proposer_slashing" }),
      38: { syncParticipation: 0 },
      41: op({ kind: "deposit_request" }),
      42: op({ kind: "consolidation_request", switchToCompounding: true }),
      43: op({ kind: "withdrawal_request", full: true }),
      44: op({ kind: "consolidation_request" }),
      46: { participation: 0.6, inclusionDelay: 4 },
      50: op({ kind: "withdrawal_request", full: false }),
      51: op({ kind: "deposit_request", topUp: true }),
      53: op({ kind: "attester_slashing", surround: true }),
      55: op({ kind: "voluntary_exit" }),
    }),
  };
}

/** phase0 only: eth1 voting and deposits (new validators and top-ups), slashings, exits, skips, late votes. */
function phase0Ops(size: ScenarioSize): ScenarioSpec {
  return {
    name: "phase0-ops",
    seed: 102,
    genesisFork: "phase0",
    config: { SHARD_COMMITTEE_PERIOD: 0 },
    participation: 0.9,
    slots: (size.long ? 10 : 5) * SPE - 1,
    epochBoundarySteps: [2],
    plan: table({
      1: op({ kind: "deposit", count: 3 }, { kind: "deposit", topUp: true, count: 2 }),
      4: op({ kind: "proposer_slashing" }, { kind: "proposer_slashing" }),
      6: op({ kind: "attester_slashing", validators: 3 }),
      9: { skip: true },
      10: { skip: true },
      11: { skip: true, inclusionDelay: 5 },
      20: op({ kind: "attester_slashing", surround: true }),
      22: op({ kind: "voluntary_exit" }, { kind: "voluntary_exit" }),
      26: { inclusionDelay: 8 },
    }),
  };
}

/** altair genesis: partial participation, partial / full / empty sync aggregates. */
function altairPartial(size: ScenarioSize): ScenarioSpec {
  return {
    name: "altair-partial",
    seed: 103,
    genesisFork: "altair",
    participation: 0.8,
    syncParticipation: 0.6,
    slots: (size.long ? 18 : 4) * SPE,
    plan: (slot) => (slot % 7 === 0 ? { syncParticipation: 0 } : slot % 5 === 0 ? { syncParticipation: 1 } : {}),
  };
}

/** capella genesis: BLS changes, partial withdrawals (balances above 32 ETH) and full ones after exits. */
function capellaWithdrawals(size: ScenarioSize): ScenarioSpec {
  return {
    name: "capella-withdrawals",
    seed: 104,
    genesisFork: "capella",
    genesisCredentials: (i) => (i % 2 === 0 ? "eth1" : "bls"),
    genesisBalance: (i) => (i % 4 === 0 ? 33 * ETH : 32 * ETH),
    config: FAST_EXITS,
    slots: (size.long ? 12 : 8) * SPE,
    plan: table({
      1: op({ kind: "voluntary_exit" }, { kind: "voluntary_exit" }),
      2: op({ kind: "bls_change", count: 16 }),
      3: op({ kind: "bls_change", count: 4 }),
      9: op({ kind: "voluntary_exit" }),
    }),
  };
}

/** electra genesis: deposit, withdrawal and consolidation requests and the pending queues they feed. */
function electraRequests(size: ScenarioSize): ScenarioSpec {
  return {
    name: "electra-requests",
    seed: 105,
    genesisFork: "electra",
    genesisCredentials: (i) => (i % 4 === 1 ? "eth1" : i % 4 === 2 ? "compounding" : "bls"),
    genesisBalance: (i) => (i % 4 === 2 ? 40 * ETH : 32 * ETH),
    config: FAST_EXITS,
    slots: (size.long ? 12 : 7) * SPE,
    plan: table({
      // An eth1 (bridge) deposit before the first deposit request: still processed, into the pending queue.
      1: op({ kind: "deposit" }),
      2: op({ kind: "deposit_request", count: 2 }),
      3: op({ kind: "deposit_request", topUp: true }, { kind: "deposit_request", credentials: "eth1", amountEth: 8 }),
      4: op({ kind: "withdrawal_request", full: true }),
      5: op({ kind: "withdrawal_request", full: false, amountEth: 2 }),
      6: op({ kind: "consolidation_request", switchToCompounding: true }),
      7: op({ kind: "consolidation_request" }),
      9: op({ kind: "bls_change", count: 3 }, { kind: "voluntary_exit" }),
      12: op({ kind: "attester_slashing" }),
      18: op({ kind: "withdrawal_request", full: false }, { kind: "consolidation_request" }),
      21: { participation: 0.7 },
    }),
  };
}

/** fulu genesis (proposer lookahead from genesis): a few epochs with operations and partial participation. */
function fuluGenesis(size: ScenarioSize): ScenarioSpec {
  return {
    name: "fulu-genesis",
    seed: 106,
    genesisFork: "fulu",
    genesisCredentials: (i) => (i % 3 === 0 ? "eth1" : "bls"),
    config: FAST_EXITS,
    participation: 0.85,
    slots: (size.long ? 10 : 3) * SPE,
    epochBoundarySteps: [2],
    plan: table({
      3: op({ kind: "proposer_slashing" }, { kind: "voluntary_exit" }),
      5: op({ kind: "withdrawal_request", full: true }),
      7: op({ kind: "bls_change", count: 2 }),
      10: { skip: true },
    }),
  };
}

/** Participation below 2/3 long enough for an inactivity leak, then full participation and recovery. */
function leakAndRecovery(size: ScenarioSize): ScenarioSpec {
  const leakEpochs = size.long ? 9 : 7;
  return {
    name: "leak-and-recovery",
    seed: 107,
    genesisFork: "deneb",
    slots: (leakEpochs + (size.long ? 8 : 5)) * SPE,
    syncParticipation: 0.5,
    plan: (slot) => (slot < leakEpochs * SPE ? { participation: 0.5 } : { participation: 1 }),
  };
}

/** Skipped slots (runs, across epoch boundaries) and late inclusion, across the deneb → electra upgrade. */
function skipsAndLate(size: ScenarioSize): ScenarioSpec {
  return {
    name: "skips-and-late",
    seed: 108,
    genesisFork: "deneb",
    forkEpochs: { electra: 2 },
    slots: (size.long ? 8 : 4) * SPE,
    epochBoundarySteps: [1, 3],
    plan: table(
      {
        4: { skip: true },
        5: { skip: true },
        6: { skip: true },
        15: { skip: true },
        16: { skip: true },
        17: { skip: true },
        20: { inclusionDelay: 9 },
        21: { inclusionDelay: 6 },
        27: { skip: true },
      },
      (slot) => (slot % 3 === 0 ? { inclusionDelay: 2 + (slot % 5) } : {}),
    ),
  };
}

/** A short chain from genesis at `fork` (genesis coverage of every fork). */
function genesisAt(fork: ForkName): (size: ScenarioSize) => ScenarioSpec {
  return (size) => ({
    name: `genesis-${fork}`,
    seed: 200 + fork.length,
    genesisFork: fork,
    slots: (size.long ? 4 : 1) * SPE,
    participation: 0.9,
  });
}

/** 16,384 validators, phase0 → altair (opt-in). */
function largeValidatorSet(size: ScenarioSize): ScenarioSpec {
  return {
    name: "large-16384",
    seed: 109,
    genesisFork: "phase0",
    forkEpochs: { altair: 1 },
    validatorCount: 16_384,
    slots: (size.long ? 3 : 2) * SPE,
  };
}

/**
 * A long soak (opt-in, SEXTANT_DIFF_LONG=1): `epochs` epochs from a `genesisFork` genesis through every later fork
 * at `forkEpochs`, with a steady mix of what happens on a real chain — participation dipping now and then, skipped
 * slots, late votes, sync aggregates of varying size — and operations spread over time: slashings and exits, BLS
 * changes and deposits before electra, execution-layer requests after it.
 */
function soak(
  name: string,
  seed: number,
  genesisFork: ForkName,
  forkEpochs: Partial<Record<ForkName, number>>,
  epochs: number,
): (size: ScenarioSize) => ScenarioSpec {
  return () => ({
    name,
    seed,
    genesisFork,
    forkEpochs,
    validatorCount: 256,
    genesisCredentials: (i) => (i % 8 === 7 ? "compounding" : i % 8 === 6 ? "eth1" : "bls"),
    genesisBalance: (i) => (i % 8 === 7 ? 40 * ETH : i % 8 === 6 ? 33 * ETH : 32 * ETH),
    config: FAST_EXITS,
    slots: epochs * SPE,
    participation: 0.95,
    syncParticipation: 0.9,
    epochBoundarySteps: [5, 17, 29],
    plan: (slot, fork) => {
      if (slot % 8 === 0 && slot % 40 === 0) return { skip: true };
      const plan: SlotPlan = {};
      if (slot % 23 === 0) plan.skip = true;
      if (slot % 11 === 0) plan.participation = 0.7;
      if (slot % 13 === 0) plan.inclusionDelay = 3;
      if (slot % 17 === 0) plan.syncParticipation = 0.4;
      const ops: OpRequest[] = [];
      const electra = fork === "electra" || fork === "fulu";
      const capella = electra || fork === "capella" || fork === "deneb";
      if (slot % 40 === 11) ops.push({ kind: "proposer_slashing" });
      if (slot % 56 === 19) ops.push({ kind: "attester_slashing", surround: slot % 112 === 19 });
      if (slot % 24 === 5) ops.push({ kind: "voluntary_exit" });
      if (capella && !electra && slot % 32 === 9) ops.push({ kind: "bls_change", count: 2 });
      if (!electra && slot % 64 === 21) ops.push({ kind: "deposit", count: 1 });
      if (electra && slot % 16 === 3) ops.push({ kind: "deposit_request" });
      if (electra && slot % 48 === 7) ops.push({ kind: "withdrawal_request", full: slot % 96 === 7 });
      if (electra && slot % 64 === 13) ops.push({ kind: "consolidation_request" });
      if (ops.length > 0 && !plan.skip) plan.ops = ops;
      return plan;
    },
  });
}

/** Every scenario by name. */
export const SCENARIOS: Record<string, (size: ScenarioSize) => ScenarioSpec> = {
  "forks-every-epoch": forksEveryEpoch,
  "phase0-ops": phase0Ops,
  "altair-partial": altairPartial,
  "capella-withdrawals": capellaWithdrawals,
  "electra-requests": electraRequests,
  "fulu-genesis": fuluGenesis,
  "leak-and-recovery": leakAndRecovery,
  "skips-and-late": skipsAndLate,
  "genesis-bellatrix": genesisAt("bellatrix"),
  "genesis-deneb": genesisAt("deneb"),
  "genesis-electra": genesisAt("electra"),
  "large-16384": largeValidatorSet,
  "soak-phase0-to-fulu": soak(
    "soak-phase0-to-fulu",
    301,
    "phase0",
    {
      altair: 6,
      bellatrix: 12,
      capella: 18,
      deneb: 24,
      electra: 30,
      fulu: 36,
    },
    150,
  ),
  "soak-electra-fulu": soak("soak-electra-fulu", 302, "electra", { fulu: 20 }, 150),
};

/** The opt-in scenarios: only in the long run. */
const LONG_ONLY = new Set(["large-16384", "soak-phase0-to-fulu", "soak-electra-fulu"]);

/** The scenarios of the default (short) self-test and replay: all but the large one. */
export const DEFAULT_SCENARIOS: string[] = Object.keys(SCENARIOS).filter((n) => !LONG_ONLY.has(n));

/** The spec of scenario `name` at `size`; throws on an unknown name. */
export function scenario(name: string, size: ScenarioSize = {}): ScenarioSpec {
  const make = SCENARIOS[name];
  if (!make) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
  return make(size);
}
