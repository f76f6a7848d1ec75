// Token buckets per client, with bounded memory. Each client key (a bearer token's hash or an IP) has a bucket that
// refills at `ratePerSecond` up to `burst`; a request takes its route's cost or is refused with the seconds until
// the bucket will hold enough. Buckets live in a Map kept in least-recently-used order: a bucket idle long enough to
// be full again is equal to a fresh one and is dropped; above `maxClients` the least recently used is dropped.

/** Token bucket settings. */
export interface BucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Most clients tracked at once. */
  maxClients: number;
  /** Current time, milliseconds. */
  now: () => number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

/** The outcome of taking tokens: granted, or refused with the wait until enough tokens. */
export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Idle entries examined per call (amortized sweeping, so no timer is needed). */
const SWEEP_PER_CALL = 4;

/** Per-client token buckets. */
export class ClientBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly opts: BucketOptions;
  /** Milliseconds an empty bucket takes to fill: a bucket idle this long is fresh. */
  private readonly fillMs: number;

  constructor(opts: BucketOptions) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${opts.ratePerSecond}`);
    if (!(opts.burst >= 1)) throw new RangeError(`burst must be >= 1, got ${opts.burst}`);
    if (!(opts.maxClients >= 1)) throw new RangeError(`maxClients must be >= 1, got ${opts.maxClients}`);
    this.opts = opts;
    this.fillMs = (opts.burst / opts.ratePerSecond) * 1000;
  }

  /** Clients tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes `cost` tokens (capped at the burst, so any request can pass with a full bucket) from `key`'s bucket. */
  take(key: string, cost: number): TakeResult {
    const now = this.opts.now();
    this.sweep(now);
    const { ratePerSecond, burst } = this.opts;
    const need = Math.min(Math.max(cost, 0), burst);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, at: now };
      if (this.buckets.size >= this.opts.maxClients) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
    } else {
      this.buckets.delete(key);
      const elapsed = Math.max(0, now - bucket.at) / 1000;
      bucket.tokens = Math.min(burst, bucket.tokens + elapsed * ratePerSecond);
      bucket.at = now;
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return { ok: true };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((need - bucket.tokens) / ratePerSecond));
    return { ok: false, retryAfterSeconds };
  }

  /** Gives back `cost` tokens to `key` (a request taken but then shed did no work). */
  refund(key: string, cost: number): void {
    const bucket = this.buckets.get(key);
    if (bucket !== undefined) bucket.tokens = Math.min(this.opts.burst, bucket.tokens + Math.max(cost, 0));
  }

  /** Drops up to SWEEP_PER_CALL least recently used buckets that have been idle long enough to be full. */
  private sweep(now: number): void {
    let n = 0;
    for (const [key, bucket] of this.buckets) {
      if (n++ >= SWEEP_PER_CALL || now - bucket.at < this.fillMs) break;
      this.buckets.delete(key);
    }
  }
}
