// The validator client's slot clock: slot/epoch arithmetic from the genesis time, the due points inside a slot
// (validator.md's *_DUE_BPS, or thirds for a node that gives none) and the slot loop that drives every duty.
// Time comes from a TimeSource, so the whole clock runs on a fake one in tests.
import {
  type SlotDueConfig,
  type SlotTimingConfig,
  slotComponentDueMs,
  slotDurationMs,
} from "@sextant/consensus/time/clock";
import type { DuePoints, SlotClock, TimeSource } from "../ports.ts";
import { systemTime } from "./time.ts";

/**
 * The config values the clock reads. The *_DUE_BPS are optional: a config (or a beacon node's spec) from before
 * they existed gives only SECONDS_PER_SLOT, and the due points are then the classic thirds of a slot.
 */
export type SlotClockConfig = SlotTimingConfig &
  Partial<
    Pick<SlotDueConfig, "ATTESTATION_DUE_BPS" | "AGGREGATE_DUE_BPS" | "SYNC_MESSAGE_DUE_BPS" | "CONTRIBUTION_DUE_BPS">
  >;

/** Options of SystemSlotClock. */
export interface SlotClockOptions {
  /** The chain's genesis_time, unix seconds. */
  genesisTimeSec: number;
  config: SlotClockConfig;
  slotsPerEpoch: number;
  /** Default: the system clock. */
  time?: TimeSource;
}

/**
 * The due points of a slot: each from its *_DUE_BPS when the config has it (get_slot_component_duration_ms, rounded
 * down), else a third of the slot (attestations, sync messages) or two thirds (aggregates, contributions).
 */
export function duePoints(config: SlotClockConfig): DuePoints {
  const slotMs = slotDurationMs(config);
  const at = (bps: number | undefined, thirds: number) =>
    typeof bps === "number" ? slotComponentDueMs(config, bps) : Math.floor((slotMs * thirds) / 3);
  return {
    attestation: at(config.ATTESTATION_DUE_BPS, 1),
    aggregate: at(config.AGGREGATE_DUE_BPS, 2),
    syncMessage: at(config.SYNC_MESSAGE_DUE_BPS, 1),
    contribution: at(config.CONTRIBUTION_DUE_BPS, 2),
  };
}

/**
 * The chain's slot clock on a TimeSource. Before genesis `currentSlot()` and `currentEpoch()` are -1.
 *
 * `onEverySlot` calls its handler at the start of each slot, beginning with the first slot that starts after the
 * call (the slot under way when it is called is not handled; before genesis the first call is slot 0 at genesis).
 * It does not wait for a handler: slot N+1's call happens at N+1's start even when N's handler still runs, and a
 * handler's error (thrown or rejected) goes to `onError`. When the loop wakes late (a machine that slept, a blocked
 * event loop), it calls the handler once, for the current slot, never for the slots already over; `skipped` is the
 * number of slot starts that passed without a call — the slots strictly between the previous call and this one
 * (a stall from slot 10 to slot 15 gives handler(15, signal, 4): slots 11 to 14 were skipped). Each handler gets
 * the loop's signal. The returned promise resolves when the signal aborts.
 */
export class SystemSlotClock implements SlotClock {
  readonly genesisTimeSec: number;
  readonly slotDurationMs: number;
  readonly slotsPerEpoch: number;
  readonly due: DuePoints;
  readonly time: TimeSource;
  readonly #genesisMs: number;

  constructor(opts: SlotClockOptions) {
    if (!Number.isSafeInteger(opts.slotsPerEpoch) || opts.slotsPerEpoch <= 0)
      throw new RangeError(`slotsPerEpoch must be a positive integer, got ${opts.slotsPerEpoch}`);
    if (!Number.isFinite(opts.genesisTimeSec) || opts.genesisTimeSec < 0)
      throw new RangeError(`genesisTimeSec must be a unix time in seconds, got ${opts.genesisTimeSec}`);
    this.genesisTimeSec = opts.genesisTimeSec;
    this.#genesisMs = opts.genesisTimeSec * 1000;
    this.slotDurationMs = slotDurationMs(opts.config);
    this.slotsPerEpoch = opts.slotsPerEpoch;
    this.due = duePoints(opts.config);
    this.time = opts.time ?? systemTime;
  }

  /** The slot under way; -1 before genesis. */
  currentSlot(): number {
    const sinceGenesis = this.time.now() - this.#genesisMs;
    if (sinceGenesis < 0) return -1;
    return Math.floor(sinceGenesis / this.slotDurationMs);
  }

  /** The epoch under way; -1 before genesis. */
  currentEpoch(): number {
    return this.epochAtSlot(this.currentSlot());
  }

  /** compute_epoch_at_slot (and -1 for slot -1). */
  epochAtSlot(slot: number): number {
    return Math.floor(slot / this.slotsPerEpoch);
  }

  /** compute_start_slot_at_epoch. */
  startSlotOfEpoch(epoch: number): number {
    return epoch * this.slotsPerEpoch;
  }

  /** Unix ms at which `slot` starts, plus `offsetMs`. */
  timeAtSlot(slot: number, offsetMs = 0): number {
    return this.#genesisMs + slot * this.slotDurationMs + offsetMs;
  }

  /**
   * Sleeps until `slot` start + `offsetMs`; returns at once when that is past. Sleeps again when the time source
   * wakes it early (a timer firing a millisecond ahead of Date.now). Rejects with the signal's reason on abort.
   */
  async sleepUntilSlot(slot: number, offsetMs: number, signal: AbortSignal): Promise<void> {
    await this.#sleepUntil(this.timeAtSlot(slot, offsetMs), signal);
  }

  /** Calls `handler` at every slot start (see the class comment for stalls, errors and the first slot). */
  async onEverySlot(
    handler: (slot: number, signal: AbortSignal, skipped: number) => Promise<void> | void,
    signal: AbortSignal,
    onError: (err: unknown, slot: number) => void,
  ): Promise<void> {
    // The next slot whose start we wait for: after the one under way, or slot 0 before genesis.
    let next = Math.max(0, this.currentSlot() + 1);
    while (!signal.aborted) {
      try {
        await this.#sleepUntil(this.timeAtSlot(next), signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      const slot = Math.max(next, this.currentSlot());
      this.#run(handler, slot, signal, slot - next, onError);
      next = slot + 1;
    }
  }

  /** Calls the handler without waiting for it; errors (sync or async) go to onError. */
  #run(
    handler: (slot: number, signal: AbortSignal, skipped: number) => Promise<void> | void,
    slot: number,
    signal: AbortSignal,
    skipped: number,
    onError: (err: unknown, slot: number) => void,
  ): void {
    const report = (err: unknown) => {
      try {
        onError(err, slot);
      } catch {
        // An onError that throws must not end the slot loop; nothing more can be done with the error.
      }
    };
    try {
      const result = handler(slot, signal, skipped);
      if (typeof (result as PromiseLike<void> | undefined)?.then === "function") Promise.resolve(result).catch(report);
    } catch (err) {
      report(err);
    }
  }

  async #sleepUntil(targetMs: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    for (let now = this.time.now(); now < targetMs; now = this.time.now()) {
      await this.time.sleep(targetMs - now, signal);
    }
  }
}
