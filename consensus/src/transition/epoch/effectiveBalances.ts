// process_effective_balance_updates (hysteresis; electra's per-credential maximum), as one pass over the
// registry after every balance-changing step. The same pass refreshes the context's increments (what the sync
// committee and proposer sampling read) and, for fulu's lookahead, collects the active set of
// current + MIN_SEED_LOOKAHEAD + 1 (activations of this epoch's registry update already counted).
import { COMPOUNDING_WITHDRAWAL_PREFIX } from "../../params/constants.ts";
import type { Validator } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { atLeast } from "../../state/types.ts";
import { type EpochData, FLAG_ACTIVE_UPCOMING, FLAG_COMPOUNDING } from "./epochData.ts";

/** What the effective-balance pass leaves for the later steps. */
export interface EffectiveBalanceResult {
  /** Active indices at current + MIN_SEED_LOOKAHEAD + 1. */
  readonly activeIndices: Uint32Array;
}

/**
 * `process_effective_balance_updates(state)`. `balances` are the state's current balances (read fresh when
 * null). `data` is the epoch's registry pass: effective balances, credentials and the active set at
 * `data.upcomingEpoch` come from its flat arrays, so the registry is not read again (validators appended during
 * this epoch, beyond `data.count`, are read from the state). Returns the active indices at `data.upcomingEpoch`.
 */
export function processEffectiveBalanceUpdates(
  cs: CachedState,
  balances: number[] | null,
  data: EpochData,
): EffectiveBalanceResult {
  const { state, config } = cs;
  const { preset } = config;
  state.validators.commit();
  const values = balances ?? state.balances.getAll();
  const count = state.validators.length;
  if (values.length !== count) {
    throw new Error(`effective balance update: ${values.length} balances for ${count} validators`);
  }
  const increment = preset.EFFECTIVE_BALANCE_INCREMENT;
  const hysteresis = Math.floor(increment / preset.HYSTERESIS_QUOTIENT);
  const downward = hysteresis * preset.HYSTERESIS_DOWNWARD_MULTIPLIER;
  const upward = hysteresis * preset.HYSTERESIS_UPWARD_MULTIPLIER;
  const electra = atLeast(cs.fork, "electra");
  const maxDefault = preset.MAX_EFFECTIVE_BALANCE;
  const maxCompounding = preset.MAX_EFFECTIVE_BALANCE_ELECTRA;
  const increments = new Uint16Array(count);
  const active = new Uint32Array(count);
  let activeCount = 0;
  const { flags, upcomingEpoch } = data;
  const known = Math.min(data.count, count);
  const appended = count > known ? (state.validators.getReadonlyByRange(known, count - known) as unknown[]) : [];
  for (let i = 0; i < count; i++) {
    let effective: number;
    let compounding: boolean;
    if (i < known) {
      effective = data.increments[i] * increment;
      compounding = (flags[i] & FLAG_COMPOUNDING) !== 0;
      if (flags[i] & FLAG_ACTIVE_UPCOMING) active[activeCount++] = i;
    } else {
      const v = appended[i - known] as Validator;
      effective = v.effectiveBalance;
      compounding = v.withdrawalCredentials[0] === COMPOUNDING_WITHDRAWAL_PREFIX;
      if (v.activationEpoch <= upcomingEpoch && upcomingEpoch < v.exitEpoch) active[activeCount++] = i;
    }
    const balance = values[i];
    if (balance + downward < effective || effective + upward < balance) {
      const max = electra && compounding ? maxCompounding : maxDefault;
      const updated = Math.min(balance - (balance % increment), max);
      if (updated !== effective) {
        state.validators.get(i).effectiveBalance = updated;
        effective = updated;
      }
    }
    increments[i] = effective / increment;
  }
  cs.ctx.setEffectiveBalanceIncrements(increments);
  return { activeIndices: active.slice(0, activeCount) };
}
