// Sync committee periods (altair validator.md `compute_sync_committee_period`).
import type { Preset } from "../../params/presets/preset.ts";

/** `compute_sync_committee_period(epoch)`: epoch // EPOCHS_PER_SYNC_COMMITTEE_PERIOD. */
export function computeSyncPeriod(epoch: number, preset: Pick<Preset, "EPOCHS_PER_SYNC_COMMITTEE_PERIOD">): number {
  return Math.floor(epoch / preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD);
}
