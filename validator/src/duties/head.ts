// Heads as the primary beacon node reports them, from its Server-Sent Events stream (topic "head"). The tracker
// follows the pool's primary node (re-subscribing when it changes), tells listeners of every head (the duties
// check their dependent roots against it), lets the attestation and sync committee services wait for the head
// block of a slot, and reports stream gaps (events may have been missed: duties re-poll). Without an event stream
// (a node that has none, or none usable yet) it still works: waitForHeadOfSlot just waits for its deadline.
import {
  type BeaconEvent,
  beaconEventCodec,
  type EventCodec,
  type EventGap,
  type EventSubscription,
  type RouteContext,
  subscribeEvents,
} from "@sextant/api-spec";
import type { Logger } from "@sextant/common";
import { systemTime } from "../clock/time.ts";
import type { BeaconNodes, BeaconNodesEvent, HeadEvent, HeadEvents, NodeHealth, TimeSource } from "../ports.ts";

/** Why events may have been missed. */
export interface HeadGap {
  /** The stream was down from `from` to `to` (unix ms). */
  reason: "stream-gap";
  from: number;
  to: number;
  /** The node whose stream it was. */
  node: string;
}

/** How the tracker opens a stream (subscribeEvents; tests may pass their own). */
export type SubscribeHeads = (opts: {
  baseUrl: string;
  onHead: (event: HeadEvent) => void;
  onGap: (gap: EventGap) => void;
  onError: (err: Error) => void;
}) => EventSubscription;

/** Options of HeadTracker. */
export interface HeadTrackerOptions {
  nodes: BeaconNodes;
  /** The node's raw URL (with credentials, if any): the composition has it, the pool only shows redacted ones. */
  streamUrlOf: (node: NodeHealth) => string;
  /** Types of the event codec (beaconEventCodec). */
  ctx: RouteContext;
  logger: Logger;
  /** Clock of the deadlines of waitForHeadOfSlot (default: the system's). */
  time?: TimeSource;
  /** Stream opener (default: subscribeEvents over `ctx`'s codec). */
  subscribe?: SubscribeHeads;
}

interface Waiter {
  slot: number;
  resolve: (seen: boolean) => void;
}

/** The head event of the SSE codec, as ports.ts has it. */
function toHeadEvent(data: Extract<BeaconEvent, { topic: "head" }>["data"]): HeadEvent {
  return {
    slot: data.slot,
    block: data.block,
    previousDutyDependentRoot: data.previousDutyDependentRoot,
    currentDutyDependentRoot: data.currentDutyDependentRoot,
    epochTransition: data.epochTransition,
  };
}

/** The default stream opener: subscribeEvents on topic "head". */
function defaultSubscribe(ctx: RouteContext): SubscribeHeads {
  // The codec is built once: it holds the JSON codecs of every topic.
  let codec: EventCodec<BeaconEvent> | undefined;
  return (opts) => {
    codec ??= beaconEventCodec(ctx);
    return subscribeEvents<BeaconEvent>({
      baseUrl: opts.baseUrl,
      topics: ["head"],
      codec,
      onEvent: (event) => {
        if (event.topic === "head") opts.onHead(toHeadEvent(event.data));
      },
      onGap: opts.onGap,
      onError: opts.onError,
    });
  };
}

/** Head events of the primary beacon node. */
export class HeadTracker implements HeadEvents {
  private readonly nodes: BeaconNodes;
  private readonly streamUrlOf: (node: NodeHealth) => string;
  private readonly logger: Logger;
  private readonly time: TimeSource;
  private readonly subscribe: SubscribeHeads;
  private readonly headListeners = new Set<(event: HeadEvent) => void>();
  private readonly gapListeners = new Set<(gap: HeadGap) => void>();
  private readonly waiters = new Set<Waiter>();
  /** The stream and the node (url) it reads. */
  private stream: { url: string; sub: EventSubscription } | undefined;
  /** The primary node as the pool last announced it (redacted url). */
  private primaryUrl: string | undefined;
  /** Nodes whose stream was refused for good (no event stream): not asked again until they change. */
  private readonly refused = new Set<string>();
  /** Highest slot of a head seen. */
  private highestSlot = -1;
  private latest: HeadEvent | undefined;
  private stopped = false;

  constructor(opts: HeadTrackerOptions) {
    this.nodes = opts.nodes;
    this.streamUrlOf = opts.streamUrlOf;
    this.logger = opts.logger;
    this.time = opts.time ?? systemTime;
    this.subscribe = opts.subscribe ?? defaultSubscribe(opts.ctx);
  }

  /** Subscribes to the primary node's heads, and follows the pool's primary until `signal` aborts. */
  start(signal: AbortSignal): void {
    if (signal.aborted) return;
    const off = this.nodes.on((event) => this.onPoolEvent(event));
    this.follow();
    signal.addEventListener(
      "abort",
      () => {
        this.stopped = true;
        off();
        this.closeStream();
        for (const waiter of this.waiters) waiter.resolve(false);
        this.waiters.clear();
      },
      { once: true },
    );
  }

