// The head caches' storage, the Medalla lesson: values that depend only on an epoch and the block root that decided
// it (shufflings, proposers, sync committees keyed by (epoch, dependent_root)) are built once — concurrent callers
// await the same promise — kept for a bounded number of keys, and never rebuilt because a request asked. A build
// that fails is not cached, so the next caller tries again.

/** How a cache key's dependent root is given: bytes or 0x-hex. */
export type RootKey = Uint8Array | string;

function rootHex(root: RootKey): string {
  return typeof root === "string" ? root.toLowerCase() : `0x${Buffer.from(root).toString("hex")}`;
}

interface Entry<V> {
  readonly epoch: number;
  promise: Promise<V>;
  value: V | undefined;
  settled: boolean;
}

/** Counters for metrics: hits served from the cache, builds started, builds that failed. */
export interface EpochKeyedCacheStats {
  hits: number;
  builds: number;
  failures: number;
}

/** A cache of values keyed by (epoch, dependent root), with at most `maxEntries` keys (oldest epochs evicted). */
export class EpochKeyedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly maxEntries: number;
  readonly stats: EpochKeyedCacheStats = { hits: 0, builds: 0, failures: 0 };

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer");
    this.maxEntries = maxEntries;
  }

  /** Number of keys held (built or building). */
  get size(): number {
    return this.entries.size;
  }

  /** The value of (epoch, root) when it is built; undefined while building or absent. */
  get(epoch: number, root: RootKey): V | undefined {
    const entry = this.entries.get(`${epoch}:${rootHex(root)}`);
    if (entry?.settled) {
      this.stats.hits++;
      return entry.value;
    }
    return undefined;
  }

  /** True when (epoch, root) is built or being built. */
  has(epoch: number, root: RootKey): boolean {
    return this.entries.has(`${epoch}:${rootHex(root)}`);
  }

  /**
   * The value of (epoch, root): the cached one, the build in progress, or a new build by `build` (called at most
   * once per key while it succeeds). A failed build is dropped and its error passed to every waiting caller.
   */
  getOrBuild(epoch: number, root: RootKey, build: () => V | Promise<V>): Promise<V> {
    const key = `${epoch}:${rootHex(root)}`;
    const existing = this.entries.get(key);
    if (existing) {
      this.stats.hits++;
      return existing.promise;
    }
    this.stats.builds++;
    const entry: Entry<V> = { epoch, promise: Promise.resolve() as Promise<never>, value: undefined, settled: false };
    entry.promise = (async () => build())().then(
      (value) => {
        entry.value = value;
        entry.settled = true;
        return value;
      },
      (err: unknown) => {
        this.stats.failures++;
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, entry);
    this.evict();
    return entry.promise;
  }

  /** Drops every key of an epoch before `epoch`. */
  pruneBefore(epoch: number): void {
    for (const [key, entry] of this.entries) if (entry.epoch < epoch) this.entries.delete(key);
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) {
      let oldestKey: string | undefined;
      let oldestEpoch = Number.POSITIVE_INFINITY;
      for (const [key, entry] of this.entries) {
        if (entry.epoch < oldestEpoch) {
          oldestEpoch = entry.epoch;
          oldestKey = key;
        }
      }
      if (oldestKey === undefined) return;
      this.entries.delete(oldestKey);
    }
  }
}
