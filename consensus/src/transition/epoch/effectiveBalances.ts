// process_effective_balance_updates (hysteresis; electra's per-credential maximum), as one pass over the
// registry after every balance-changing step. The same pass refreshes the context's increments (what the sync
// committee and proposer sampling read) and, for fulu's lookahead, collects the active set of
// current + MIN_SEED_LOOKAHEAD + 1 (activations of this epoch's registry update already counted).
import { COMPOUNDING_WITHDRAWAL_PREFIX } from "../../params/constants.ts";
import type { Validator } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { atLeast } from "../../state/types.ts";

/** What the effective-balance pass leaves for the later steps. */
export interface EffectiveBalanceResult {
  /** Active indices at `activeEpoch` (current + MIN_SEED_LOOKAHEAD + 1), when asked for. */
  readonly activeIndices: Uint32Array | null;
}

/**
 * `process_effective_balance_updates(state)`. `balances` are the state's current balances (read fresh when
 * omitted). With `lookaheadEpoch`, also returns the active indices of that epoch.
 */
export function processEffectiveBalanceUpdates(
  cs: CachedState,
  balances: number[] | null,
  lookaheadEpoch?: number,
): EffectiveBalanceResult {
  const { state, config } = cs;
  const { preset } = config;
  state.validators.commit();
  const validators = state.validators.getAllReadonlyValues() as Validator[];
  const values = balances ?? state.balances.getAll();
  const count = validators.length;
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
  const active: number[] | null = lookaheadEpoch === undefined ? null : [];
  const target = lookaheadEpoch ?? 0;
  for (let i = 0; i < count; i++) {
    const v = validators[i];
    const balance = values[i];
    let effective = v.effectiveBalance;
    if (balance + downward < effective || effective + upward < balance) {
      const max = electra && v.withdrawalCredentials[0] === COMPOUNDING_WITHDRAWAL_PREFIX ? maxCompounding : maxDefault;
      effective = Math.min(balance - (balance % increment), max);
      if (effective !== v.effectiveBalance) state.validators.get(i).effectiveBalance = effective;
    }
    increments[i] = effective / increment;
    if (active !== null && v.activationEpoch <= target && target < v.exitEpoch) active.push(i);
  }
  cs.ctx.setEffectiveBalanceIncrements(increments);
  return { activeIndices: active === null ? null : Uint32Array.from(active) };
}
