// BLS signing on worker threads. Each thread holds every local secret key (sent once, as a 32-byte secret, when
// the key is added; forgotten when it is removed); a batch of (pubkey, signing root) pairs is split evenly across
// the threads and each returns its share as one buffer of signatures. Small batches sign on the main thread, where
// a message round trip would cost more than it saves. Idle threads do not keep the process alive; a thread that
// dies rejects the batches it held and is replaced.
import { Worker } from "node:worker_threads";
import type { Logger } from "@sextant/common";
import type { SecretKey } from "@sextant/consensus/bls/index";
import type { PubkeyHex } from "../ports.ts";
import { SignerError } from "./errors.ts";
import { type FromWorker, ROOT_BYTES, SIGNATURE_BYTES, type ToWorker } from "./protocol.ts";

/** Batches smaller than this sign on the main thread by default. */
export const DEFAULT_MIN_WORKER_BATCH = 16;

export interface SigningPoolOptions {
  /** Signing threads; 0 signs everything on the main thread. */
  threads: number;
  /** Batches with fewer items sign on the main thread (default {@link DEFAULT_MIN_WORKER_BATCH}). */
  minWorkerBatch?: number;
  logger?: Logger;
}

interface Pending {
  count: number;
  resolve(signatures: Uint8Array): void;
  reject(err: Error): void;
}

/** One signing thread and the batches it holds. */
interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: boolean;
  /** Settles when the thread said "ready" (or died first). */
  started: Promise<void>;
  lastError?: Error;
}

const WORKER_URL = new URL("./signWorker.ts", import.meta.url);

