// The beacon node's REST request governor, plugged into api-spec's createApiServer as `beforeHandler`: rate limiting
// per client (token buckets keyed by the bearer token when one is sent, else by IP; a token cost per operation;
// allowlisted validator-client addresses never limited; 429 with Retry-After) and load shedding (bounded
// concurrency queues per class — validator work first, expensive state reads bounded, cheap routes not queued;
// 503 with Retry-After: 1 when a queue is full). A queued request holds its slot until the server calls the
// release function the governor returns (response sent or client gone).
import { createHash } from "node:crypto";
import type { RequestInfo } from "@sextant/api-spec";
import { parseAllowlist } from "./allowlist.ts";
import { ClientBuckets } from "./buckets.ts";
import { GovernorRefusal } from "./errors.ts";
import {
  DEFAULT_ROUTE_CLASSES,
  DEFAULT_ROUTE_COST,
  DEFAULT_ROUTE_COSTS,
  type QueuedClass,
  type RouteClass,
} from "./routes.ts";
import { type ClassLimits, LoadShedder, type Release, type ShedReason } from "./shedder.ts";

/** Optional metrics callbacks. */
export interface GovernorMetrics {
  /** A request refused with 429. */
  rateLimited?(operationId: string): void;
  /** A request refused with 503 (queue full, wait timed out, displaced by validator work). */
  shed?(operationId: string, cls: QueuedClass, reason: ShedReason): void;
  /** Running and queued requests of a class changed. */
  queueDepth?(cls: QueuedClass, running: number, queued: number): void;
}

/** Governor settings. */
export interface GovernorOptions {
  /** Tokens added to each client's bucket per second. */
  ratePerSecond: number;
  /** Bucket size: the most a client can spend at once. */
  burst: number;
  /** Token cost per operationId, over DEFAULT_ROUTE_COSTS. */
  costs?: Record<string, number>;
  /** Cost of operations in neither table (DEFAULT_ROUTE_COST). */
  defaultCost?: number;
  /** IPs and CIDRs of the operator's own validator clients: never rate limited. */
  allowlist: string[];
  /** Class per operationId, over DEFAULT_ROUTE_CLASSES (missing: cheap). */
  classes?: Record<string, RouteClass>;
  /** Concurrency and queue limits per queued class, over DEFAULT_CLASS_LIMITS. */
  limits?: Partial<Record<QueuedClass, Partial<ClassLimits>>>;
  /** Longest wait in a queue before a 503, ms (DEFAULT_MAX_QUEUE_WAIT_MS); 0: no limit. */
  maxQueueWaitMs?: number;
  /** Most clients tracked (DEFAULT_MAX_CLIENTS); the least recently seen is forgotten beyond. */
  maxClients?: number;
  /**
   * Which bearer tokens get their own bucket. Default: any. Without a check, a client sending a new made-up token
   * on every request gets a fresh bucket each time: pass the node's token check when clients are untrusted.
   */
  isKnownToken?: (token: string) => boolean;
  /** Current time, ms (tests inject a fake clock). */
  now?: () => number;
  metrics?: GovernorMetrics;
}

/** Default limits: validator work gets the larger share. */
export const DEFAULT_CLASS_LIMITS: Readonly<Record<QueuedClass, ClassLimits>> = {
  validator: { concurrency: 32, queue: 512 },
  expensive: { concurrency: 4, queue: 32 },
};
/** Default longest queue wait. */
export const DEFAULT_MAX_QUEUE_WAIT_MS = 30_000;
/** Default cap on tracked clients. */
export const DEFAULT_MAX_CLIENTS = 10_000;

/** A snapshot of the governor's state. */
export interface GovernorStats {
  clients: number;
  validator: { running: number; queued: number };
  expensive: { running: number; queued: number };
}

/** The request governor. */
export interface RequestGovernor {
  /** createApiServer's `beforeHandler`: throws a GovernorRefusal (429/503) or admits, maybe with a release. */
  beforeHandler(info: RequestInfo): Release | undefined | Promise<Release>;
  /** The client key of a request (`token:<hash>` or `ip:<address>`); undefined when allowlisted. */
  clientKey(info: RequestInfo): string | undefined;
  stats(): GovernorStats;
}

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/** Builds the governor from `opts`. */
export function createRequestGovernor(opts: GovernorOptions): RequestGovernor {
  const allowlist = parseAllowlist(opts.allowlist);
  const costs = { ...DEFAULT_ROUTE_COSTS, ...opts.costs };
  const defaultCost = opts.defaultCost ?? DEFAULT_ROUTE_COST;
  const classes = { ...DEFAULT_ROUTE_CLASSES, ...opts.classes };
  const metrics = opts.metrics;
  const buckets = new ClientBuckets({
    ratePerSecond: opts.ratePerSecond,
    burst: opts.burst,
    maxClients: opts.maxClients ?? DEFAULT_MAX_CLIENTS,
    now: opts.now ?? Date.now,
  });
  const shedder = new LoadShedder({
    limits: {
      validator: { ...DEFAULT_CLASS_LIMITS.validator, ...opts.limits?.validator },
      expensive: { ...DEFAULT_CLASS_LIMITS.expensive, ...opts.limits?.expensive },
    },
    maxWaitMs: opts.maxQueueWaitMs ?? DEFAULT_MAX_QUEUE_WAIT_MS,
    makeError: (cls, operationId, reason) =>
      new GovernorRefusal(503, `node busy: ${operationId} refused (${cls} requests ${reason}); retry shortly`, 1),
    onShed: (cls, operationId, reason) => metrics?.shed?.(operationId, cls, reason),
    onDepth: (cls, running, queued) => metrics?.queueDepth?.(cls, running, queued),
  });

  function clientKey(info: RequestInfo): string | undefined {
    if (allowlist.has(info.ip)) return undefined;
    const auth = info.headers.authorization;
    const token = typeof auth === "string" ? BEARER.exec(auth)?.[1] : undefined;
    if (token !== undefined && (opts.isKnownToken === undefined || opts.isKnownToken(token))) {
      // A hash, not the secret itself, stays in memory.
      return `token:${createHash("sha256").update(token).digest("base64url").slice(0, 22)}`;
    }
    return `ip:${info.ip}`;
  }

  function beforeHandler(info: RequestInfo): Release | undefined | Promise<Release> {
    const { operationId } = info;
    const key = clientKey(info);
    const cost = costs[operationId] ?? defaultCost;
    if (key !== undefined) {
      const taken = buckets.take(key, cost);
      if (!taken.ok) {
        metrics?.rateLimited?.(operationId);
        throw new GovernorRefusal(
          429,
          `rate limit exceeded: ${operationId} costs ${cost} tokens at ${opts.ratePerSecond}/s (burst ${opts.burst}); retry in ${taken.retryAfterSeconds} s`,
          taken.retryAfterSeconds,
        );
      }
    }
    const cls = classes[operationId] ?? "cheap";
    if (cls === "cheap") return undefined;
    const refund = (err: unknown): never => {
      if (key !== undefined) buckets.refund(key, cost);
      throw err;
    };
    try {
      const slot = shedder.acquire(cls, operationId);
      return typeof slot === "function" ? slot : slot.catch(refund);
    } catch (err) {
      return refund(err);
    }
  }

  return {
    beforeHandler,
    clientKey,
    stats: () => ({
      clients: buckets.size,
      validator: shedder.depth("validator"),
      expensive: shedder.depth("expensive"),
    }),
  };
}
