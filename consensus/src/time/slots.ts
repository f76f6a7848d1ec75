// Slot / epoch / sync-committee-period arithmetic (phase0 beacon-chain.md "Misc" helpers, altair validator.md).
// Pure integer arithmetic on JS numbers: every slot and epoch of a real chain is far below 2**53.

import { GENESIS_EPOCH, GENESIS_SLOT } from "../params/constants.ts";
import type { Preset } from "../params/presets/preset.ts";

export { GENESIS_EPOCH, GENESIS_SLOT };

/** The preset values slot/epoch arithmetic needs. */
export type SlotsPreset = Pick<Preset, "SLOTS_PER_EPOCH">;
/** The preset values sync-committee-period arithmetic needs. */
export type SyncPeriodPreset = Pick<Preset, "SLOTS_PER_EPOCH" | "EPOCHS_PER_SYNC_COMMITTEE_PERIOD">;

function assertNonNegativeInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

/** compute_epoch_at_slot: the epoch containing `slot`. */
export function epochAtSlot(slot: number, preset: SlotsPreset): number {
  assertNonNegativeInteger("slot", slot);
  return Math.floor(slot / preset.SLOTS_PER_EPOCH);
}

/** compute_start_slot_at_epoch: the first slot of `epoch`. */
export function startSlotOfEpoch(epoch: number, preset: SlotsPreset): number {
  assertNonNegativeInteger("epoch", epoch);
  return epoch * preset.SLOTS_PER_EPOCH;
}

/** The last slot of `epoch`. */
export function endSlotOfEpoch(epoch: number, preset: SlotsPreset): number {
  return startSlotOfEpoch(epoch, preset) + preset.SLOTS_PER_EPOCH - 1;
}

/** compute_slots_since_epoch_start: the position of `slot` in its epoch, 0 … SLOTS_PER_EPOCH-1. */
export function slotInEpoch(slot: number, preset: SlotsPreset): number {
  assertNonNegativeInteger("slot", slot);
  return slot % preset.SLOTS_PER_EPOCH;
}

/** True when `slot` is the first slot of its epoch. */
export function isEpochStartSlot(slot: number, preset: SlotsPreset): boolean {
  return slotInEpoch(slot, preset) === 0;
}

/** compute_sync_committee_period: the sync committee period containing `epoch`. */
export function syncPeriodAtEpoch(epoch: number, preset: SyncPeriodPreset): number {
  assertNonNegativeInteger("epoch", epoch);
  return Math.floor(epoch / preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD);
}

/** compute_sync_committee_period_at_slot: the sync committee period containing `slot`. */
export function syncPeriodAtSlot(slot: number, preset: SyncPeriodPreset): number {
  return syncPeriodAtEpoch(epochAtSlot(slot, preset), preset);
}

/** The first epoch of sync committee period `period`. */
export function startEpochOfSyncPeriod(period: number, preset: SyncPeriodPreset): number {
  assertNonNegativeInteger("period", period);
  return period * preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
}
