// A fake TimeSource for unit tests: time stands still until the test moves it. Code under test sleeps on it as
// on the real clock; `advance(ms)` moves time forward and wakes the sleepers that fall due, in time order, letting
// the code they wake run (and schedule its next sleep) before the next one fires. No real timers are involved, so
// a test of "a slot every 12 s for 100 slots" takes milliseconds and never depends on the machine's speed.
//
//   const time = new FakeTime(1_700_000_000_000);
//   const loop = clock.onEverySlot(handler, ac.signal, onError);   // sleeps on `time`
//   await time.advance(12_000);                                    // one slot later: handler ran
//   ac.abort(); await loop;
//
// Code that also waits on real I/O (an HTTP request over loopback) is not settled by advance(): the request's
// answer arrives on the real event loop. Wait for its effect with `eventually(() => condition)`.
import type { TimeSource } from "../../validator/src/ports.ts";

/** One pending sleep. */
interface Sleeper {
  /** Fake unix ms at which it wakes. */
  at: number;
  /** Creation order: sleepers due at the same time wake in the order they started sleeping. */
  seq: number;
  resolve: () => void;
  /** Removes the abort listener (after waking). */
  detach: () => void;
}

/** Rounds of setImmediate between firings: enough for promise chains woken by a sleeper to run to their next await. */
const DEFAULT_SETTLE_ROUNDS = 5;

/**
 * A TimeSource whose time only moves when the test calls `advance` / `advanceTo`.
 *
 * - `now()` is the fake time (unix ms), starting at the constructor's `startMs`.
 * - `sleep(ms, signal)` registers a sleeper due at now + ms. `ms <= 0` resolves at once (in a microtask), without
 *   waiting for an advance. An aborted signal rejects with `signal.reason`, as the system clock's sleep does, and
 *   removes the sleeper.
 * - `advance(ms)` / `advanceTo(ms)` move time forward, firing every sleeper due up to the target in time order
 *   (ties in the order they were registered). Before the first firing and after each, it lets the woken code run:
 *   a few rounds of `setImmediate`, which drain all pending microtasks (promise continuations). So a loop woken by a
 *   sleeper that immediately sleeps again for a due time still within the target is fired in the same advance,
 *   with `now()` equal to its due time. Time never moves backwards.
 */
export class FakeTime implements TimeSource {
  #now: number;
  #seq = 0;
  readonly #sleepers: Sleeper[] = [];
  readonly #settleRounds: number;

  /**
   * @param startMs the initial fake time, unix ms.
   * @param opts.settleRounds rounds of setImmediate run between firings (default 5).
   */
  constructor(startMs: number, opts: { settleRounds?: number } = {}) {
    this.#now = startMs;
    this.#settleRounds = opts.settleRounds ?? DEFAULT_SETTLE_ROUNDS;
  }

  /** The fake time, unix ms. */
  now(): number {
    return this.#now;
  }

  /** Resolves when the fake time reaches now + ms (through advance/advanceTo); rejects with the signal's reason. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = { at: this.#now + ms, seq: this.#seq++, resolve, detach: () => {} };
      if (signal) {
        const onAbort = () => {
          this.#remove(sleeper);
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        sleeper.detach = () => signal.removeEventListener("abort", onAbort);
      }
      this.#sleepers.push(sleeper);
    });
  }

  /** Moves time forward by `ms`, firing the sleepers that fall due (see the class comment). */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`FakeTime.advance: ms must be ≥ 0, got ${ms}`);
    await this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `targetMs` (unix ms), firing the sleepers that fall due. A target in the past is an error. */
  async advanceTo(targetMs: number): Promise<void> {
    if (targetMs < this.#now)
      throw new RangeError(`FakeTime.advanceTo: ${targetMs} is before now (${this.#now}); time never goes back`);
    await this.settle();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > targetMs) break;
      this.#remove(next);
      this.#now = Math.max(this.#now, next.at);
      next.detach();
      next.resolve();
      await this.settle();
    }
    this.#now = targetMs;
    await this.settle();
  }

  /** Advances to the earliest pending sleeper's due time (firing it and any due with it); false when none. */
  async advanceToNext(): Promise<boolean> {
    const next = this.#earliest();
    if (next === undefined) return false;
    await this.advanceTo(Math.max(this.#now, next.at));
    return true;
  }

  /** How many sleeps are pending (registered, not yet fired nor aborted). */
  pendingSleepers(): number {
    return this.#sleepers.length;
  }

  /** The due times (unix ms) of the pending sleeps, earliest first. */
  pendingWakeTimes(): number[] {
    return this.#sleepers.map((s) => s.at).sort((a, b) => a - b);
  }

  /** Lets the code woken so far run: a few rounds of setImmediate (each drains all pending microtasks). */
  async settle(): Promise<void> {
    for (let i = 0; i < this.#settleRounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  #earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.#sleepers)
      if (best === undefined || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    return best;
  }

  #remove(sleeper: Sleeper): void {
    const i = this.#sleepers.indexOf(sleeper);
    if (i >= 0) this.#sleepers.splice(i, 1);
  }
}

/**
 * Waits, in real time, until `condition()` holds (polling every few ms) — for effects that ride on real I/O, such
 * as a loopback HTTP answer, in a test driven by FakeTime. Rejects with `message` after `timeoutMs` (default 2 s):
 * the test fails rather than hangs.
 */
export async function eventually(
  condition: () => boolean,
  message = "condition not met",
  timeoutMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`eventually: ${message} within ${timeoutMs} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
  }
}
