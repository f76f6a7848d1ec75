// The undici client of a route table: one method per operation, typed from its entry. One Pool per base URL keeps
// connections alive; each call has a timeout and takes an AbortSignal; SSZ is asked for (Accept with q-values) and
// sent where the operation offers it, JSON otherwise — and when a node refuses SSZ (406/415), the call is retried in
// JSON and that operation stays JSON for this client. Failures are ApiClientErrors typed by cause.
import { redactUrl } from "@sextant/common";
import { Pool } from "undici";
import type { ErrorBody } from "../codec/errors.ts";
import type { AnyRoute, ArgsOf, ResponseOf, RouteTable } from "../routes/types.ts";
import { ACCEPT_SSZ_THEN_JSON, type MediaType, MIME } from "../server/negotiate.ts";
import { decodeResponse, encodeRequest } from "./encode.ts";
import { ApiClientError, type ApiClientErrorContext } from "./errors.ts";

/** Options of an API client. */
export interface ApiClientOptions {
  /** Base URL of the node (`http://127.0.0.1:5052`); a path prefix is kept. */
  baseUrl: string;
  /** Default timeout of a call, ms (headers and body). */
  timeoutMs?: number;
  /** Ask for and send SSZ where the operation offers it (default true). */
  preferSsz?: boolean;
  /** Headers sent with every request (User-Agent, ...). */
  headers?: Record<string, string>;
  /** Bearer token (the keymanager API's Authorization). */
  bearerToken?: string;
  /** Connections of the pool (default undici's: unlimited). */
  connections?: number;
  /** How long an idle connection is kept, ms. */
  keepAliveTimeoutMs?: number;
  /** Runs after every response with its raw body (metrics, debugging, conformance tests). */
  onResponse?: (info: ClientResponseInfo) => void;
}

/** A response as the onResponse hook sees it. */
export interface ClientResponseInfo {
  operationId: string;
  status: number;
  contentType: string | undefined;
  body: Uint8Array;
  durationMs: number;
}

/** Options of one call. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Force the encoding of the response and body (default: SSZ where offered and preferred). */
  mediaType?: MediaType;
}

/** Arguments of a call: optional when the operation takes none. */
type CallArgs<R extends AnyRoute> =
  Record<never, never> extends ArgsOf<R>
    ? [args?: ArgsOf<R>, opts?: CallOptions]
    : [args: ArgsOf<R>, opts?: CallOptions];

/** The client of route table T: a method per operation. */
export type ApiClient<T extends RouteTable> = {
  [K in keyof T]: (...call: CallArgs<T[K]>) => Promise<ResponseOf<T[K]>>;
} & {
  /** The base URL (credentials removed). */
  readonly baseUrl: string;
  /** Closes the pool's connections. */
  close(): Promise<void>;
};

/** Default call timeout: 12 s (one mainnet slot), long enough for a block, short enough to fail over in time. */
export const DEFAULT_TIMEOUT_MS = 12_000;
/** Idle connections are kept 60 s: a validator client calls its node every slot. */
const DEFAULT_KEEP_ALIVE_MS = 60_000;

