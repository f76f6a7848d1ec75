// process_slashings: the correlation penalty of validators halfway to their withdrawable epoch after a slashing,
// with the fork's PROPORTIONAL_SLASHING_MULTIPLIER; electra computes a penalty per effective-balance increment
// first. Totals are BigInt (the sum of the slashings vector times the multiplier is unbounded by 2**53).
import type { CachedState } from "../../state/cachedState.ts";
import { atLeast } from "../../state/types.ts";
import type { EpochData } from "./epochData.ts";

/** The fork's PROPORTIONAL_SLASHING_MULTIPLIER. */
export function proportionalSlashingMultiplier(cs: CachedState): number {
  const { preset } = cs.config;
  if (atLeast(cs.fork, "bellatrix")) return preset.PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX;
  if (atLeast(cs.fork, "altair")) return preset.PROPORTIONAL_SLASHING_MULTIPLIER_ALTAIR;
  return preset.PROPORTIONAL_SLASHING_MULTIPLIER;
}

/** `process_slashings(state)` on `balances` (updated in place). Returns true when a balance changed. */
export function processSlashings(cs: CachedState, data: EpochData, balances: number[]): boolean {
  if (data.slashingCandidates.length === 0) return false;
  const increment = BigInt(cs.config.preset.EFFECTIVE_BALANCE_INCREMENT);
  const totalIncrements = BigInt(cs.ctx.totalActiveIncrements);
  const totalBalance = totalIncrements * increment;
  let sum = 0n;
  for (const amount of cs.state.slashings.getAll()) sum += BigInt(amount);
  const scaled = sum * BigInt(proportionalSlashingMultiplier(cs));
  const adjusted = scaled < totalBalance ? scaled : totalBalance;
  const electra = atLeast(cs.fork, "electra");
  const perIncrement = adjusted / totalIncrements;
  // Penalties depend only on the effective balance: computed once per increment value.
  const penaltyByIncrements = new Map<number, number>();
  let changed = false;
  for (const index of data.slashingCandidates) {
    const inc = data.increments[index];
    let penalty = penaltyByIncrements.get(inc);
    if (penalty === undefined) {
      penalty = electra
        ? Number(perIncrement * BigInt(inc))
        : Number(((BigInt(inc) * adjusted) / totalBalance) * increment);
      penaltyByIncrements.set(inc, penalty);
    }
    if (penalty === 0) continue;
    const balance = balances[index];
    balances[index] = penalty > balance ? 0 : balance - penalty;
    changed = true;
  }
  return changed;
}
