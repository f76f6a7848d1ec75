// Wall-clock ↔ slot arithmetic and the due times inside a slot (phase0 fork-choice.md
// get_slot_component_duration_ms, validator.md *_DUE_BPS). Pure: "now" is always a parameter (Unix milliseconds),
// the genesis time is the state's genesis_time (Unix seconds).
import type { ChainConfig } from "../params/config/chainConfig.ts";
import { GENESIS_SLOT } from "./slots.ts";

/** Milliseconds in one second. */
export const MS_PER_SECOND = 1000;

import { BASIS_POINTS } from "../params/constants.ts";

export { BASIS_POINTS };

/**
 * The config values slot timing needs. SLOT_DURATION_MS is optional so that configs written before it existed
 * (only SECONDS_PER_SLOT) still work.
 */
export type SlotTimingConfig = Pick<ChainConfig, "SECONDS_PER_SLOT"> & { readonly SLOT_DURATION_MS?: number };

/** The due-time basis points of the phase0 → fulu duties. */
export type SlotDueConfig = SlotTimingConfig &
  Pick<
    ChainConfig,
    | "ATTESTATION_DUE_BPS"
    | "AGGREGATE_DUE_BPS"
    | "SYNC_MESSAGE_DUE_BPS"
    | "CONTRIBUTION_DUE_BPS"
    | "PROPOSER_REORG_CUTOFF_BPS"
  >;

/** Slot duration in milliseconds: SLOT_DURATION_MS when present, else SECONDS_PER_SLOT * 1000. */
export function slotDurationMs(config: SlotTimingConfig): number {
  const ms = config.SLOT_DURATION_MS ?? config.SECONDS_PER_SLOT * MS_PER_SECOND;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new RangeError(`invalid slot duration: ${ms} ms`);
  return ms;
}

/** Milliseconds elapsed since genesis at `nowMs`; negative before genesis. */
export function msSinceGenesis(genesisTimeSec: number, nowMs: number): number {
  return nowMs - genesisTimeSec * MS_PER_SECOND;
}

/** True when `nowMs` is strictly before the genesis time. */
export function isBeforeGenesis(genesisTimeSec: number, nowMs: number): boolean {
  return msSinceGenesis(genesisTimeSec, nowMs) < 0;
}

/**
 * The slot containing `nowMs` (get_current_slot). Before genesis this is GENESIS_SLOT (the first slot, not yet
 * started): use `isBeforeGenesis` / `msUntilNextSlot` to tell the two apart.
 */
export function slotAtTime(genesisTimeSec: number, nowMs: number, config: SlotTimingConfig): number {
  const sinceGenesis = msSinceGenesis(genesisTimeSec, nowMs);
  if (sinceGenesis < 0) return GENESIS_SLOT;
  return GENESIS_SLOT + Math.floor(sinceGenesis / slotDurationMs(config));
}

/** Unix time in milliseconds at which `slot` starts (compute_time_at_slot, in ms). */
export function timeAtSlot(genesisTimeSec: number, slot: number, config: SlotTimingConfig): number {
  return genesisTimeSec * MS_PER_SECOND + (slot - GENESIS_SLOT) * slotDurationMs(config);
}

/**
 * Milliseconds elapsed since the start of the slot containing `nowMs`, in [0, slot duration). Before genesis the
 * result is negative: minus the time left until genesis (slot 0 has not started yet).
 */
export function msIntoSlot(genesisTimeSec: number, nowMs: number, config: SlotTimingConfig): number {
  const sinceGenesis = msSinceGenesis(genesisTimeSec, nowMs);
  if (sinceGenesis < 0) return sinceGenesis;
  return sinceGenesis % slotDurationMs(config);
}

/** Milliseconds from `nowMs` until the next slot starts (until genesis when before genesis); always > 0. */
export function msUntilNextSlot(genesisTimeSec: number, nowMs: number, config: SlotTimingConfig): number {
  const sinceGenesis = msSinceGenesis(genesisTimeSec, nowMs);
  if (sinceGenesis < 0) return -sinceGenesis;
  const duration = slotDurationMs(config);
  return duration - (sinceGenesis % duration);
}

/** Milliseconds from `nowMs` until `slot` starts; zero or negative once it has started. */
export function msUntilSlot(genesisTimeSec: number, slot: number, nowMs: number, config: SlotTimingConfig): number {
  return timeAtSlot(genesisTimeSec, slot, config) - nowMs;
}

/**
 * get_slot_component_duration_ms: the offset in milliseconds into a slot of a component due at `basisPoints`
 * (basis_points * SLOT_DURATION_MS // BASIS_POINTS, rounded down as the spec's integer division does).
 */
export function slotComponentDueMs(config: SlotTimingConfig, basisPoints: number): number {
  if (!Number.isSafeInteger(basisPoints) || basisPoints < 0 || basisPoints > BASIS_POINTS)
    throw new RangeError(`basis points must be an integer in [0, ${BASIS_POINTS}], got ${basisPoints}`);
  return Math.floor((basisPoints * slotDurationMs(config)) / BASIS_POINTS);
}

/** get_attestation_due_ms: when attestations are due within the slot (ms). */
export function attestationDueMs(config: SlotDueConfig): number {
  return slotComponentDueMs(config, config.ATTESTATION_DUE_BPS);
}

/** get_aggregate_due_ms: when aggregates are due within the slot (ms). */
export function aggregateDueMs(config: SlotDueConfig): number {
  return slotComponentDueMs(config, config.AGGREGATE_DUE_BPS);
}

/** get_sync_message_due_ms: when sync committee messages are due within the slot (ms). */
export function syncMessageDueMs(config: SlotDueConfig): number {
  return slotComponentDueMs(config, config.SYNC_MESSAGE_DUE_BPS);
}

/** get_contribution_due_ms: when sync committee contributions are due within the slot (ms). */
export function contributionDueMs(config: SlotDueConfig): number {
  return slotComponentDueMs(config, config.CONTRIBUTION_DUE_BPS);
}

/** get_proposer_reorg_cutoff_ms: the latest time in the slot a late head may still be re-orged (ms). */
export function proposerReorgCutoffMs(config: SlotDueConfig): number {
  return slotComponentDueMs(config, config.PROPOSER_REORG_CUTOFF_BPS);
}
