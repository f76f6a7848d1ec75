// The fastify adapter: registers every entry of a route table with its handler (typed from the entry). For each
// request: the `beforeHandler` seam (auth, rate limiting, load shedding — the node plugs them in), content
// negotiation (406), the request read through the entry (400 naming what is wrong, 413, 415), the handler, the
// response written through the entry (JSON envelope or SSZ, metadata headers), and the `onResponse` seam (per-request
// logging, metrics). Errors become the spec's error body; only the node's own faults are 500s.
import type { ServerOptions as HttpServerOptions, IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Logger } from "@sextant/common";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ApiError, IndexedApiError, type IndexedFailure } from "../codec/errors.ts";
import type { EventCodec } from "../routes/events.ts";
import type { AnyRoute, ArgsOf, ResultOf, RouteTable } from "../routes/types.ts";
import { LargeBodySlots, readBody } from "./body.ts";
import { DEFAULT_DOCS_PATH, registerDocs, type ServedDocument } from "./docs.ts";
import { errorAnswer } from "./errors.ts";
import { bodyMediaType, chooseMediaType, type MediaType } from "./negotiate.ts";
import { decodeRequest } from "./request.ts";
import { encodeResponse } from "./response.ts";
import { ResponseCache } from "./responseCache.ts";
import { DEFAULT_SSE_KEEP_ALIVE_MS, writeEvents } from "./sse.ts";

/** What a handler knows about its request besides its arguments. */
export interface HandlerContext {
  operationId: string;
  /** Aborted when the client goes away: stop work nobody will read. */
  signal: AbortSignal;
  /** The encoding the answer will be written in. */
  mediaType: MediaType;
  /** The fastify request (headers, ip) for handlers that need more. */
  request: FastifyRequest;
}

/** The handler of route R. */
export type Handler<R extends AnyRoute> = (args: ArgsOf<R>, ctx: HandlerContext) => Promise<ResultOf<R>> | ResultOf<R>;

/** Handlers of a route table (missing ones answer 501). */
export type Handlers<T extends RouteTable> = { [K in keyof T]?: Handler<T[K]> };

/** A request as the seams see it. */
export interface RequestInfo {
  operationId: string;
  method: string;
  url: string;
  ip: string;
  headers: IncomingHttpHeaders;
}

/** What beforeHandler may return: nothing, or a function to call once the request is over. */
// biome-ignore lint/suspicious/noConfusingVoidType: a seam that only checks returns nothing
export type BeforeHandlerResult = void | undefined | (() => void);

/** A finished request. */
export interface ResponseInfo extends RequestInfo {
  status: number;
  durationMs: number;
}

/** Options of createApiServer. */
export interface ApiServerOptions<T extends RouteTable> {
  routes: T;
  handlers: Handlers<T>;
  /** The document served at /openapi.json, /openapi.yaml and `docsPath`; none: no docs routes. */
  document?: ServedDocument;
  docsPath?: string;
  /** Largest request body, bytes (413 above), for entries without their own limit. */
  bodyLimit?: number;
  /**
   * Runs before the body is read: throw ApiError(401/403/429/503) to refuse (an ApiError with a `headers` record,
   * e.g. Retry-After, has them added to the answer). The seam for authentication, rate limiting and load shedding.
   * It may return a release function: the server calls it exactly once, when the response is sent or the
   * connection closes early (a load-shedding slot held for the request).
   */
  beforeHandler?: (info: RequestInfo) => BeforeHandlerResult | Promise<BeforeHandlerResult>;
  /** Runs when a response is sent (per-request logs, metrics). */
  onResponse?: (info: ResponseInfo) => void;
  /** Where the server's own faults (500s) are logged. */
  logger?: Logger;
  /** Add stack traces to 500 bodies (the spec's `stacktraces`, for debugging). */
  stacktraces?: boolean;
  sseKeepAliveMs?: number;
  /**
   * Keep encoded answers of handlers that return a `cacheKey` (see responseCache.ts); default on. False: every
   * answer is encoded anew.
   */
  responseCache?: boolean;
  /** Bodies over 1 MiB read at the same time (503 with Retry-After to one more); default 2. */
  maxLargeBodies?: number;
  /**
   * Options of the underlying node:http server: `maxHeaderSize` (431 above it), `headersTimeout` / `requestTimeout`
   * (a slow client is cut off) and `connectionsCheckingInterval` (how often those timeouts are checked).
   */
  http?: HttpServerOptions;
}

/** A running (or ready to run) API server. */
export interface ApiServer {
  fastify: FastifyInstance;
  /** Starts listening (loopback, an ephemeral port by default); resolves with the base URL. */
  listen(opts?: { port?: number; host?: string }): Promise<string>;
  close(): Promise<void>;
}

/** Default largest request body: 8 MiB (a POST of a million validator ids is about that). */
export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
/** Longest path parameter (a 0x-prefixed public key is 98 characters; fastify's default of 100 is too tight). */
const MAX_PARAM_LENGTH = 512;

