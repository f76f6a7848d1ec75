// The SSE client of GET /eth/v1/events: typed events from the route table's event codec, reconnection with bounded,
// jittered exponential backoff, and gap reports — when a stream that was up goes down and comes back, `onGap` says
// for which time window events may have been missed (the caller refetches what it needs: duties, head).
import { redactUrl } from "@sextant/common";
import { Client } from "undici";
import type { EventCodec } from "../routes/events.ts";
import type { EventTopic } from "../routes/values.ts";
import { ApiClientError, type ApiClientErrorContext } from "./errors.ts";
import { SseParser } from "./sseParser.ts";

/** A window during which the stream was down. */
export interface EventGap {
  /** When the stream went down and came back, ms since the epoch (from `now`). */
  from: number;
  to: number;
  /** Failed connection attempts in between. */
  attempts: number;
}

/** Reconnection backoff: delay = min(maxMs, initialMs · factor^attempt), scaled by a random factor in [1-jitter, 1]. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  jitter?: number;
}

/** Options of an event subscription. */
export interface EventStreamOptions<E> {
  baseUrl: string;
  topics: readonly EventTopic[];
  /** The event codec (`beaconEventCodec(ctx)` or the eventstream route's `response.events`). */
  codec: EventCodec<E>;
  onEvent(event: E): void;
  /** The stream was down and is back: events of the window may be missing. */
  onGap?(gap: EventGap): void;
  /** A connection failed or an event did not decode (the stream carries on / reconnects). */
  onError?(err: Error): void;
  /** The stream is (re)connected. */
  onConnect?(): void;
  backoff?: BackoffOptions;
  /** Time to wait for the response headers of a connection attempt, ms. */
  connectTimeoutMs?: number;
  headers?: Record<string, string>;
  /** Random numbers in [0, 1) for the jitter (tests pass a seeded one). */
  random?: () => number;
  /** The clock of gap reports (ms). */
  now?: () => number;
}

/** A running subscription. */
export interface EventSubscription {
  /** Whether the stream is connected now. */
  readonly connected: boolean;
  /** Stops the stream; resolves when it is closed. */
  close(): Promise<void>;
  /** Resolves when the subscription stops (closed, or refused for good: a 4xx such as an unknown topic). */
  readonly done: Promise<void>;
}

/** First reconnection delay: 250 ms (a node restarting is usually back within a second or two). */
const DEFAULT_INITIAL_MS = 250;
/** Longest reconnection delay: 30 s, so a node that comes back is noticed within about 2.5 slots. */
const DEFAULT_MAX_MS = 30_000;
const DEFAULT_FACTOR = 2;
/** Delays are scaled by [0.5, 1]: clients that lost the same node do not reconnect in lockstep. */
const DEFAULT_JITTER = 0.5;
/** Response headers of a connection attempt must arrive within 10 s. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The delay before reconnection attempt `attempt` (0-based). */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const initial = opts.initialMs ?? DEFAULT_INITIAL_MS;
  const max = opts.maxMs ?? DEFAULT_MAX_MS;
  const jitter = opts.jitter ?? DEFAULT_JITTER;
  const base = Math.min(max, initial * (opts.factor ?? DEFAULT_FACTOR) ** attempt);
  return Math.round(base * (1 - jitter * random()));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/** Subscribes to the node's events; reconnects until closed. */
export function subscribeEvents<E>(opts: EventStreamOptions<E>): EventSubscription {
  const url = new URL(opts.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, "");
  const path = `${prefix}/eth/v1/events?topics=${opts.topics.map(encodeURIComponent).join(",")}`;
  const context: ApiClientErrorContext = {
    operationId: "eventstream",
    method: "GET",
    url: `${redactUrl(opts.baseUrl).replace(/\/+$/, "")}/eth/v1/events?topics=${opts.topics.join(",")}`,
  };
  const connectTimeout = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // One dedicated connection; the body has no timeout (keep-alive comments arrive every ~15 s, events any time).
  const client = new Client(url.origin, { bodyTimeout: 0, headersTimeout: connectTimeout });
  const abort = new AbortController();
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  let connected = false;

  /** One connection: `onUp` runs when the stream is open, before its events are read. */
  async function connectOnce(onUp: () => void): Promise<"ended" | "refused"> {
    const res = await client.request({
      path,
      method: "GET",
      headers: { accept: "text/event-stream", ...opts.headers },
      signal: abort.signal,
    });
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {}
      const err = new ApiClientError("API_CLIENT_HTTP", `eventstream failed: ${res.statusCode} ${message}`, {
        ...context,
        status: res.statusCode,
      });
      opts.onError?.(err);
      // A 4xx other than 429 will not get better by retrying (an unknown topic, no such endpoint).
      return res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 429 ? "refused" : "ended";
    }
    connected = true;
    onUp();
    return readStream(res.body);
  }

  async function readStream(body: AsyncIterable<Uint8Array>): Promise<"ended"> {
    const parser = new SseParser();
    try {
      for await (const chunk of body) {
        for (const message of parser.push(chunk)) {
          try {
            opts.onEvent(opts.codec.read(message.event, message.data));
          } catch (err) {
            opts.onError?.(err as Error);
          }
        }
      }
    } finally {
      connected = false;
    }
    return "ended";
  }

  async function run(): Promise<void> {
    let attempts = 0;
    let downSince: number | undefined;
    let everConnected = false;
    while (!abort.signal.aborted) {
      let outcome: "ended" | "refused" | "failed";
      let up = false;
      try {
        outcome = await connectOnce(() => {
          up = true;
          if (downSince !== undefined) opts.onGap?.({ from: downSince, to: now(), attempts });
          downSince = undefined;
          attempts = 0;
          everConnected = true;
          opts.onConnect?.();
        });
      } catch (err) {
        if (abort.signal.aborted) break;
        const message = `eventstream: ${(err as Error).message}`;
        opts.onError?.(new ApiClientError("API_CLIENT_NETWORK", message, context, { cause: err }));
        outcome = "failed";
      }
      if (abort.signal.aborted || outcome === "refused") break;
      if (everConnected) downSince ??= now();
      // A stream that ended after connecting is retried at the first delay; failed attempts back off further.
      if (!up) attempts++;
      await sleep(backoffDelay(up ? 0 : attempts, opts.backoff ?? {}, random), abort.signal);
    }
  }

  const done = run().finally(() => client.destroy().catch(() => undefined));
  return {
    get connected() {
      return connected;
    },
    async close() {
      abort.abort();
      await done;
    },
    done,
  };
}
