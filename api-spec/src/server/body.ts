// Reads a request body into one buffer. fastify's own reader (parseAs: "buffer") keeps every socket chunk until the
// end and then concatenates them: a 25 MiB upload held the chunks and the copy at once. Here a body with a
// Content-Length is copied into a buffer of exactly that size as it arrives, each chunk dropped at once; a chunked body
// (no Content-Length) grows its buffer by doubling, bounded by the limit.
//
// Large bodies (over LARGE_BODY_BYTES) also take one of a few slots while they are read: a node reads at most
// `maxLargeBodies` of them at a time and answers 503 (Retry-After: 1) to one more, so that a crowd of clients each
// sending the largest accepted block cannot multiply the node's memory.
import type { IncomingMessage } from "node:http";
import { errorCodes } from "fastify";
import { ApiError } from "../codec/errors.ts";

/** Smallest buffer for a body without Content-Length. */
const FIRST_CHUNKED_CAPACITY = 64 * 1024;
/** A body larger than this takes a large-body slot while it is read. */
export const LARGE_BODY_BYTES = 1024 * 1024;
/** Large bodies read at the same time, by default. */
export const DEFAULT_MAX_LARGE_BODIES = 2;

/** Counts the large bodies being read. */
export class LargeBodySlots {
  private used = 0;
  readonly max: number;

  constructor(max: number = DEFAULT_MAX_LARGE_BODIES) {
    this.max = max;
  }

  /** Takes a slot; false when all are taken. */
  tryTake(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }

  release(): void {
    this.used--;
  }
}

type Done = (err: Error | null, body?: Buffer) => void;

/** The 413 for a body over `limit` (the limit travels with the error, for the message). */
function tooLarge(limit: number): Error {
  return Object.assign(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), { bodyLimit: limit });
}

function busy(slots: LargeBodySlots): Error {
  return Object.assign(
    new ApiError(503, `the node is reading ${slots.max} large request bodies already: retry in a second`),
    { headers: { "retry-after": "1" } },
  );
}

/**
 * Reads `payload` (the request stream) into one Buffer of at most `limit` bytes and calls `done` once: with the body,
 * with a 413 error (fastify's FST_ERR_CTP_BODY_TOO_LARGE) beyond `limit`, a 503 when the body is large and `slots` has
 * none free, or a 400 when the stream fails or its length differs from the Content-Length.
 */
export function readBody(payload: IncomingMessage, limit: number, slots: LargeBodySlots, done: Done): void {
  const header = payload.headers["content-length"];
  const contentLength = header === undefined ? Number.NaN : Number(header);
  if (contentLength > limit) {
    done(tooLarge(limit));
    return;
  }
  const known = Number.isSafeInteger(contentLength) && contentLength >= 0;
  let holdsSlot = false;
  if (known && contentLength > LARGE_BODY_BYTES) {
    if (!slots.tryTake()) {
      done(busy(slots));
      return;
    }
    holdsSlot = true;
  }
  let buffer = Buffer.allocUnsafe(known ? contentLength : Math.min(FIRST_CHUNKED_CAPACITY, limit));
  let received = 0;
  let finished = false;

  const finish = (err: Error | null, body?: Buffer): void => {
    if (finished) return;
    finished = true;
    payload.removeListener("data", onData);
    payload.removeListener("end", onEnd);
    payload.removeListener("error", onError);
    payload.removeListener("close", onClose);
    if (holdsSlot) slots.release();
    holdsSlot = false;
    done(err, body);
  };

  function onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const next = received + bytes.length;
    if (next > limit) {
      finish(tooLarge(limit));
      return;
    }
    if (next > buffer.length) {
      if (known) {
        // More bytes than announced (the HTTP parser stops at Content-Length, so this is a broken stream).
        finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      if (!holdsSlot && next > LARGE_BODY_BYTES) {
        if (!slots.tryTake()) {
          finish(busy(slots));
          return;
        }
        holdsSlot = true;
      }
      const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(next, buffer.length * 2)));
      buffer.copy(grown, 0, 0, received);
      buffer = grown;
    }
    bytes.copy(buffer, received);
    received = next;
  }

  function onEnd(): void {
    if (known && received !== contentLength) {
      finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    // A chunked body's buffer may be up to twice its size: hand over an exact copy, not a view pinning the rest.
    finish(null, received === buffer.length ? buffer : Buffer.copyBytesFrom(buffer, 0, received));
  }

  function onError(err: Error & { statusCode?: number }): void {
    if (!(typeof err.statusCode === "number" && err.statusCode >= 400)) err.statusCode = 400;
    finish(err);
  }

  // The client went away mid-body: free the slot (nobody is left to answer).
  function onClose(): void {
    if (!finished && !payload.complete) {
      finish(
        Object.assign(new Error("the client closed the connection before sending the whole body"), { statusCode: 400 }),
      );
    }
  }

  payload.on("data", onData);
  payload.on("end", onEnd);
  payload.on("error", onError);
  payload.on("close", onClose);
  payload.resume();
}