  /** The latest head seen, if any. */
  latestHead(): HeadEvent | undefined {
    return this.latest;
  }

  /** The url of the node whose stream is open, if one is. */
  streamNode(): string | undefined {
    return this.stream?.url;
  }

  onHead(listener: (event: HeadEvent) => void): () => void {
    this.headListeners.add(listener);
    return () => this.headListeners.delete(listener);
  }

  /** Subscribes to gap reports (the stream was down: heads may have been missed); returns the unsubscribe. */
  onGap(listener: (gap: HeadGap) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  /**
   * True as soon as a head of `slot` or later is seen (a later head means `slot`'s block came or was skipped: no
   * point waiting), false at `deadlineMs` (unix ms, on the tracker's TimeSource), on abort or when stopped.
   */
  waitForHeadOfSlot(slot: number, deadlineMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.highestSlot >= slot) return Promise.resolve(true);
    if (signal.aborted || this.stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const local = new AbortController();
      const onAbort = () => local.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      const waiter: Waiter = {
        slot,
        resolve: (seen) => {
          if (!this.waiters.delete(waiter)) return;
          signal.removeEventListener("abort", onAbort);
          local.abort();
          resolve(seen);
        },
      };
      this.waiters.add(waiter);
      const delay = Math.max(0, deadlineMs - this.time.now());
      this.time.sleep(delay, local.signal).then(
        () => waiter.resolve(false),
        () => waiter.resolve(false),
      );
    });
  }

  /** Feeds a head (the stream's events; also usable by a composition that learns heads otherwise). */
  pushHead(event: HeadEvent): void {
    if (event.slot > this.highestSlot) this.highestSlot = event.slot;
    this.latest = event;
    for (const listener of [...this.headListeners]) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err, slot: event.slot }, "a head listener failed");
      }
    }
    for (const waiter of [...this.waiters]) if (waiter.slot <= event.slot) waiter.resolve(true);
  }

  private emitGap(gap: HeadGap): void {
    for (const listener of [...this.gapListeners]) {
      try {
        listener(gap);
      } catch (err) {
        this.logger.error({ err }, "a head gap listener failed");
      }
    }
  }

  private onPoolEvent(event: BeaconNodesEvent): void {
    if (this.stopped) return;
    if (event.kind === "primary-changed") {
      this.primaryUrl = event.to;
      if (event.to !== undefined) this.refused.delete(event.to);
      this.follow();
    } else if (event.kind === "node-synced") {
      if (this.stream === undefined) this.follow();
    }
  }

  /** The node to read heads from: the announced primary, else the best usable node in the operator's order. */
  private primaryNode(): NodeHealth | undefined {
    const nodes = this.nodes.nodes();
    if (this.primaryUrl !== undefined) {
      const node = nodes.find((n) => n.url === this.primaryUrl);
      if (node !== undefined && (node.state === "synced" || node.state === "degraded")) return node;
    }
    return nodes.find((n) => n.state === "synced") ?? nodes.find((n) => n.state === "degraded");
  }

  /** Opens the stream of the primary node (closing another node's). */
  private follow(): void {
    const node = this.primaryNode();
    if (node === undefined) return;
    if (this.stream?.url === node.url) return;
    if (this.refused.has(node.url)) return;
    this.closeStream();
    const url = node.url;
    let sub: EventSubscription;
    try {
      sub = this.subscribe({
        baseUrl: this.streamUrlOf(node),
        onHead: (event) => {
          if (this.stream?.url === url) this.pushHead(event);
        },
        onGap: (gap) => {
          if (this.stream?.url !== url) return;
          this.logger.info(
            { node: url, downMs: gap.to - gap.from, attempts: gap.attempts },
            "head event stream is back after a gap: duties are checked again",
          );
          this.emitGap({ reason: "stream-gap", from: gap.from, to: gap.to, node: url });
        },
        onError: (err) => {
          if (this.stream?.url === url) this.logger.debug({ err, node: url }, "head event stream error");
        },
      });
    } catch (err) {
      this.logger.warn({ err, node: url }, "could not open the head event stream; waiting for deadlines instead");
      return;
    }
    this.stream = { url, sub };
    this.logger.debug({ node: url }, "following the head event stream");
    sub.done.then(
      () => {
        if (this.stopped || this.stream?.sub !== sub) return;
        // Refused for good (a 4xx such as no event stream): run on deadlines until the primary changes.
        this.stream = undefined;
        this.refused.add(url);
        this.logger.warn(
          { node: url },
          "the beacon node refused the head event stream: attestations wait for their deadline instead of the block",
        );
      },
      (err: unknown) => this.logger.warn({ err, node: url }, "head event stream ended with an error"),
    );
  }

  private closeStream(): void {
    const current = this.stream;
    this.stream = undefined;
    if (current === undefined) return;
    current.sub.close().catch((err: unknown) => this.logger.debug({ err }, "closing the head event stream failed"));
  }
}