/** The client of `routes` for the node at `opts.baseUrl`. */
export function createApiClient<T extends RouteTable>(routes: T, opts: ApiClientOptions): ApiClient<T> {
  const url = new URL(opts.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, "");
  const pool = new Pool(url.origin, {
    connections: opts.connections ?? null,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS,
  });
  const shownBase = redactUrl(opts.baseUrl);
  const preferSsz = opts.preferSsz ?? true;
  /** Operations the node refused SSZ for (answered 406 or 415): JSON from then on. */
  const noSsz = new Set<string>();
  const baseHeaders: Record<string, string> = { ...opts.headers };
  if (opts.bearerToken !== undefined) baseHeaders.authorization = `Bearer ${opts.bearerToken}`;
  else if (url.username !== "") {
    // Credentials in the URL (`http://user:pass@node`): HTTP basic authentication.
    const userinfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    baseHeaders.authorization = `Basic ${Buffer.from(userinfo).toString("base64")}`;
  }

  async function call(route: AnyRoute, args: Record<string, unknown>, callOpts: CallOptions = {}): Promise<unknown> {
    const wantSsz = callOpts.mediaType ? callOpts.mediaType === "ssz" : preferSsz && !noSsz.has(route.operationId);
    const first = await attempt(route, args, callOpts, wantSsz);
    if (first.kind === "done") return first.value;
    // The node refused SSZ (in Accept or as the body): remember, and ask again in JSON.
    noSsz.add(route.operationId);
    const second = await attempt(route, args, callOpts, false);
    if (second.kind === "done") return second.value;
    throw second.error;
  }

  async function attempt(
    route: AnyRoute,
    args: Record<string, unknown>,
    callOpts: CallOptions,
    ssz: boolean,
  ): Promise<{ kind: "done"; value: unknown } | { kind: "retry-json"; error: ApiClientError }> {
    const offersSsz = route.response.ssz !== undefined;
    const sendsSsz = ssz && route.body?.ssz !== undefined;
    const accept = ssz && offersSsz ? ACCEPT_SSZ_THEN_JSON : MIME.json;
    const req = encodeRequest(route, args, sendsSsz ? "ssz" : "json", accept);
    const path = `${prefix}${req.path}`;
    const timeoutMs = callOpts.timeoutMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const context: ApiClientErrorContext = {
      operationId: route.operationId,
      method: route.method,
      url: `${shownBase.replace(/\/+$/, "")}${req.path}`,
      timeoutMs,
    };
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = callOpts.signal ? AbortSignal.any([callOpts.signal, timeout]) : timeout;
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let bytes: Uint8Array;
    const started = performance.now();
    try {
      const res = await pool.request({
        path,
        method: route.method,
        headers: { ...baseHeaders, ...req.headers },
        body: req.body === undefined ? undefined : typeof req.body === "string" ? req.body : Buffer.from(req.body),
        signal,
      });
      status = res.statusCode;
      headers = res.headers;
      bytes = await res.body.bytes();
    } catch (err) {
      if (timeout.aborted)
        throw new ApiClientError(
          "API_CLIENT_TIMEOUT",
          `${route.operationId} timed out after ${timeoutMs} ms`,
          context,
          { cause: err },
        );
      if (callOpts.signal?.aborted)
        throw new ApiClientError("API_CLIENT_ABORTED", `${route.operationId} was aborted`, context, { cause: err });
      throw new ApiClientError("API_CLIENT_NETWORK", `${route.operationId}: ${(err as Error).message}`, context, {
        cause: err,
      });
    }
    context.status = status;
    const contentType = first(headers["content-type"]);
    opts.onResponse?.({
      operationId: route.operationId,
      status,
      contentType,
      body: bytes,
      durationMs: performance.now() - started,
    });
    const success = route.response.statuses.includes(status) || (status >= 200 && status < 300);
    if (!success) {
      const body = errorBodyOf(contentType, bytes);
      if (body) context.body = body;
      const message = `${route.operationId} failed: ${status}${body ? ` ${body.message}` : ""}`;
      const error = new ApiClientError("API_CLIENT_HTTP", message, context);
      if ((status === 406 || status === 415) && (accept !== MIME.json || sendsSsz))
        return { kind: "retry-json", error };
      throw error;
    }
    try {
      const decoded = decodeResponse(route, contentType, headers, bytes);
      return { kind: "done", value: { status, data: decoded.data, meta: decoded.meta, mediaType: decoded.mediaType } };
    } catch (err) {
      const message = `${route.operationId}: undecodable response: ${(err as Error).message}`;
      throw new ApiClientError("API_CLIENT_BAD_RESPONSE", message, context, { cause: err });
    }
  }

  const client: Record<string, unknown> = {
    baseUrl: shownBase,
    close: () => pool.close(),
  };
  for (const route of Object.values(routes) as AnyRoute[]) {
    client[route.operationId] = (args: Record<string, unknown> = {}, callOpts?: CallOptions) =>
      call(route, args, callOpts);
  }
  return client as ApiClient<T>;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The spec's error body in an error response, if it has one. */
function errorBodyOf(contentType: string | undefined, bytes: Uint8Array): ErrorBody | undefined {
  if (!contentType?.toLowerCase().startsWith(MIME.json)) return undefined;
  try {
    const json = JSON.parse(Buffer.from(bytes).toString("utf8")) as Partial<ErrorBody>;
    if (typeof json?.message !== "string") return undefined;
    return { ...json, code: typeof json.code === "number" ? json.code : 0, message: json.message } as ErrorBody;
  } catch {
    return undefined;
  }
}
