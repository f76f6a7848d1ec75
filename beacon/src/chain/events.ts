// The chain's event bus: every Beacon API event the node emits (head, block, attestation, finalized_checkpoint,
// chain_reorg, …) goes through here once; the SSE route subscribes per connection with its topics. A subscriber
// that falls behind by more than its buffer is dropped (its stream ends) rather than letting memory grow: a slow
// dashboard never costs the node its heap.
import type { BeaconEvent } from "@sextant/api-spec/routes/events";

/** Events a subscriber may have queued before it is dropped. */
export const DEFAULT_SUBSCRIBER_BUFFER = 1024;

type Listener = (event: BeaconEvent) => void;

/** Fan-out of chain events to listeners and to async-iterable subscriptions. */
export class ChainEvents {
  private readonly listeners = new Set<Listener>();

  /** Number of live listeners (SSE subscribers included). */
  get size(): number {
    return this.listeners.size;
  }

  /** Delivers `event` to every listener (synchronously; listeners must not throw). */
  emit(event: BeaconEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Adds a listener; returns the function that removes it. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The events of `topics` as an async iterable that ends when `signal` aborts or the subscriber falls more than
   * `buffer` events behind.
   */
  subscribe(
    topics: readonly string[],
    signal: AbortSignal,
    buffer = DEFAULT_SUBSCRIBER_BUFFER,
  ): AsyncIterable<BeaconEvent> {
    const wanted = new Set(topics);
    const queue: BeaconEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const end = (): void => {
      ended = true;
      off();
      wake?.();
    };
    const off = this.on((event) => {
      if (!wanted.has(event.topic)) return;
      if (queue.length >= buffer) {
        end();
        return;
      }
      queue.push(event);
      wake?.();
    });
    if (signal.aborted) end();
    else signal.addEventListener("abort", end, { once: true });
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<BeaconEvent>> => {
          while (queue.length === 0 && !ended) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
          const value = queue.shift();
          if (value !== undefined) return { value, done: false };
          return { value: undefined, done: true };
        },
        return: async (): Promise<IteratorResult<BeaconEvent>> => {
          end();
          return { value: undefined, done: true };
        },
      }),
    };
  }
}
