// The validator client's beacon nodes (--beacon-nodes): which node answers. Each node is health-checked on its own
// loop (its spec once — a node of another network is refused for good —, its version once, then its sync status
// every interval); requests go to the first synced node in the operator's order, then to degraded ones, failing
// over on network errors, timeouts and 5xx. A failing node backs off exponentially (with jitter) and is sent
// nothing before its next check: the Medalla lesson — validator clients that kept asking unsynced or overloaded
// nodes for duties kept them down. When no node is usable, requests fail at once without sending anything.
import {
  type ApiClientError,
  type BeaconRoutes,
  backoffDelay,
  createApiClient,
  DEFAULT_TIMEOUT_MS,
  isApiClientError,
} from "@sextant/api-spec";
import { type Logger, redactUrl, SextantError } from "@sextant/common";
import type { ValidatorMetrics } from "../metrics.ts";
import type {
  BeaconApi,
  BeaconNodes,
  BeaconNodesEvent,
  NodeCall,
  NodeHealth,
  NodeState,
  TimeSource,
} from "../ports.ts";

/** Options of the pool. */
export interface BeaconNodePoolOptions {
  /** Beacon node base URLs, in the operator's order of preference (credentials allowed: they are never logged). */
  urls: string[];
  /** The Beacon API route table (beaconRoutes(ctx)). */
  routes: BeaconRoutes;
  time: TimeSource;
  logger: Logger;
  metrics?: ValidatorMetrics;
  /** Publish to every usable node (--broadcast). */
  broadcast?: boolean;
  /** Time between two health checks of a node that answers, ms (default 6000). */
  healthIntervalMs?: number;
  /** Backoff of a failing node: min(maxMs, baseMs·2^(failures-1)), jittered into [d/2, d]. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** A node at most this many slots behind counts as synced (default 4). */
  syncToleranceSlots?: number;
  /** Timeout of a request, ms (default the API client's, 12 s); health checks use min(this, the interval). */
  requestTimeoutMs?: number;
  /** Compares a node's spec with ours: a reason to refuse it, or undefined (see spec.ts checkSpecCompatible). */
  checkSpec?: (spec: Record<string, unknown>) => string | undefined;
  /** The API client of a node (tests inject); default createApiClient(routes, { baseUrl: url, timeoutMs }). */
  clientFor?: (url: string) => BeaconApi;
  /** Random numbers in [0, 1) for the backoff jitter (tests inject); default Math.random. */
  random?: () => number;
}

/** No beacon node can take a request now; the message says, node by node, why. */
export class NoUsableNodeError extends SextantError<
  "NO_USABLE_BEACON_NODE",
  { nodes: { url: string; state: NodeState; reason?: string; retryInMs?: number }[] }
> {
  constructor(message: string, context: NoUsableNodeError["context"]) {
    super("NO_USABLE_BEACON_NODE", message, context);
    this.name = "NoUsableNodeError";
  }
}

/** A URL given to --beacon-nodes that cannot be used. */
export class BeaconNodeUrlError extends SextantError<"INVALID_BEACON_NODE_URL", { url: string }> {}

const DEFAULT_HEALTH_INTERVAL_MS = 6000;
const DEFAULT_BACKOFF_BASE_MS = 1000;
const DEFAULT_BACKOFF_MAX_MS = 60_000;
const DEFAULT_SYNC_TOLERANCE_SLOTS = 4;
/** Health checks never time out faster than this (a node under load may take a second to answer). */
const MIN_HEALTH_TIMEOUT_MS = 1000;
/** Weight of the newest sample in the latency moving average. */
const LATENCY_EWMA_WEIGHT = 0.2;
const ALL_STATES: readonly NodeState[] = ["unknown", "unreachable", "incompatible", "syncing", "degraded", "synced"];

