// Load shedding: bounded concurrency and a bounded wait queue per request class. A request of a queued class runs
// at once when its class has a free slot, waits in its class's queue (first come, first served) when not, and is
// refused at once (503) when that queue is full. The `validator` class has its own, larger limits and priority: it
// is never refused while another class still has queued work — a waiting request of that class is shed (503)
// instead, and the validator request takes its place in the validator queue (so the total queued stays bounded).
import type { QueuedClass } from "./routes.ts";

/** Concurrency and queue bounds of one class. */
export interface ClassLimits {
  /** Requests running at once. */
  concurrency: number;
  /** Requests waiting for a slot; beyond this a request is refused at once. */
  queue: number;
}

/** Why a request was not admitted. */
export type ShedReason = "queue full" | "queue wait timed out" | "displaced by validator work";

/** Called when a request is refused: make the error it is refused with. */
export type MakeShedError = (cls: QueuedClass, operationId: string, reason: ShedReason) => Error;

/** Releases a held slot; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  operationId: string;
  resolve(release: Release): void;
  reject(err: Error): void;
  timer?: ReturnType<typeof setTimeout>;
}

interface ClassState {
  limits: ClassLimits;
  running: number;
  waiters: Waiter[];
}

/** Shedder options. */
export interface ShedderOptions {
  limits: Record<QueuedClass, ClassLimits>;
  /** Longest wait in a queue before a 503 (ms); 0: no limit. */
  maxWaitMs: number;
  makeError: MakeShedError;
  /** Refused requests (metrics). */
  onShed?: (cls: QueuedClass, operationId: string, reason: ShedReason) => void;
  /** Running/queued counts changed (metrics). */
  onDepth?: (cls: QueuedClass, running: number, queued: number) => void;
}

/** Bounded concurrency queues per class. */
export class LoadShedder {
  private readonly classes: Record<QueuedClass, ClassState>;
  private readonly opts: ShedderOptions;

  constructor(opts: ShedderOptions) {
    for (const [cls, l] of Object.entries(opts.limits)) {
      if (!(Number.isInteger(l.concurrency) && l.concurrency >= 1))
        throw new RangeError(`${cls} concurrency must be an integer >= 1, got ${l.concurrency}`);
      if (!(Number.isInteger(l.queue) && l.queue >= 0))
        throw new RangeError(`${cls} queue must be an integer >= 0, got ${l.queue}`);
    }
    this.opts = opts;
    this.classes = {
      validator: { limits: opts.limits.validator, running: 0, waiters: [] },
      expensive: { limits: opts.limits.expensive, running: 0, waiters: [] },
    };
  }

  /** Running and queued requests of `cls`. */
  depth(cls: QueuedClass): { running: number; queued: number } {
    const c = this.classes[cls];
    return { running: c.running, queued: c.waiters.length };
  }

  /**
   * Admits a request of `cls`: a release function now (a free slot), a promise of one (queued), or throws the
   * shed error (queue full). The release function must be called when the request is over.
   */
  acquire(cls: QueuedClass, operationId: string): Release | Promise<Release> {
    const c = this.classes[cls];
    if (c.running < c.limits.concurrency && c.waiters.length === 0) {
      c.running++;
      this.depthChanged(cls);
      return this.releaser(cls);
    }
    if (c.waiters.length >= c.limits.queue) {
      const displaced = cls === "validator" ? this.displaceOther(cls) : false;
      if (!displaced) {
        this.opts.onShed?.(cls, operationId, "queue full");
        throw this.opts.makeError(cls, operationId, "queue full");
      }
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { operationId, resolve, reject };
      if (this.opts.maxWaitMs > 0) {
        waiter.timer = setTimeout(() => {
          const i = c.waiters.indexOf(waiter);
          if (i < 0) return;
          c.waiters.splice(i, 1);
          this.depthChanged(cls);
          this.opts.onShed?.(cls, operationId, "queue wait timed out");
          reject(this.opts.makeError(cls, operationId, "queue wait timed out"));
        }, this.opts.maxWaitMs);
        waiter.timer.unref?.();
      }
      c.waiters.push(waiter);
      this.depthChanged(cls);
    });
  }

  /** Sheds the newest waiter of another class with queued work; false when no other class has any. */
  private displaceOther(favoured: QueuedClass): boolean {
    for (const cls of Object.keys(this.classes) as QueuedClass[]) {
      if (cls === favoured) continue;
      const victim = this.classes[cls].waiters.pop();
      if (victim === undefined) continue;
      if (victim.timer !== undefined) clearTimeout(victim.timer);
      this.depthChanged(cls);
      this.opts.onShed?.(cls, victim.operationId, "displaced by validator work");
      victim.reject(this.opts.makeError(cls, victim.operationId, "displaced by validator work"));
      return true;
    }
    return false;
  }

  private releaser(cls: QueuedClass): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const c = this.classes[cls];
      const next = c.waiters.shift();
      if (next === undefined) {
        c.running--;
      } else {
        // The slot passes straight to the next waiter (running stays the same).
        if (next.timer !== undefined) clearTimeout(next.timer);
        next.resolve(this.releaser(cls));
      }
      this.depthChanged(cls);
    };
  }

  private depthChanged(cls: QueuedClass): void {
    if (this.opts.onDepth === undefined) return;
    const c = this.classes[cls];
    this.opts.onDepth(cls, c.running, c.waiters.length);
  }
}
