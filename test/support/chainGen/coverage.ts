// Coverage of generated chains: which content kinds (block contents, skipped slots, epoch-boundary slots steps,
// genesis forks, fork upgrades) appeared at which forks, and the list of kinds the default scenario set must
// cover between them.
import type { ForkName } from "../../../consensus/src/params/index.ts";
import type { GeneratedChain } from "./types.ts";

/** Every kind the default scenarios must cover at least once (at any fork unless the name says). */
export const REQUIRED_KINDS: readonly string[] = [
  ...(["phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu"] as const).map((f) => `genesis_${f}`),
  ...(["altair", "bellatrix", "capella", "deneb", "electra", "fulu"] as const).map((f) => `upgrade_${f}`),
  "slots_skipped",
  "slots_epoch_boundary",
  "attestations_phase0",
  "attestations_altair",
  "attestations_partial",
  "attestations_late",
  "attestations_multi_committee",
  "sync_aggregate_full",
  "sync_aggregate_partial",
  "sync_aggregate_empty",
  "eth1_vote_new",
  "deposit_new",
  "deposit_topup",
  "proposer_slashing",
  "attester_slashing_double",
  "attester_slashing_surround",
  "voluntary_exit",
  "merge_transition_payload",
  "execution_payload",
  "bls_to_execution_change",
  "withdrawal_partial",
  "withdrawal_full",
  "deposit_request",
  "deposit_request_topup",
  "withdrawal_request_full",
  "withdrawal_request_partial",
  "consolidation_request",
  "consolidation_request_switch",
  "withdrawal_pending_partial",
  "epoch_pending_deposits_applied",
  "epoch_pending_consolidations_applied",
  "inactivity_leak",
  "inactivity_recovery",
];

/** Kind → the forks it appeared at, over `chains`. */
export function coverageOf(chains: readonly GeneratedChain[]): Map<string, Set<ForkName>> {
  const out = new Map<string, Set<ForkName>>();
  const add = (kind: string, fork: ForkName) => {
    let forks = out.get(kind);
    if (!forks) {
      forks = new Set();
      out.set(kind, forks);
    }
    forks.add(fork);
  };
  for (const chain of chains) {
    add(`genesis_${chain.genesisFork}`, chain.genesisFork);
    let fork = chain.genesisFork;
    for (const step of chain.steps) {
      if (step.fork !== fork) add(`upgrade_${step.fork}`, step.fork);
      fork = step.fork;
      if (step.kind === "block") {
        for (const c of step.contents) add(c, step.fork);
      } else {
        // A slots step onto an epoch's first slot stops right after epoch processing (minimal: 8 slots/epoch).
        add(step.toSlot % 8 === 0 ? "slots_epoch_boundary" : "slots_skipped", step.fork);
      }
    }
  }
  return out;
}

/** Required kinds missing from `coverage`. */
export function missingKinds(coverage: Map<string, Set<ForkName>>): string[] {
  return REQUIRED_KINDS.filter((k) => !coverage.has(k));
}

/** A readable table: one line per kind with its forks. */
export function formatCoverage(coverage: Map<string, Set<ForkName>>): string {
  return [...coverage.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, forks]) => `${kind.padEnd(32)} ${[...forks].join(", ")}`)
    .join("\n");
}
