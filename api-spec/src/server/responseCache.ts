// Encoded answers kept for reuse. A handler whose answer is the same for many requests (duties of an epoch and
// dependent root, the head block, a header) returns `cacheKey` with its result and may give `data` as a function: on a
// hit the server sends the bytes it encoded before — no data lookup, no JSON encoding, no UTF-8 conversion. The key
// must name everything the answer depends on (including its metadata); the server adds the operation and media type.
// Bounded by entries and by bytes; streamed and status-only answers are never kept.
import type { EncodedResponse } from "./response.ts";

/** Default bounds: entries and total body bytes. */
export const DEFAULT_RESPONSE_CACHE_ENTRIES = 512;
export const DEFAULT_RESPONSE_CACHE_BYTES = 32 * 1024 * 1024;
/** Bodies above this size are not kept (a state, a validator list). */
const MAX_CACHED_BODY_BYTES = 4 * 1024 * 1024;
/** JSON bodies up to this size are kept as text (see CachedResponse). */
const MAX_TEXT_BYTES = 16 * 1024;

/**
 * A cached answer: status, headers and the body. A JSON body up to MAX_TEXT_BYTES stays text: Node writes a string
 * body together with the response head in one write(), where a Buffer costs a second chunk and a writev per answer.
 */
export interface CachedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer | string;
  /** Body size, bytes (for the cache's bound). */
  readonly size: number;
}

/** An LRU of encoded answers. */
export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;
  hits = 0;
  misses = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor(maxEntries = DEFAULT_RESPONSE_CACHE_ENTRIES, maxBytes = DEFAULT_RESPONSE_CACHE_BYTES) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  get(key: string): CachedResponse | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  /** Keeps `encoded` under `key` when it is a plain body within bounds; returns it as a cached answer (or undefined). */
  put(key: string, encoded: EncodedResponse): CachedResponse | undefined {
    const body = encoded.body;
    let kept: Buffer | string;
    let size: number;
    if (typeof body === "string") {
      size = Buffer.byteLength(body, "utf8");
      kept = size <= MAX_TEXT_BYTES ? body : Buffer.from(body, "utf8");
    } else if (body instanceof Uint8Array) {
      kept = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      size = kept.length;
    } else return undefined;
    if (size > MAX_CACHED_BODY_BYTES) return undefined;
    const entry: CachedResponse = { status: encoded.status, headers: encoded.headers, body: kept, size };
    const old = this.entries.get(key);
    if (old) this.bytes -= old.size;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.bytes += size;
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.size;
    }
    return entry;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}
