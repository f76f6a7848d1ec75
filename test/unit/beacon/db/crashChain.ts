// The deterministic chain the database crash test writes and checks: canonical blocks (one per slot from genesis),
// orphan siblings every 5th slot, state snapshots every 8 slots and finalization every 16, all derived from the slot
// so that a restarted writer and the checking parent regenerate the same roots.
import { type FakeBlock, type FakeState, fakeBlock, fakeState } from "./fixtures.ts";

/** Slots between state snapshots. */
export const SNAPSHOT_EVERY = 8;
/** Slots between finalizations; the finalized slot lags the tip by one such period. */
export const FINALIZE_EVERY = 16;
/** The writer stops adding slots here (keeps the data directory small). */
export const MAX_SLOT = 100_000;
/** Network name of the crash-test database. */
export const CRASH_NETWORK = "crash-test";

const ZERO = new Uint8Array(32);
const canonical: FakeBlock[] = [];

/** The canonical block at `slot` (genesis block at slot 0). */
export function canonicalBlock(slot: number): FakeBlock {
  while (canonical.length <= slot) {
    const s = canonical.length;
    const parent = s === 0 ? ZERO : canonical[s - 1].root;
    canonical.push(fakeBlock(s, parent, "canonical", "fulu", 1024 + ((s * 7919) % 7000)));
  }
  return canonical[slot];
}

/** The orphan sibling at `slot` (only slots divisible by 5, slot ≥ 1): same parent as the canonical block. */
export function orphanBlock(slot: number): FakeBlock {
  return fakeBlock(slot, canonicalBlock(slot - 1).root, "orphan", "fulu", 512 + ((slot * 104_729) % 3000));
}

/** The state snapshot at `slot` (slots divisible by SNAPSHOT_EVERY). */
export function snapshotState(slot: number): FakeState {
  return fakeState(slot, "crash", "fulu", 32_768 + ((slot * 31) % 65_536));
}