/** Signing threads holding the local keys; create() it, add keys, sign(), then close() it. */
export class SigningPool {
  readonly threads: number;
  readonly minWorkerBatch: number;
  private readonly logger: Logger | undefined;
  private readonly keys = new Map<PubkeyHex, SecretKey>();
  private pool: Thread[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(opts: SigningPoolOptions) {
    if (!Number.isSafeInteger(opts.threads) || opts.threads < 0)
      throw new RangeError(`signing threads must be an integer ≥ 0, got ${opts.threads}`);
    this.threads = opts.threads;
    this.minWorkerBatch = Math.max(1, opts.minWorkerBatch ?? DEFAULT_MIN_WORKER_BATCH);
    this.logger = opts.logger;
  }

  /** Starts `threads` signing threads and waits until each has loaded BLS (throws WORKER_FAILED otherwise). */
  static async create(opts: SigningPoolOptions): Promise<SigningPool> {
    const pool = new SigningPool(opts);
    for (let i = 0; i < pool.threads; i++) pool.pool.push(pool.spawn());
    try {
      await Promise.all(pool.pool.map((t) => t.started));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Live signing threads (replacements included). */
  get liveThreads(): number {
    return this.pool.length;
  }

  /** True when `pubkey` can be signed for. */
  hasKey(pubkey: PubkeyHex): boolean {
    return this.keys.has(pubkey);
  }

  /** Gives `secretKey` to every thread (replacing the key of the same pubkey, if any). */
  addKey(pubkey: PubkeyHex, secretKey: SecretKey): void {
    if (this.closed) return;
    this.keys.set(pubkey, secretKey);
    for (const t of this.pool) this.sendKeys(t.worker, [[pubkey, secretKey]]);
  }

  /** Makes every thread forget `pubkey`. Batches already sent still sign with it (they were sent before). */
  removeKey(pubkey: PubkeyHex): void {
    if (!this.keys.delete(pubkey)) return;
    for (const t of this.pool) t.worker.postMessage({ type: "remove", pubkeys: [pubkey] } satisfies ToWorker);
  }

  /**
   * Signs roots[i] with the key of pubkeys[i], for every i; resolves with the 96-byte compressed signatures in the
   * same order. Throws UNKNOWN_KEY for a key the pool does not hold, WORKER_FAILED when a thread died with part of
   * the batch, CLOSED after close().
   */
  async sign(pubkeys: readonly PubkeyHex[], roots: readonly Uint8Array[]): Promise<Uint8Array[]> {
    if (this.closed) throw new SignerError("CLOSED", "the signing pool is closed; nothing was signed");
    if (pubkeys.length !== roots.length)
      throw new RangeError(`sign: ${pubkeys.length} pubkeys but ${roots.length} roots`);
    for (const [i, pubkey] of pubkeys.entries()) {
      if (!this.keys.has(pubkey))
        throw new SignerError("UNKNOWN_KEY", `no local key ${pubkey} to sign with; import it first`, { pubkey });
      if (roots[i].length !== ROOT_BYTES)
        throw new RangeError(`sign: root ${i} has ${roots[i].length} bytes, expected ${ROOT_BYTES}`);
    }
    const n = pubkeys.length;
    if (n === 0) return [];
    if (n < this.minWorkerBatch || this.pool.length === 0) return this.signHere(pubkeys, roots);

    const threads = this.pool.slice(0, Math.min(this.pool.length, n));
    const base = Math.floor(n / threads.length);
    const extra = n % threads.length;
    const chunks: Promise<Uint8Array>[] = [];
    const starts: number[] = [];
    let start = 0;
    for (const [i, t] of threads.entries()) {
      const size = base + (i < extra ? 1 : 0);
      starts.push(start);
      chunks.push(this.send(t, pubkeys.slice(start, start + size), roots.slice(start, start + size)));
      start += size;
    }
    const buffers = await Promise.all(chunks);
    const out: Uint8Array[] = new Array(n);
    for (const [c, buf] of buffers.entries()) {
      const count = buf.length / SIGNATURE_BYTES;
      for (let k = 0; k < count; k++) out[starts[c] + k] = buf.subarray(k * SIGNATURE_BYTES, (k + 1) * SIGNATURE_BYTES);
    }
    return out;
  }

  /** Stops every thread (pending batches reject with CLOSED) and forgets the keys. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const threads = this.pool;
    this.pool = [];
    this.keys.clear();
    for (const t of threads) {
      for (const p of t.pending.values())
        p.reject(new SignerError("CLOSED", "the signing pool closed before the batch was signed; nothing was signed"));
      t.pending.clear();
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  /** Test hook: stops thread `index` as if it had crashed (its batches reject, a replacement starts). */
  async killThreadForTesting(index: number): Promise<void> {
    const t = this.pool[index];
    if (t === undefined) throw new RangeError(`no signing thread ${index}`);
    await t.worker.terminate();
  }

  private signHere(pubkeys: readonly PubkeyHex[], roots: readonly Uint8Array[]): Uint8Array[] {
    return pubkeys.map((pubkey, i) => (this.keys.get(pubkey) as SecretKey).sign(roots[i]).toBytes(true));
  }

  private send(t: Thread, pubkeys: PubkeyHex[], roots: readonly Uint8Array[]): Promise<Uint8Array> {
    const id = this.nextId++;
    const buf = new Uint8Array(roots.length * ROOT_BYTES);
    for (const [i, r] of roots.entries()) buf.set(r, i * ROOT_BYTES);
    return new Promise<Uint8Array>((resolve, reject) => {
      t.pending.set(id, { count: pubkeys.length, resolve, reject });
      if (t.pending.size === 1) t.worker.ref();
      t.worker.postMessage({ type: "sign", id, pubkeys, roots: buf } satisfies ToWorker, [buf.buffer]);
    });
  }

  /** Posts secrets to a thread; the main thread's copies of the secret bytes are zeroed once cloned. */
  private sendKeys(worker: Worker, entries: Iterable<[PubkeyHex, SecretKey]>): void {
    const keys = [...entries].map(([pubkey, sk]) => ({ pubkey, secret: sk.toBytes() }));
    if (keys.length === 0) return;
    try {
      worker.postMessage({ type: "add", keys } satisfies ToWorker);
    } finally {
      for (const k of keys) k.secret.fill(0);
    }
  }

  private spawn(): Thread {
    const worker = new Worker(WORKER_URL);
    let onStarted: () => void = () => {};
    let onFailed: (err: Error) => void = () => {};
    const started = new Promise<void>((resolve, reject) => {
      onStarted = resolve;
      onFailed = reject;
    });
    // A replacement nobody awaits must not turn its start failure into an unhandled rejection.
    started.catch(() => {});
    const t: Thread = { worker, pending: new Map(), ready: false, started };
    worker.on("message", (msg: FromWorker) => {
      if (msg.type === "ready") {
        t.ready = true;
        if (t.pending.size === 0) worker.unref();
        onStarted();
      } else this.onMessage(t, msg);
    });
    worker.on("error", (err: Error) => {
      t.lastError = err;
    });
    worker.on("exit", (code: number) => {
      if (!t.ready)
        onFailed(
          new SignerError(
            "WORKER_FAILED",
            `a signing thread failed to start (${t.lastError?.message ?? `exit code ${code}`}); check the installation of @chainsafe/blst`,
            { exitCode: code },
            { cause: t.lastError },
          ),
        );
      this.onExit(t, code);
    });
    this.sendKeys(worker, this.keys.entries());
    return t;
  }

  private onMessage(t: Thread, msg: FromWorker): void {
    if (msg.type === "bad-key") {
      this.logger?.error({ pubkey: msg.pubkey, reason: msg.reason }, "a signing thread rejected a key");
      return;
    }
    if (msg.type !== "signed" && msg.type !== "failed") return;
    const p = t.pending.get(msg.id);
    if (p === undefined) return;
    t.pending.delete(msg.id);
    if (t.pending.size === 0) t.worker.unref();
    if (msg.type === "signed") {
      if (msg.signatures.length === p.count * SIGNATURE_BYTES) p.resolve(msg.signatures);
      else
        p.reject(
          new SignerError("WORKER_FAILED", `a signing thread returned ${msg.signatures.length} bytes for ${p.count}`),
        );
    } else if (msg.missing !== undefined) {
      p.reject(new SignerError("UNKNOWN_KEY", `no local key ${msg.missing} to sign with`, { pubkey: msg.missing }));
    } else {
      p.reject(new SignerError("WORKER_FAILED", `a signing thread could not sign the batch: ${msg.reason}`));
    }
  }

  private onExit(t: Thread, code: number): void {
    const i = this.pool.indexOf(t);
    if (i >= 0) this.pool.splice(i, 1);
    const why = t.lastError?.message ?? `exit code ${code}`;
    for (const p of t.pending.values())
      p.reject(
        new SignerError(
          "WORKER_FAILED",
          `a signing thread died (${why}) while signing a batch of ${p.count}; nothing of it was signed, retry`,
          { exitCode: code },
          { cause: t.lastError },
        ),
      );
    t.pending.clear();
    if (this.closed || i < 0) return;
    if (!t.ready) {
      // It never started: a replacement would fail the same way. Signing continues on the remaining threads (or the
      // main thread when none is left).
      this.logger?.error({ reason: why }, "a signing thread failed to start; not replacing it");
      return;
    }
    this.logger?.warn({ reason: why }, "a signing thread died; starting a replacement");
    this.pool.splice(i, 0, this.spawn());
  }
}