/** What a failed call means for the node and the request. */
type Verdict =
  /** The node is down (network error, timeout): back off from it, try the next one. */
  | "fail-node"
  /**
   * The node answered 5xx to this request: try the next node, but leave its health alone — it is up, and some
   * nodes answer 500 where they mean "not found" (Lodestar 1.5: no aggregate yet); its health checks decide.
   */
  | "server-error"
  /** The node answered something we could not decode: try the next one, leave the node's health alone. */
  | "try-next"
  /** An answer (4xx), the caller's abort, or a bug in the call: rethrow as it is. */
  | "rethrow";

/** HTTP 501: the node does not implement the route. */
const NOT_IMPLEMENTED = 501;

function verdictOf(err: unknown): Verdict {
  if (!isApiClientError(err)) return "rethrow";
  switch (err.code) {
    case "API_CLIENT_NETWORK":
    case "API_CLIENT_TIMEOUT":
      return "fail-node";
    case "API_CLIENT_HTTP":
      // 501 Not Implemented is an answer about one route (the endpoint fallbacks handle it), not a node fault.
      return (err.status ?? 0) >= 500 && err.status !== NOT_IMPLEMENTED ? "server-error" : "rethrow";
    case "API_CLIENT_BAD_RESPONSE":
      return "try-next";
    case "API_CLIENT_ABORTED":
      return "rethrow";
  }
}

/** The `kind` label of a failed request. */
function errorKind(err: unknown): string {
  if (!isApiClientError(err)) return "other";
  switch (err.code) {
    case "API_CLIENT_NETWORK":
      return "network";
    case "API_CLIENT_TIMEOUT":
      return "timeout";
    case "API_CLIENT_HTTP":
      return (err.status ?? 0) >= 500 ? "http_5xx" : "http_4xx";
    case "API_CLIENT_BAD_RESPONSE":
      return "bad_response";
    case "API_CLIENT_ABORTED":
      return "aborted";
  }
}

/** A short, human description of why a call failed ("connect ECONNREFUSED 127.0.0.1:5052", "HTTP 503"). */
export function describeFailure(err: unknown): string {
  if (isApiClientError(err)) {
    const e = err as ApiClientError;
    switch (e.code) {
      case "API_CLIENT_NETWORK": {
        const cause = e.cause as { message?: unknown; code?: unknown } | undefined;
        const message = typeof cause?.message === "string" ? cause.message : "";
        const code = typeof cause?.code === "string" ? cause.code : "";
        if (message !== "" && (code === "" || message.includes(code))) return message;
        return code !== "" ? (message !== "" ? `${code}: ${message}` : code) : e.message;
      }
      case "API_CLIENT_TIMEOUT":
        return `no answer within ${e.context.timeoutMs} ms`;
      case "API_CLIENT_HTTP":
        return `HTTP ${e.status}${e.context.body?.message ? `: ${e.context.body.message}` : ""}`;
      case "API_CLIENT_BAD_RESPONSE":
        return `undecodable answer to ${e.context.operationId}`;
      case "API_CLIENT_ABORTED":
        return "aborted";
    }
  }
  return err instanceof Error ? err.message : String(err);
}

/** 1234 → "1,234". */
function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** The URL as shown in logs and metrics: credentials and secret query parameters removed, no trailing slash. */
function shownUrl(url: string): string {
  return redactUrl(url).replace(/\/+$/, "");
}

/** The pool's record of one node. */
interface Entry {
  /** The live health record (callers get copies from nodes()). */
  readonly health: NodeHealth;
  readonly api: BeaconApi;
  specChecked: boolean;
  versionAsked: boolean;
  /** The health check in flight, if any (at most one per node). */
  checking?: Promise<void>;
  /** Wakes the node's loop from its sleep (its nextCheckAt moved). */
  wake?: AbortController;
  /** Requests (by `what`) the node answered undecodably: logged once each. */
  readonly undecodable: Set<string>;
}

