// The BeaconState as tree-backed SSZ views (ViewDU) for every fork, and the configuration a transition reads:
// chain config, preset and the SSZ types of that preset. Views share structure, so a clone is cheap and only the
// paths a transition touches are rehashed.
import type { CompositeViewDU } from "@chainsafe/ssz";
import type { ChainConfig } from "../params/config/chainConfig.ts";
import { type ForkName, ForkSeq } from "../params/forkName.ts";
import type { Preset } from "../params/presets/preset.ts";
import type { SszTypes } from "../types/sszTypes.ts";

/** Everything a transition reads that is not in the state: the network's config, its preset and their types. */
export interface BeaconConfig {
  readonly chain: ChainConfig;
  readonly preset: Preset;
  readonly types: SszTypes;
}

/** The state view of fork F. */
export type StateOf<F extends ForkName> = CompositeViewDU<SszTypes[F]["BeaconState"]>;
export type StatePhase0 = StateOf<"phase0">;
export type StateAltair = StateOf<"altair">;
export type StateBellatrix = StateOf<"bellatrix">;
export type StateCapella = StateOf<"capella">;
export type StateDeneb = StateOf<"deneb">;
export type StateElectra = StateOf<"electra">;
export type StateFulu = StateOf<"fulu">;

/** A state of any fork: fields common to all forks are readable and writable without narrowing. */
export type AnyState =
  | StatePhase0
  | StateAltair
  | StateBellatrix
  | StateCapella
  | StateDeneb
  | StateElectra
  | StateFulu;
/** Altair or later (participation flags, inactivity scores, sync committees). */
export type AltairPlusState = Exclude<AnyState, StatePhase0>;
/** Bellatrix or later (an execution payload header). */
export type BellatrixPlusState = Exclude<AltairPlusState, StateAltair>;
/** Capella or later (withdrawals, historical summaries). */
export type CapellaPlusState = Exclude<BellatrixPlusState, StateBellatrix>;
/** Electra or later (balance churn, pending deposits, withdrawals and consolidations). */
export type ElectraPlusState = StateElectra | StateFulu;

/** Narrows `state` to fork F's view. The caller has checked the fork (`isForkAtLeast(cs.fork, …)`). */
export function stateAs<F extends ForkName>(state: AnyState, _fork: F): StateOf<F> {
  return state as StateOf<F>;
}

/** True when `fork` is at or after `since`. */
export function atLeast(fork: ForkName, since: ForkName): boolean {
  return ForkSeq[fork] >= ForkSeq[since];
}
