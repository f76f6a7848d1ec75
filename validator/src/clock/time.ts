// The system's TimeSource: wall-clock time (Date.now) and abortable sleeps on node timers. Everything in the
// validator client that waits takes a TimeSource, so unit tests swap this for test/support/fakeTime.ts.
import type { TimeSource } from "../ports.ts";

/** setTimeout's largest delay (2^31-1 ms, about 24.8 days); longer sleeps are taken in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Sleeps `ms` on a node timer. Rejects with `signal.reason` when the signal aborts (at once when it already has),
 * as TimeSource says. Delays above setTimeout's limit (a genesis weeks away) are split into several timers.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    // Infinity sleeps until aborted (every step leaves Infinity); NaN counts as 0.
    let remaining = Number.isNaN(ms) ? 0 : Math.max(0, ms);
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const step = () => {
      if (remaining <= 0) {
        signal?.removeEventListener("abort", onAbort);
        resolve();
        return;
      }
      const chunk = Math.min(remaining, MAX_TIMER_MS);
      remaining -= chunk;
      timer = setTimeout(step, chunk);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const first = Math.min(remaining, MAX_TIMER_MS);
    remaining -= first;
    timer = setTimeout(step, first);
  });
}

/** The real clock: Date.now and node timers. */
export const systemTime: TimeSource = {
  now: () => Date.now(),
  sleep,
};