/** The fastify path of an OpenAPI path template (`{state_id}` → `:state_id`). */
export function fastifyPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ":$1");
}

interface RouteConfig {
  operationId: string;
  /** Largest body, bytes: JSON and SSZ. */
  jsonLimit: number;
  sszLimit: number;
}

function requestInfo(req: FastifyRequest): RequestInfo {
  return {
    operationId: (req.routeOptions.config as Partial<RouteConfig>).operationId ?? "",
    method: req.method,
    url: req.url,
    ip: req.ip,
    headers: req.headers,
  };
}

/** Creates the server for `opts.routes`; call listen() to serve. */
export function createApiServer<T extends RouteTable>(opts: ApiServerOptions<T>): ApiServer {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const fastify = Fastify({
    logger: false,
    bodyLimit,
    ...(opts.http ? { http: opts.http } : {}),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors fastify meets before routing (a URL that does not decode): the spec's body too.
    frameworkErrors: (err, _req, reply) => {
      const answer = errorAnswer(err);
      const raw = reply as unknown as FastifyReply;
      void raw.code(answer.status).header("content-type", "application/json").send(JSON.stringify(answer.body));
    },
  });
  fastify.removeAllContentTypeParsers();
  // Bodies are read into one buffer (body.ts), up to the route's limit for the media type, and decoded by the
  // route's codec, not by fastify.
  const largeBodies = new LargeBodySlots(opts.maxLargeBodies);
  fastify.addContentTypeParser(["application/json", "application/octet-stream"], (req, payload, done) => {
    const config = req.routeOptions.config as Partial<RouteConfig>;
    const ssz = bodyMediaType(req.headers["content-type"]) === "ssz";
    readBody(payload, (ssz ? config.sszLimit : config.jsonLimit) ?? bodyLimit, largeBodies, done);
  });
  fastify.setErrorHandler((err, req, reply) => {
    const answer = errorAnswer(err, {
      stacktraces: opts.stacktraces,
      bodyLimit: req.routeOptions.bodyLimit,
      contentType: req.headers["content-type"],
    });
    const extra = err instanceof ApiError ? (err as { headers?: unknown }).headers : undefined;
    if (typeof extra === "object" && extra !== null) void reply.headers(extra as Record<string, string>);
    if (answer.serverFault)
      opts.logger?.error({ err, operationId: requestInfo(req).operationId }, "API handler failed");
    void reply.code(answer.status).header("content-type", "application/json").send(JSON.stringify(answer.body));
  });
  fastify.setNotFoundHandler((req, reply) => {
    const message = `route ${req.method} ${req.url.split("?")[0]} not found`;
    void reply
      .code(404)
      .header("content-type", "application/json")
      .send(JSON.stringify({ code: 404, message }));
  });
  if (opts.onResponse) {
    const onResponse = opts.onResponse;
    fastify.addHook("onResponse", async (req, reply) => {
      onResponse({ ...requestInfo(req), status: reply.statusCode, durationMs: reply.elapsedTime });
    });
  }
  // Open event streams, ended when the server closes (otherwise close() would wait for every subscriber to leave).
  const streams = new Set<ServerResponse>();
  fastify.addHook("preClose", (done) => {
    for (const res of streams) res.end();
    done();
  });
  const beforeHandler = opts.beforeHandler;
  const responseCache = opts.responseCache === false ? undefined : new ResponseCache();
  for (const route of Object.values(opts.routes) as AnyRoute[]) {
    const handler = (opts.handlers as Record<string, Handler<AnyRoute> | undefined>)[route.operationId];
    const jsonLimit = route.body?.maxBytes ?? bodyLimit;
    const sszLimit = route.body?.maxSszBytes ?? jsonLimit;
    fastify.route({
      method: route.method,
      url: fastifyPath(route.path),
      bodyLimit: Math.max(jsonLimit, sszLimit),
      config: { operationId: route.operationId, jsonLimit, sszLimit } satisfies RouteConfig as never,
      ...(beforeHandler
        ? {
            // Callback style: a governor that decides synchronously (the usual case) costs no promise per request.
            onRequest: (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
              let result: BeforeHandlerResult | Promise<BeforeHandlerResult>;
              try {
                result = beforeHandler(requestInfo(req));
              } catch (e) {
                done(e as Error);
                return;
              }
              const admit = (release: BeforeHandlerResult): void => {
                if (typeof release === "function") releaseWhenDone(reply, release);
                done();
              };
              if (result instanceof Promise) result.then(admit, (e: unknown) => done(e as Error));
              else admit(result);
            },
          }
        : {}),
      handler: (req, reply) => serve(route, handler, req, reply, opts, streams, responseCache),
    });
  }
  let docs: Promise<void> | undefined;
  if (opts.document) docs = registerDocs(fastify, opts.document, opts.docsPath ?? DEFAULT_DOCS_PATH);

  return {
    fastify,
    async listen({ port = 0, host = "127.0.0.1" } = {}) {
      await docs;
      return fastify.listen({ port, host });
    },
    async close() {
      await fastify.close();
    },
  };
}

