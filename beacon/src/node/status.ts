// The node's per-slot status: the previous epoch's target participation of a state (what share of the active
// balance attested to the right target, from altair's participation flags or phase0's pending attestations) and the
// one status line the node logs each slot ("slot 17 · head 17 0xab12… · finalized epoch 1 · justified 2 ·
// participation 98% · peers 0").
import { TIMELY_TARGET_FLAG_INDEX } from "@sextant/consensus/params/constants";
import type { CachedState } from "@sextant/consensus/state/cachedState";

const TIMELY_TARGET_FLAG = 1 << TIMELY_TARGET_FLAG_INDEX;

/** Previous epoch target participation of a state. */
export interface Participation {
  /** The epoch measured: get_previous_epoch(state) (the genesis epoch at genesis). */
  readonly epoch: number;
  /** Effective balance increments of the active, unslashed validators that attested to the epoch's target. */
  readonly targetIncrements: number;
  /** Effective balance increments of the validators active in that epoch. */
  readonly activeIncrements: number;
  /** targetIncrements / activeIncrements (0 when nothing is active). */
  readonly ratio: number;
}

/**
 * The target participation of `get_previous_epoch(state)` as the state records it: altair and later read
 * `previous_epoch_participation` (`current_epoch_participation` at the genesis epoch) for TIMELY_TARGET; phase0 reads
 * `previous_epoch_attestations` (`current_epoch_attestations` at genesis) whose target root is the epoch's block root.
 * Counts, as get_unslashed_participating_indices does, only unslashed validators active in that epoch.
 * Undefined when the state cannot tell yet (a phase0 state at the first slot of the genesis epoch: no block root).
 */
export function previousEpochParticipation(cs: CachedState): Participation | undefined {
  const { state, ctx, config } = cs;
  const spe = config.preset.SLOTS_PER_EPOCH;
  const currentEpoch = Math.floor(state.slot / spe);
  const epoch = currentEpoch === 0 ? 0 : currentEpoch - 1;
  const active = ctx.getShuffling(epoch).activeIndices;
  const increments = ctx.effectiveBalanceIncrements;
  let activeIncrements = 0;
  for (let i = 0; i < active.length; i++) activeIncrements += increments[active[i]] ?? 0;
  const activeSet = new Set<number>();
  for (let i = 0; i < active.length; i++) activeSet.add(active[i]);

  const attesters = new Set<number>();
  if (cs.fork === "phase0") {
    const epochStart = epoch * spe;
    if (epochStart >= state.slot) return undefined;
    const historical = config.preset.SLOTS_PER_HISTORICAL_ROOT;
    const targetRoot = state.blockRoots.get(epochStart % historical);
    const s = state as unknown as {
      previousEpochAttestations: ListLike<PendingAttestationLike>;
      currentEpochAttestations: ListLike<PendingAttestationLike>;
    };
    const list = epoch === currentEpoch ? s.currentEpochAttestations : s.previousEpochAttestations;
    for (const pending of list.getAllReadonly()) {
      if (!bytesEqual(pending.data.target.root, targetRoot)) continue;
      const committee = ctx.getBeaconCommittee(pending.data.slot, pending.data.index);
      for (let p = 0; p < committee.length; p++) {
        if (pending.aggregationBits.get(p)) attesters.add(committee[p]);
      }
    }
  } else {
    const s = state as unknown as { previousEpochParticipation: FlagList; currentEpochParticipation: FlagList };
    const flags = (epoch === currentEpoch ? s.currentEpochParticipation : s.previousEpochParticipation).getAll();
    for (let i = 0; i < active.length; i++) {
      const index = active[i];
      if (((flags[index] ?? 0) & TIMELY_TARGET_FLAG) !== 0) attesters.add(index);
    }
  }
  let targetIncrements = 0;
  for (const index of attesters) {
    if (!activeSet.has(index)) continue;
    if (state.validators.getReadonly(index).slashed) continue;
    targetIncrements += increments[index] ?? 0;
  }
  return {
    epoch,
    targetIncrements,
    activeIncrements,
    ratio: activeIncrements === 0 ? 0 : targetIncrements / activeIncrements,
  };
}

interface ListLike<T> {
  getAllReadonly(): T[];
}

interface PendingAttestationLike {
  aggregationBits: { get(index: number): boolean };
  data: { slot: number; index: number; target: { root: Uint8Array } };
}

interface FlagList {
  getAll(): ArrayLike<number>;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What the status line shows. */
export interface StatusLineInput {
  readonly slot: number;
  readonly headSlot: number;
  readonly headRoot: string;
  readonly finalizedEpoch: number;
  readonly justifiedEpoch: number;
  /** Ratio 0..1, or undefined when not known. */
  readonly participation: number | undefined;
  readonly peers: number;
  /** Shown when true: the head is optimistic (its payload not yet validated). */
  readonly optimistic?: boolean;
}

/** `0xab12…` from a 0x root. */
export function shortRoot(root: string): string {
  return `${root.slice(0, 6)}…`;
}

/** The per-slot status line. */
export function formatStatusLine(s: StatusLineInput): string {
  const participation = s.participation === undefined ? "–" : `${Math.floor(s.participation * 100)}%`;
  const optimistic = s.optimistic ? " (optimistic)" : "";
  return (
    `slot ${s.slot} · head ${s.headSlot} ${shortRoot(s.headRoot)}${optimistic} · finalized epoch ${s.finalizedEpoch}` +
    ` · justified ${s.justifiedEpoch} · participation ${participation} · peers ${s.peers}`
  );
}