/**
 * The beacon-node pool (see the file comment). Construct, `start(signal)` the health loops, and `close()` at the
 * end. Nodes are "unknown" until their first check; `request()` before any node is checked throws
 * NoUsableNodeError — wait with `waitUntilUsable`.
 *
 * Health, node by node:
 * - first contact: GET /eth/v1/config/spec (once; `checkSpec` refusing it makes the node "incompatible" for good),
 *   GET /eth/v1/node/version (once, best effort), then GET /eth/v1/node/syncing;
 * - then GET /eth/v1/node/syncing once per `healthIntervalMs`, never more often;
 * - synced: is_syncing false (whatever the distance: slots without blocks leave a synced node's head behind the
 *   clock), or sync_distance ≤ syncToleranceSlots (a node a slot or two behind reports is_syncing while it catches
 *   up, and its duties are right); is_syncing true beyond the tolerance is "syncing". Synced with is_optimistic or
 *   el_offline: "degraded";
 * - a failed check (network, timeout, any HTTP error, undecodable answer) makes the node "unreachable" and backs
 *   off: next check after min(maxMs, baseMs·2^(failures-1)), jittered into [d/2, d]. A request failing on a node
 *   (network, timeout, 5xx) does the same.
 * A node that is not synced or degraded is never sent a request; an unreachable node is sent nothing (not even a
 * health check) before its nextCheckAt. State changes are logged once, with what the operator can do.
 */
export class BeaconNodePool implements BeaconNodes {
  readonly #entries: Entry[];
  readonly #time: TimeSource;
  readonly #logger: Logger;
  readonly #metrics: ValidatorMetrics | undefined;
  readonly #broadcast: boolean;
  readonly #intervalMs: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #toleranceSlots: number;
  readonly #healthTimeoutMs: number;
  readonly #checkSpec: ((spec: Record<string, unknown>) => string | undefined) | undefined;
  readonly #random: () => number;
  readonly #listeners = new Set<(event: BeaconNodesEvent) => void>();
  readonly #waiters = new Set<() => void>();
  readonly #controller = new AbortController();
  #primary: string | undefined;
  #started = false;
  #loops: Promise<void>[] = [];