/** Calls `release` once, when the response has gone out or the connection closed first (already, or later). */
function releaseWhenDone(reply: FastifyReply, release: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    release();
  };
  // 'close' follows 'finish' on a completed response and comes alone when the client goes away mid-request.
  reply.raw.once("close", once);
  if (reply.raw.destroyed || reply.raw.writableFinished) once();
}

async function serve<T extends RouteTable>(
  route: AnyRoute,
  handler: Handler<AnyRoute> | undefined,
  req: FastifyRequest,
  reply: FastifyReply,
  opts: ApiServerOptions<T>,
  streams: Set<ServerResponse>,
  responseCache: ResponseCache | undefined,
): Promise<FastifyReply | undefined> {
  const response = route.response;
  let media: MediaType = "json";
  if (response.kind === "data" || response.kind === "bare") {
    const offered: MediaType[] = response.ssz ? ["json", "ssz"] : ["json"];
    const chosen = chooseMediaType(req.headers.accept, offered);
    if (chosen === undefined) {
      throw new ApiError(
        406,
        `cannot answer ${req.headers.accept}: this operation serves ${offered.map(mimeName).join(" or ")}`,
      );
    }
    media = chosen;
  }
  // A malformed request is answered 400 even by an operation the node does not implement.
  const decoded = decodeRequest(route, {
    params: req.params as Record<string, string>,
    query: req.query as Record<string, string | string[]>,
    headers: req.headers,
    body: req.body as Buffer | undefined,
  });
  if (handler === undefined) throw new ApiError(501, `${route.operationId} is not implemented`);
  // The abort signal is made when a handler first asks for it (most never do): no controller and no listener per
  // request otherwise.
  let abort: AbortController | undefined;
  const signal = (): AbortSignal => {
    if (abort === undefined) {
      const controller = new AbortController();
      abort = controller;
      if (reply.raw.destroyed && !reply.raw.writableFinished) controller.abort();
      else
        reply.raw.on("close", () => {
          if (!reply.raw.writableFinished) controller.abort();
        });
    }
    return abort.signal;
  };
  const ctx: HandlerContext = {
    operationId: route.operationId,
    get signal() {
      return signal();
    },
    mediaType: media,
    request: req,
  };

  if (response.kind === "events") {
    const events = (await handler(decoded.args as never, ctx)) as AsyncIterable<unknown>;
    reply.hijack();
    streams.add(reply.raw);
    const keepAlive = opts.sseKeepAliveMs ?? DEFAULT_SSE_KEEP_ALIVE_MS;
    try {
      await writeEvents(req.raw, reply.raw, response.events as EventCodec<unknown>, events, keepAlive);
    } catch (err) {
      opts.logger?.error({ err, operationId: route.operationId }, "event stream failed");
      reply.raw.destroy();
    } finally {
      streams.delete(reply.raw);
      // The stream is over however it ended: tell the producer.
      abort?.abort();
    }
    return undefined;
  }

  let result: unknown;
  if (decoded.batch) {
    const { failures, indices } = decoded.batch;
    const items = decoded.args.body as unknown[];
    const total = indices.length + failures.length;
    try {
      if (items.length > 0 || failures.length === 0) result = await handler(decoded.args as never, ctx);
    } catch (e) {
      if (!(e instanceof IndexedApiError)) throw e;
      failures.push(
        ...e.failures.map((f): IndexedFailure => ({ index: indices[f.index] ?? f.index, message: f.message })),
      );
    }
    if (failures.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      throw new IndexedApiError(failures, `${failures.length} of ${total} items failed`);
    }
  } else {
    result = await handler(decoded.args as never, ctx);
  }
  const cacheKey = (result as { cacheKey?: unknown } | undefined)?.cacheKey;
  if (typeof cacheKey === "string" && responseCache !== undefined) {
    const key = `${route.operationId}\u0000${media}\u0000${cacheKey}`;
    const hit = responseCache.get(key) ?? responseCache.put(key, encodeResponse(route, withData(result), media));
    if (hit !== undefined) return reply.code(hit.status).headers(hit.headers).send(hit.body);
  }
  const encoded = encodeResponse(route, withData(result), media);
  void reply.code(encoded.status).headers(encoded.headers);
  const body = encoded.body;
  if (body === undefined) return reply.send();
  if (body instanceof Uint8Array) return reply.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  if (typeof body !== "string") {
    // A streamed body fails after the status line went out: the connection is cut; say why in the log.
    body.on("error", (err) =>
      opts.logger?.error({ err, operationId: route.operationId }, "streaming a response failed"),
    );
  }
  return reply.send(body);
}

/** A result whose `data` is a function (computed only when the answer is not cached) with its value. */
function withData(result: unknown): unknown {
  const r = result as { data?: unknown } | undefined;
  return typeof r?.data === "function" ? { ...r, data: (r.data as () => unknown)() } : result;
}

function mimeName(media: MediaType): string {
  return media === "json" ? "application/json" : "application/octet-stream";
}
