// The node's slot clock: the current slot from the genesis time and the wall clock, and callbacks at the start of
// each slot and at a fixed offset into it (the chain uses one to pre-advance the head state late in the last slot of
// an epoch). "Now" is injectable so tests drive time by hand; timers are re-armed from the wall clock each time, so
// a late timer (a busy event loop) never makes the clock drift.
import { msIntoSlot, slotAtTime, slotDurationMs, timeAtSlot } from "@sextant/consensus/time/clock";

/** The chain config values the clock reads. */
export interface ClockConfig {
  readonly SECONDS_PER_SLOT: number;
  readonly SLOT_DURATION_MS?: number;
}

/** A callback on the clock: the slot it fires for. */
export type SlotListener = (slot: number) => void;

/** Options of SlotClock. */
export interface SlotClockOptions {
  readonly genesisTime: number;
  readonly config: ClockConfig;
  /** Unix milliseconds; Date.now by default. */
  readonly now?: () => number;
}

/** Wall-clock slots with per-slot callbacks. Call start() to arm timers, stop() to disarm. */
export class SlotClock {
  readonly genesisTime: number;
  readonly slotMs: number;
  private readonly config: ClockConfig;
  private readonly nowFn: () => number;
  private readonly onSlotListeners: SlotListener[] = [];
  private readonly atOffset: { offsetMs: number; listener: SlotListener; timer?: NodeJS.Timeout; next: number }[] = [];
  private slotTimer: NodeJS.Timeout | undefined;
  private lastSlot = -1;
  private running = false;

  constructor(opts: SlotClockOptions) {
    this.genesisTime = opts.genesisTime;
    this.config = opts.config;
    this.slotMs = slotDurationMs(opts.config);
    this.nowFn = opts.now ?? Date.now;
  }

  /** Unix milliseconds now. */
  now(): number {
    return this.nowFn();
  }

  /** The current slot (0 before genesis). */
  get currentSlot(): number {
    return Math.max(0, slotAtTime(this.genesisTime, this.nowFn(), this.config));
  }

  /** Milliseconds since the start of the current slot (negative before genesis). */
  msIntoSlot(): number {
    return msIntoSlot(this.genesisTime, this.nowFn(), this.config);
  }

  /** Unix milliseconds at the start of `slot`. */
  slotStartMs(slot: number): number {
    return timeAtSlot(this.genesisTime, slot, this.config);
  }

  /** Milliseconds from genesis to now (negative before genesis). */
  msSinceGenesis(): number {
    return this.nowFn() - this.genesisTime * 1000;
  }

  /** Calls `listener` at the start of every slot (and once for the current slot when started). */
  onSlot(listener: SlotListener): void {
    this.onSlotListeners.push(listener);
  }

  /** Calls `listener` `offsetMs` into every slot. */
  onSlotOffset(offsetMs: number, listener: SlotListener): void {
    const entry = { offsetMs, listener, next: -1 };
    this.atOffset.push(entry);
    if (this.running) this.armOffset(entry);
  }

  /** Arms the timers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
    for (const entry of this.atOffset) this.armOffset(entry);
  }

  /** Disarms every timer. */
  stop(): void {
    this.running = false;
    clearTimeout(this.slotTimer);
    for (const entry of this.atOffset) clearTimeout(entry.timer);
  }

  private tick(): void {
    if (!this.running) return;
    const slot = this.currentSlot;
    if (this.msSinceGenesis() >= 0) {
      // Every slot fires once, in order, even when the loop was blocked across several.
      for (let s = this.lastSlot < 0 ? slot : this.lastSlot + 1; s <= slot; s++) {
        this.lastSlot = s;
        for (const listener of this.onSlotListeners) listener(s);
      }
    }
    const wait = this.msSinceGenesis() < 0 ? -this.msSinceGenesis() : this.slotStartMs(slot + 1) - this.nowFn();
    this.slotTimer = setTimeout(() => this.tick(), Math.max(1, wait));
    this.slotTimer.unref?.();
  }

  private armOffset(entry: (typeof this.atOffset)[number]): void {
    if (!this.running) return;
    const now = this.nowFn();
    let slot = Math.max(0, slotAtTime(this.genesisTime, now, this.config));
    if (this.slotStartMs(slot) + entry.offsetMs <= now || slot <= entry.next - 1) slot++;
    if (slot < entry.next) slot = entry.next;
    const wait = this.slotStartMs(slot) + entry.offsetMs - now;
    entry.timer = setTimeout(
      () => {
        entry.next = slot + 1;
        entry.listener(slot);
        this.armOffset(entry);
      },
      Math.max(1, wait),
    );
    entry.timer.unref?.();
  }
}
