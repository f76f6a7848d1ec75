// The server side of GET /eth/v1/events: writes the handler's events as Server-Sent Events until the client goes
// away or the events end, with a comment line every `keepAliveMs` so proxies keep the connection open (the spec
// allows `:` comments for that purpose).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventCodec } from "../routes/events.ts";

/** A comment line every this many ms keeps idle streams alive through proxies with ~60 s idle timeouts. */
export const DEFAULT_SSE_KEEP_ALIVE_MS = 15_000;

/** One SSE message: `event:` then `data:` (one line per line of data), then a blank line. */
export function formatEvent(event: string, data: string): string {
  return `event: ${event}\n${data
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n")}\n\n`;
}

/**
 * Streams `events` to the response. Resolves when the events end (the response is ended) or the client disconnects
 * (`onClose` runs, the iterator is returned so its producer can stop).
 */
export async function writeEvents<E>(
  req: IncomingMessage,
  res: ServerResponse,
  codec: EventCodec<E>,
  events: AsyncIterable<E>,
  keepAliveMs: number,
): Promise<void> {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
    // nginx: do not buffer the stream
    "x-accel-buffering": "no",
  });
  res.flushHeaders();
  const iterator = events[Symbol.asyncIterator]();
  let closed = false;
  let onClosed: () => void = () => {};
  const closedPromise = new Promise<"closed">((resolve) => {
    onClosed = () => resolve("closed");
  });
  const close = () => {
    if (closed) return;
    closed = true;
    onClosed();
  };
  req.socket.on("close", close);
  res.on("close", close);
  const keepAlive = setInterval(() => {
    if (!closed) res.write(": keep-alive\n\n");
  }, keepAliveMs);
  keepAlive.unref();
  try {
    while (!closed) {
      const next = await Promise.race([iterator.next(), closedPromise]);
      if (next === "closed" || next.done) break;
      const { event, data } = codec.write(next.value);
      if (!res.write(formatEvent(event, data))) {
        await Promise.race([new Promise((resolve) => res.once("drain", resolve)), closedPromise]);
      }
    }
  } finally {
    clearInterval(keepAlive);
    req.socket.off("close", close);
    // A producer awaiting its next event cannot be interrupted; ask it to finish without waiting for it.
    if (closed) void iterator.return?.()?.catch(() => undefined);
    if (!res.writableEnded) res.end();
  }
}
