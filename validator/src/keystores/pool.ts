// Keystore decryption on every core. scrypt with EIP-2335's default parameters costs about half a second to a
// second per keystore and blocks the thread it runs on, so a pool of worker threads (one job at a time each)
// decrypts in parallel; 1,000 keystores on 16 cores take a minute instead of a quarter of an hour.
import { availableParallelism, totalmem } from "node:os";
import { Worker } from "node:worker_threads";
import type { IKeystore } from "@chainsafe/bls-keystore";
import { KeystoreError, type KeystoreErrorCode } from "./errors.ts";
import { kdfMemoryBytes } from "./keystoreFile.ts";

/** A message to a worker: decrypt this keystore with this password. */
export interface DecryptRequest {
  id: number;
  keystore: IKeystore;
  password: string;
}

/** A worker's answer: the 32-byte secret, or why not. */
export type DecryptResponse =
  | { id: number; ok: true; secret: Uint8Array }
  | { id: number; ok: false; code: KeystoreErrorCode; reason: string };

/** One keystore to decrypt; `path` names it in error messages. */
export interface DecryptJob {
  keystore: IKeystore;
  password: string;
  path: string;
}

/** The outcome of one job: the secret, or a KeystoreError naming the file. */
export type DecryptResult = { ok: true; secret: Uint8Array } | { ok: false; error: KeystoreError };

/** Share of the machine's memory the pool's scrypt working sets may take together. */
const SCRYPT_MEMORY_SHARE = 0.5;

/**
 * Default number of threads: one per core (os.availableParallelism), fewer when the keystores' scrypt working
 * set (256 MiB each at the default n = 2^18, r = 8) times the thread count would exceed half the memory.
 */
export function defaultDecryptThreads(keystores: readonly IKeystore[] = []): number {
  const cores = availableParallelism();
  const perJob = Math.max(0, ...keystores.map(kdfMemoryBytes));
  if (perJob === 0) return cores;
  return Math.max(1, Math.min(cores, Math.floor((totalmem() * SCRYPT_MEMORY_SHARE) / perJob)));
}

function failure(job: DecryptJob, code: KeystoreErrorCode, reason: string): KeystoreError {
  const file = job.path;
  switch (code) {
    case "WRONG_PASSWORD":
      return new KeystoreError("WRONG_PASSWORD", `the password does not decrypt ${file}; give the right password`, {
        file,
      });
    case "PUBKEY_MISMATCH":
      return new KeystoreError("PUBKEY_MISMATCH", `${file} is corrupt: ${reason}; do not use it`, { file, reason });
    default:
      return new KeystoreError(code, `${file} cannot be decrypted (${reason}); it is not a valid EIP-2335 keystore`, {
        file,
        reason,
      });
  }
}

/** Worker threads that decrypt keystores; reuse one pool for several batches, then close() it. */
export class DecryptPool {
  readonly size: number;
  private workers: Worker[] = [];

  /** `size`: threads (default: defaultDecryptThreads()); they start on first use. */
  constructor(opts: { size?: number } = {}) {
    const size = opts.size ?? defaultDecryptThreads();
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`pool size must be ≥ 1, got ${size}`);
    this.size = size;
  }

  private ensureWorkers(n: number): Worker[] {
    while (this.workers.length < Math.min(n, this.size))
      this.workers.push(new Worker(new URL("./decryptWorker.ts", import.meta.url)));
    return this.workers.slice(0, Math.min(n, this.size));
  }

  /**
   * Decrypts every job, in parallel, and returns the outcomes in job order (a wrong password is a result, not an
   * exception). `onProgress(done, total)` runs after each job. Rejects with WORKER_FAILED if a thread dies.
   */
  decryptAll(
    jobs: readonly DecryptJob[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<DecryptResult[]> {
    const results: DecryptResult[] = new Array(jobs.length);
    if (jobs.length === 0) return Promise.resolve(results);
    const workers = this.ensureWorkers(jobs.length);
    return new Promise<DecryptResult[]>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let settled = false;
      const cleanups: (() => void)[] = [];
      const settle = (err: Error | null) => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        if (err === null) resolve(results);
        else reject(err);
      };
      const dispatch = (w: Worker) => {
        if (next >= jobs.length) return;
        const id = next++;
        const { keystore, password } = jobs[id];
        w.postMessage({ id, keystore, password } satisfies DecryptRequest);
      };
      for (const w of workers) {
        const onMessage = (res: DecryptResponse) => {
          results[res.id] = res.ok
            ? { ok: true, secret: res.secret }
            : { ok: false, error: failure(jobs[res.id], res.code, res.reason) };
          done++;
          onProgress?.(done, jobs.length);
          if (done === jobs.length) settle(null);
          else dispatch(w);
        };
        const onError = (e: Error) =>
          settle(new KeystoreError("WORKER_FAILED", `a decryption thread failed: ${e.message}`, {}, { cause: e }));
        const onExit = (code: number) =>
          settle(
            new KeystoreError("WORKER_FAILED", `a decryption thread exited with code ${code}`, { exitCode: code }),
          );
        w.on("message", onMessage);
        w.on("error", onError);
        w.on("exit", onExit);
        cleanups.push(() => {
          w.off("message", onMessage);
          w.off("error", onError);
          w.off("exit", onExit);
        });
        dispatch(w);
      }
    }).catch(async (e: unknown) => {
      // A dead thread leaves the pool in an unknown state: stop them all; the next batch starts fresh ones.
      await this.close();
      throw e;
    });
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Decrypts `jobs` on a pool of `threads` threads (default: one per core, bounded by memory) and stops it. */
export async function decryptKeystores(
  jobs: readonly DecryptJob[],
  opts: { threads?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<DecryptResult[]> {
  const pool = new DecryptPool({ size: opts.threads ?? defaultDecryptThreads(jobs.map((j) => j.keystore)) });
  try {
    return await pool.decryptAll(jobs, opts.onProgress);
  } finally {
    await pool.close();
  }
}
