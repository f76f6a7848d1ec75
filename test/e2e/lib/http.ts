// HTTP clients of the end-to-end suites: `send` (undici, one request, its status and time) and `rawExchange` (a TCP
// socket writing exact bytes — malformed requests, pipelined garbage, oversize bodies whose answer comes before the
// body is sent — and collecting every HTTP status line the server answers until it closes or a timeout).
import { connect } from "node:net";
import { Agent, request } from "undici";

/** One request's outcome; status 0 when no answer came (`error` says why). */
export interface Sent {
  status: number;
  text: string;
  ms: number;
  error?: string;
}

/** A dispatcher with generous timeouts (a busy node is slow, not broken) and no connection reuse across suites. */
export function makeAgent(opts: { localAddress?: string; connections?: number } = {}): Agent {
  return new Agent({
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
    connections: opts.connections ?? 8,
    ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
  });
}

/** Sends one request and reads the whole answer. */
export async function send(
  agent: Agent,
  url: string,
  init: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<Sent> {
  const start = performance.now();
  try {
    const res = await request(url, {
      dispatcher: agent,
      method: init.method ?? "GET",
      headers: init.headers,
      body: init.body,
    });
    const text = await res.body.text();
    return { status: res.statusCode, text, ms: performance.now() - start };
  } catch (e) {
    return { status: 0, text: "", ms: performance.now() - start, error: (e as Error).message };
  }
}

/** What a raw exchange got. */
export interface RawResult {
  /** Status codes of the HTTP status lines received, in order. */
  statuses: number[];
  /** The first bytes received, as latin1 text. */
  head: string;
  /** Total bytes received. */
  bytes: number;
  /** server-closed: the server closed the connection; timeout: still open after the wait; error: socket error. */
  end: "server-closed" | "timeout" | "error";
  error?: string;
  ms: number;
}

/**
 * Writes `chunks` to a new connection to host:port (each after `gapMs`), half-closes nothing, and collects the
 * answer until the server closes the connection, `timeoutMs` passes, or (with `untilStatuses`) that many status
 * lines arrived. Write errors (the server closing mid-body, as it may after an early 413) end the writing only.
 */
export async function rawExchange(opts: {
  port: number;
  host?: string;
  chunks: (string | Uint8Array)[];
  gapMs?: number;
  timeoutMs: number;
  untilStatuses?: number;
}): Promise<RawResult> {
  const start = performance.now();
  return await new Promise<RawResult>((resolve) => {
    const socket = connect({ port: opts.port, host: opts.host ?? "127.0.0.1" });
    const received: Buffer[] = [];
    let bytes = 0;
    let done = false;
    let writeError: string | undefined;
    const statuses = (): number[] => {
      const text = Buffer.concat(received).toString("latin1");
      // Pipelined answers follow each other's bodies directly: a status line may start anywhere.
      return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
    };
    const finish = (end: RawResult["end"], error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const head = Buffer.concat(received).subarray(0, 300).toString("latin1");
      resolve({
        statuses: statuses(),
        head,
        bytes,
        end,
        ...((error ?? writeError) ? { error: error ?? writeError } : {}),
        ms: performance.now() - start,
      });
    };
    const timer = setTimeout(() => finish("timeout"), opts.timeoutMs);
    socket.on("data", (d: Buffer) => {
      // Keep the first 1 MiB (status lines of pipelined answers live there).
      if (bytes < 1024 * 1024) received.push(d);
      bytes += d.length;
      if (opts.untilStatuses !== undefined && statuses().length >= opts.untilStatuses) finish("server-closed");
    });
    socket.on("end", () => finish("server-closed"));
    socket.on("close", () => finish("server-closed"));
    socket.on("error", (e) => {
      // A reset after the server answered is the server closing; before any answer it is an error.
      if (bytes > 0) finish("server-closed", e.message);
      else finish("error", e.message);
    });
    socket.once("connect", async () => {
      for (const chunk of opts.chunks) {
        if (done || socket.destroyed) return;
        const ok = socket.write(chunk, (err) => {
          if (err) writeError = err.message;
        });
        if (!ok) await new Promise<void>((r) => socket.once("drain", () => r()).once("close", () => r()));
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
    });
  });
}