  constructor(opts: BeaconNodePoolOptions) {
    if (opts.urls.length === 0)
      throw new BeaconNodeUrlError(
        "INVALID_BEACON_NODE_URL",
        "no beacon node given: pass --beacon-nodes http://127.0.0.1:5052",
        { url: "" },
      );
    this.#time = opts.time;
    this.#logger = opts.logger;
    this.#metrics = opts.metrics;
    this.#broadcast = opts.broadcast ?? false;
    this.#intervalMs = opts.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
    this.#backoffBaseMs = opts.backoff?.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.#backoffMaxMs = opts.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
    this.#toleranceSlots = opts.syncToleranceSlots ?? DEFAULT_SYNC_TOLERANCE_SLOTS;
    const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#healthTimeoutMs = Math.min(requestTimeoutMs, Math.max(MIN_HEALTH_TIMEOUT_MS, this.#intervalMs));
    this.#checkSpec = opts.checkSpec;
    this.#random = opts.random ?? Math.random;
    if (!(this.#intervalMs > 0)) throw new RangeError(`healthIntervalMs must be > 0, got ${this.#intervalMs}`);
    const clientFor =
      opts.clientFor ?? ((url: string) => createApiClient(opts.routes, { baseUrl: url, timeoutMs: requestTimeoutMs }));
    this.#entries = opts.urls.map((url, index) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new BeaconNodeUrlError(
          "INVALID_BEACON_NODE_URL",
          `--beacon-nodes: ${JSON.stringify(shownUrl(url))} is not a URL; write it as http://host:port (e.g. http://127.0.0.1:5052)`,
          { url: shownUrl(url) },
        );
      }
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
        throw new BeaconNodeUrlError(
          "INVALID_BEACON_NODE_URL",
          `--beacon-nodes: ${shownUrl(url)} is not an http(s) URL; the Beacon API is served over HTTP (e.g. http://127.0.0.1:5052)`,
          { url: shownUrl(url) },
        );
      const health: NodeHealth = {
        url: shownUrl(url),
        index,
        state: "unknown",
        consecutiveFailures: 0,
        nextCheckAt: 0,
        reason: "not checked yet",
      };
      return { health, api: clientFor(url), specChecked: false, versionAsked: false, undecodable: new Set<string>() };
    });
    for (const entry of this.#entries) {
      this.#setStateMetric(entry);
      this.#metrics?.nodePrimary.set({ node: entry.health.url }, 0);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // BeaconNodes

  /** Copies of every node's health, in --beacon-nodes order. */
  nodes(): readonly NodeHealth[] {
    return this.#entries.map((e) => ({ ...e.health }));
  }

  isUsable(): boolean {
    return this.#entries.some((e) => isUsableState(e.health.state));
  }

  waitUntilUsable(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.isUsable()) return Promise.resolve();
    if (this.#controller.signal.aborted) return Promise.reject(new Error("the beacon-node pool is closed"));
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.#waiters.delete(done);
        signal.removeEventListener("abort", onAbort);
        if (this.isUsable()) resolve();
        else reject(new Error("the beacon-node pool is closed"));
      };
      const onAbort = () => {
        this.#waiters.delete(done);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(done);
    });
  }

  async request<T>(what: string, call: NodeCall<T>, opts: { signal?: AbortSignal } = {}): Promise<T> {
    const candidates = this.#usable();
    if (candidates.length === 0) throw this.#noUsableNodeError(what);
    let firstError: unknown;
    let tried = 0;
    for (const entry of candidates) {
      // A concurrent request may have failed this node since the list was made: it is backing off now.
      if (!isUsableState(entry.health.state)) continue;
      opts.signal?.throwIfAborted();
      tried++;
      try {
        return await this.#callNode(entry, what, call);
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        const verdict = verdictOf(err);
        if (verdict === "rethrow") throw err;
        if (verdict === "fail-node") this.#onFailure(entry, err, what);
        else if (verdict === "server-error") {
          // The caller reports the error if no node can answer.
        } else if (!entry.undecodable.has(what)) {
          entry.undecodable.add(what);
          this.#logger.warn(
            { node: entry.health.url, what, err },
            `beacon node ${entry.health.url} sent an answer to ${what} that does not decode (a client version this ` +
              "one does not speak?); trying the next node (logged once per request kind)",
          );
        }
        firstError ??= err;
      }
    }
    if (tried === 0) throw this.#noUsableNodeError(what);
    throw firstError;
  }

  async publish(what: string, call: NodeCall<unknown>, opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (!this.#broadcast) {
      await this.request(what, call, opts);
      return;
    }
    const candidates = this.#usable();
    if (candidates.length === 0) throw this.#noUsableNodeError(what);
    opts.signal?.throwIfAborted();
    const outcomes = candidates.map((entry) =>
      this.#callNode(entry, what, call).then(
        () => ({ ok: true as const }),
        (err: unknown) => {
          if (!opts.signal?.aborted && verdictOf(err) === "fail-node") this.#onFailure(entry, err, what);
          return { ok: false as const, err };
        },
      ),
    );
    await new Promise<void>((resolve, reject) => {
      const errors: unknown[] = new Array(outcomes.length);
      let pending = outcomes.length;
      outcomes.forEach((outcome, i) => {
        void outcome.then((result) => {
          if (result.ok) {
            resolve();
            return;
          }
          errors[i] = result.err;
          if (--pending === 0) reject(errors[0]);
        });
      });
    });
  }

  on(listener: (event: BeaconNodesEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Life cycle

  /** Starts the health loops (one per node); they run until `signal` aborts or close(). Call once. */
  start(signal?: AbortSignal): void {
    if (this.#started) throw new Error("BeaconNodePool.start: already started");
    this.#started = true;
    if (signal) {
      if (signal.aborted) this.#controller.abort(signal.reason);
      else signal.addEventListener("abort", () => this.#controller.abort(signal.reason), { once: true });
    }
    const loopSignal = this.#controller.signal;
    this.#loops = this.#entries.map((entry) =>
      this.#nodeLoop(entry, loopSignal).catch((err: unknown) =>
        this.#logger.error(
          { node: entry.health.url, err },
          `the health loop of beacon node ${entry.health.url} stopped on an error (a bug); the node is no longer checked`,
        ),
      ),
    );
  }

  /** Resolves when no health check is in flight (tests; shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#entries.map((e) => e.checking));
  }

  /** Stops the health loops, fails pending waitUntilUsable calls, closes the connections. */
  async close(): Promise<void> {
    this.#controller.abort(new Error("the beacon-node pool is closed"));
    for (const wake of [...this.#waiters]) wake();
    await Promise.allSettled(this.#loops);
    await Promise.allSettled(this.#entries.map((e) => e.api.close()));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Health

  async #nodeLoop(entry: Entry, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && entry.health.state !== "incompatible") {
      const waitMs = entry.health.nextCheckAt - this.#time.now();
      if (waitMs > 0) {
        // One controller for both reasons to wake: the pool stopping, or nextCheckAt moving (a failed request).
        // (Not AbortSignal.any: a composite signal per sleep on the long-lived pool signal piles up listeners.)
        const wake = new AbortController();
        const onStop = () => wake.abort();
        signal.addEventListener("abort", onStop, { once: true });
        entry.wake = wake;
        try {
          await this.#time.sleep(waitMs, wake.signal);
        } catch {
          // Stopped (the loop ends) or woken (nextCheckAt moved): look again.
        } finally {
          signal.removeEventListener("abort", onStop);
          entry.wake = undefined;
        }
        continue;
      }
      const check = this.#check(entry, signal);
      entry.checking = check;
      await check;
      entry.checking = undefined;
    }
  }

  /** One health check: spec and version on first contact, then the sync status. */
  async #check(entry: Entry, signal: AbortSignal): Promise<void> {
    const h = entry.health;
    const startedAt = this.#time.now();
    // The next check is due one interval after this one started, whatever happens (a failure moves it later).
    h.nextCheckAt = startedAt + this.#intervalMs;
    const callOpts = { signal, timeoutMs: this.#healthTimeoutMs };
    try {
      if (!entry.specChecked) {
        const spec = await this.#timed(entry, "getSpec", () => entry.api.getSpec({}, callOpts));
        const reason = this.#checkSpec?.(spec.data);
        entry.specChecked = true;
        if (reason !== undefined) {
          this.#setState(entry, "incompatible", `on another network or configuration: ${reason}`);
          return;
        }
      }
      if (!entry.versionAsked) {
        entry.versionAsked = true;
        try {
          const res = await this.#timed(entry, "getNodeVersion", () => entry.api.getNodeVersion({}, callOpts));
          h.version = res.data.version;
        } catch (err) {
          if (signal.aborted) return;
          this.#logger.debug({ node: h.url, err }, "could not read the beacon node's version (not needed)");
        }
      }
      const sync = await this.#timed(entry, "getSyncingStatus", () => entry.api.getSyncingStatus({}, callOpts));
      this.#onSyncStatus(entry, sync.data);
    } catch (err) {
      if (signal.aborted) return;
      this.#onFailure(entry, err, "health check");
    }
  }

  #onSyncStatus(
    entry: Entry,
    data: { headSlot: number; syncDistance: number; isSyncing: boolean; isOptimistic?: boolean; elOffline?: boolean },
  ): void {
    const h = entry.health;
    h.headSlot = data.headSlot;
    h.syncDistance = data.syncDistance;
    h.isOptimistic = data.isOptimistic ?? false;
    h.elOffline = data.elOffline ?? false;
    h.consecutiveFailures = 0;
    if (data.isSyncing && data.syncDistance > this.#toleranceSlots) {
      this.#setState(entry, "syncing", `syncing, ${count(data.syncDistance)} slots behind`);
    } else if (h.elOffline || h.isOptimistic) {
      const why = h.elOffline
        ? "its execution client is offline"
        : "its head is optimistic (the execution client has not validated it yet)";
      this.#setState(entry, "degraded", why);
    } else {
      this.#setState(entry, "synced", undefined);
    }
  }

  /** A failed health check or request: the node is unreachable and backs off. */
  #onFailure(entry: Entry, err: unknown, what: string): void {
    const h = entry.health;
    h.consecutiveFailures++;
    // d = min(max, base·2^(failures-1)), scaled into [d/2, d] (backoffDelay scales by 1 - jitter·r: r' = 1 - r keeps
    // "a larger random number, a longer wait").
    const jittered = backoffDelay(
      h.consecutiveFailures - 1,
      { initialMs: this.#backoffBaseMs, maxMs: this.#backoffMaxMs, factor: 2, jitter: 0.5 },
      () => 1 - this.#random(),
    );
    h.nextCheckAt = this.#time.now() + jittered;
    const reason = `unreachable (${describeFailure(err)})`;
    if (h.state === "unreachable") {
      h.reason = reason;
      this.#logger.debug(
        { node: h.url, what, failures: h.consecutiveFailures, retryInMs: h.nextCheckAt - this.#time.now(), err },
        `beacon node ${h.url} still unreachable`,
      );
    } else {
      // The reason says why in a line; the error with its stack goes to debug only.
      this.#logger.debug({ node: h.url, what, err }, `beacon node ${h.url} failed`);
      this.#setState(entry, "unreachable", reason, { what });
    }
    entry.wake?.abort();
  }

  #setState(entry: Entry, state: NodeState, reason: string | undefined, detail: Record<string, unknown> = {}): void {
    const h = entry.health;
    const previous = h.state;
    h.state = state;
    h.reason = reason;
    if (previous !== state) {
      this.#setStateMetric(entry);
      this.#logStateChange(entry, previous, detail);
    }
    this.#updatePrimary();
    if (previous !== state && state === "synced") this.#emit({ kind: "node-synced", url: h.url });
  }

  #logStateChange(entry: Entry, previous: NodeState, detail: Record<string, unknown>): void {
    const h = entry.health;
    const fields = { node: h.url, state: h.state, previous, ...detail };
    const other = this.#usable().find((e) => e !== entry)?.health.url;
    const fallback = other !== undefined ? `using ${other}` : "no other beacon node is usable now";
    switch (h.state) {
      case "synced": {
        const again = previous === "unknown" ? "" : " again";
        const version = h.version !== undefined ? `, ${h.version}` : "";
        this.#logger.info(
          { ...fields, headSlot: h.headSlot, version: h.version },
          `beacon node ${h.url} is synced${again} (head slot ${h.headSlot}${version})`,
        );
        return;
      }
      case "degraded":
        this.#logger.warn(
          { ...fields, headSlot: h.headSlot, isOptimistic: h.isOptimistic, elOffline: h.elOffline },
          `beacon node ${h.url} is synced but ${h.reason}; it is used only while no other node is fully synced: ` +
            "check its execution client",
        );
        return;
      case "syncing":
        this.#logger.warn(
          { ...fields, headSlot: h.headSlot, syncDistance: h.syncDistance },
          `beacon node ${h.url} is syncing, ${count(h.syncDistance ?? 0)} slots behind; waiting for it to sync` +
            (other !== undefined ? `; using ${other}` : " (no other beacon node is usable: duties wait)"),
        );
        return;
      case "unreachable": {
        const retryS = Math.max(1, Math.ceil((h.nextCheckAt - this.#time.now()) / 1000));
        this.#logger.warn(
          { ...fields, failures: h.consecutiveFailures, retryInMs: h.nextCheckAt - this.#time.now() },
          `beacon node ${h.url} is ${h.reason}; retrying in ${retryS} s; ${fallback}` +
            (other === undefined ? " (check that the node runs and that --beacon-nodes has its REST API address)" : ""),
        );
        return;
      }
      case "incompatible":
        this.#logger.error(
          fields,
          `beacon node ${h.url} is ${h.reason}; it will not be used: point --beacon-nodes at a node of this network, ` +
            "or fix --network / --chain-config",
        );
        return;
      case "unknown":
        return;
    }
  }

  #updatePrimary(): void {
    const usable = this.#usable();
    const primary = usable[0]?.health.url;
    if (primary !== this.#primary) {
      const from = this.#primary;
      this.#primary = primary;
      if (this.#metrics)
        for (const e of this.#entries)
          this.#metrics.nodePrimary.set({ node: e.health.url }, e.health.url === primary ? 1 : 0);
      this.#emit({ kind: "primary-changed", from, to: primary });
      if (primary === undefined) {
        this.#logger.warn(
          { nodes: this.#entries.map((e) => ({ url: e.health.url, state: e.health.state })) },
          `no beacon node is usable (${this.#describeNodes()}); duties wait until one is synced`,
        );
        this.#emit({ kind: "no-usable-node" });
      } else if (from !== undefined) {
        this.#logger.info({ from, to: primary }, `requests now go to beacon node ${primary} (was ${from})`);
      }
    }
    if (usable.length > 0 && this.#waiters.size > 0) for (const wake of [...this.#waiters]) wake();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Helpers

  /** Usable nodes, best first: synced in the operator's order, then degraded in the operator's order. */
  #usable(): Entry[] {
    return [
      ...this.#entries.filter((e) => e.health.state === "synced"),
      ...this.#entries.filter((e) => e.health.state === "degraded"),
    ];
  }

  /** Runs one request on a node, measuring it (latency average, metrics). */
  async #callNode<T>(entry: Entry, what: string, call: NodeCall<T>): Promise<T> {
    return this.#timed(entry, what, () => call(entry.api, entry.health));
  }

  async #timed<T>(entry: Entry, operation: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const labels = { node: entry.health.url, operation };
    try {
      const result = await fn();
      const ms = performance.now() - started;
      const h = entry.health;
      h.latencyMs = h.latencyMs === undefined ? ms : h.latencyMs + LATENCY_EWMA_WEIGHT * (ms - h.latencyMs);
      this.#metrics?.nodeRequestSeconds.observe(labels, ms / 1000);
      return result;
    } catch (err) {
      this.#metrics?.nodeRequestSeconds.observe(labels, (performance.now() - started) / 1000);
      this.#metrics?.nodeRequestErrors.inc({ ...labels, kind: errorKind(err) });
      throw err;
    }
  }

  #setStateMetric(entry: Entry): void {
    if (!this.#metrics) return;
    for (const state of ALL_STATES)
      this.#metrics.nodeState.set({ node: entry.health.url, state }, state === entry.health.state ? 1 : 0);
  }

  #emit(event: BeaconNodesEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.#logger.error({ err, event: event.kind }, "a beacon-node event listener threw (a bug); ignored");
      }
    }
  }

  /** "http://a: syncing, 1,234 slots behind; http://b: unreachable (connect ECONNREFUSED), retry in 8 s". */
  #describeNodes(): string {
    const now = this.#time.now();
    return this.#entries
      .map(({ health: h }) => {
        const retry =
          h.state === "unreachable" ? `, retry in ${Math.max(1, Math.ceil((h.nextCheckAt - now) / 1000))} s` : "";
        return `${h.url}: ${h.reason ?? h.state}${retry}`;
      })
      .join("; ");
  }

  #noUsableNodeError(what: string): NoUsableNodeError {
    const now = this.#time.now();
    return new NoUsableNodeError(`no usable beacon node for ${what}: ${this.#describeNodes()}`, {
      nodes: this.#entries.map(({ health: h }) => ({
        url: h.url,
        state: h.state,
        ...(h.reason !== undefined ? { reason: h.reason } : {}),
        ...(h.state === "unreachable" ? { retryInMs: Math.max(0, h.nextCheckAt - now) } : {}),
      })),
    });
  }
}

function isUsableState(state: NodeState): boolean {
  return state === "synced" || state === "degraded";
}
