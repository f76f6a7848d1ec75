// The Engine API client: JSON-RPC 2.0 over HTTP (the runtime's fetch, undici) to the execution engine at
// `--execution-url`, authenticated with a fresh HS256 JWT per request, with the Engine API's per-method timeouts
// (newPayload and forkchoiceUpdated 8 s, getPayload and exchangeCapabilities 1 s). Each failure becomes an
// ExecutionError saying what happened: unreachable, auth refused, timeout, JSON-RPC error (with its code),
// non-200 HTTP status, or a malformed result.
import type { ForkName } from "@sextant/consensus/params/forkName";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import { ExecutionError } from "./errors.ts";
import {
  attributesToJson,
  dataToJson,
  executionRequestsToList,
  forkchoiceStateToJson,
  getPayloadResultFromJson,
  payloadIdFromJson,
  payloadStatusFromJson,
  payloadToJson,
} from "./json.ts";
import { createJwt } from "./jwt.ts";
import {
  type ExecutionEngineClient,
  engineVersions,
  type ForkchoiceState,
  type ForkchoiceUpdatedResult,
  forkAtLeast,
  type GetPayloadResult,
  type NewPayloadRequest,
  type PayloadAttributes,
  type PayloadId,
  type PayloadStatus,
} from "./types.ts";

/** Per-method timeouts in milliseconds. */
export interface EngineTimeouts {
  readonly newPayload: number;
  readonly forkchoiceUpdated: number;
  readonly getPayload: number;
  readonly exchangeCapabilities: number;
}

/** The Engine API specification's timeouts (execution-apis src/engine: 8 s, 8 s, 1 s, 1 s). */
export const DEFAULT_ENGINE_TIMEOUTS: EngineTimeouts = Object.freeze({
  newPayload: 8_000,
  forkchoiceUpdated: 8_000,
  getPayload: 1_000,
  exchangeCapabilities: 1_000,
});

/** Options of HttpExecutionEngine. */
export interface HttpExecutionEngineOptions {
  /** The engine's authenticated RPC endpoint, e.g. http://127.0.0.1:8551. */
  readonly url: string;
  /** The 32-byte shared secret (see readJwtSecretFile). */
  readonly jwtSecret: Uint8Array;
  /** SSZ types of the chain's preset (execution request lists are SSZ-encoded). */
  readonly types: SszTypes;
  /** Overrides of the per-method timeouts. */
  readonly timeouts?: Partial<EngineTimeouts>;
}

const ERROR_BODY_PREVIEW = 200;

/** ExecutionEngineClient over the Engine API's HTTP JSON-RPC endpoint. */
export class HttpExecutionEngine implements ExecutionEngineClient {
  readonly url: string;
  private readonly secret: Uint8Array;
  private readonly types: SszTypes;
  private readonly timeouts: EngineTimeouts;
  private nextId = 1;

  constructor(opts: HttpExecutionEngineOptions) {
    let parsed: URL;
    try {
      parsed = new URL(opts.url);
    } catch (err) {
      throw new ExecutionError(
        "EXECUTION_INVALID_REQUEST",
        `execution URL ${opts.url} is not a URL`,
        { url: opts.url },
        err,
      );
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new ExecutionError("EXECUTION_INVALID_REQUEST", `execution URL ${opts.url} must be http(s)`, {
        url: opts.url,
      });
    }
    if (opts.jwtSecret.length !== 32) {
      throw new ExecutionError("EXECUTION_JWT_SECRET", `JWT secret must be 32 bytes, got ${opts.jwtSecret.length}`);
    }
    this.url = opts.url;
    this.secret = opts.jwtSecret;
    this.types = opts.types;
    this.timeouts = { ...DEFAULT_ENGINE_TIMEOUTS, ...opts.timeouts };
  }

  async notifyNewPayload(request: NewPayloadRequest): Promise<PayloadStatus> {
    const v = engineVersions(request.fork);
    const params: unknown[] = [payloadToJson(request.executionPayload, v.payload)];
    if (v.newPayload >= 3) {
      if (request.versionedHashes === undefined || request.parentBeaconBlockRoot === undefined) {
        throw new ExecutionError(
          "EXECUTION_INVALID_REQUEST",
          `engine_newPayloadV${v.newPayload} (${request.fork}) needs versionedHashes and parentBeaconBlockRoot`,
          { fork: request.fork },
        );
      }
      params.push(request.versionedHashes.map(dataToJson), dataToJson(request.parentBeaconBlockRoot));
    }
    if (v.newPayload >= 4) {
      if (request.executionRequests === undefined) {
        throw new ExecutionError(
          "EXECUTION_INVALID_REQUEST",
          `engine_newPayloadV${v.newPayload} (${request.fork}) needs executionRequests`,
          { fork: request.fork },
        );
      }
      params.push(executionRequestsToList(this.types, request.executionRequests).map(dataToJson));
    }
    const result = await this.call(`engine_newPayloadV${v.newPayload}`, params, this.timeouts.newPayload);
    return payloadStatusFromJson(result, "newPayload result");
  }

  async forkchoiceUpdated(
    fork: ForkName,
    state: ForkchoiceState,
    attributes?: PayloadAttributes,
  ): Promise<ForkchoiceUpdatedResult> {
    const v = engineVersions(fork);
    // forkchoiceUpdatedV2 takes V1 or V2 attributes; from capella on the withdrawals are required, so send V2.
    const attrs = attributes === undefined ? null : attributesToJson(attributes, v.payload);
    const method = `engine_forkchoiceUpdatedV${v.forkchoiceUpdated}`;
    const result = await this.call(method, [forkchoiceStateToJson(state), attrs], this.timeouts.forkchoiceUpdated);
    if (result === null || typeof result !== "object") {
      throw new ExecutionError("EXECUTION_BAD_RESPONSE", `${method}: result is not an object`, { method });
    }
    const r = result as Record<string, unknown>;
    return {
      payloadStatus: payloadStatusFromJson(r.payloadStatus),
      payloadId: payloadIdFromJson(r.payloadId),
    };
  }

  async getPayload(fork: ForkName, payloadId: PayloadId): Promise<GetPayloadResult> {
    const v = engineVersions(fork);
    if (!/^0x[0-9a-fA-F]{16}$/.test(payloadId)) {
      throw new ExecutionError("EXECUTION_INVALID_REQUEST", `payload id ${payloadId} is not 8 bytes of 0x hex`, {
        payloadId,
      });
    }
    const result = await this.call(`engine_getPayloadV${v.getPayload}`, [payloadId], this.timeouts.getPayload);
    const out = getPayloadResultFromJson(this.types, result, v.getPayload);
    if (forkAtLeast(fork, "electra") && out.executionRequests === null) {
      throw new ExecutionError("EXECUTION_BAD_RESPONSE", "getPayload result has no executionRequests", { fork });
    }
    return out;
  }

  async exchangeCapabilities(methods: readonly string[]): Promise<string[]> {
    const result = await this.call("engine_exchangeCapabilities", [methods], this.timeouts.exchangeCapabilities);
    if (!Array.isArray(result) || !result.every((m) => typeof m === "string")) {
      throw new ExecutionError(
        "EXECUTION_BAD_RESPONSE",
        "engine_exchangeCapabilities: result is not a list of method names",
      );
    }
    return result;
  }

  /** One JSON-RPC call: the result, or an ExecutionError saying what went wrong. */
  async call(method: string, params: unknown[], timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    const ctx = { method, url: this.url };
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${createJwt(this.secret)}` },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw this.transportError(err, method, timeoutMs);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw this.transportError(err, method, timeoutMs);
    }
    if (response.status === 401 || response.status === 403) {
      throw new ExecutionError(
        "EXECUTION_AUTH_REFUSED",
        `execution engine at ${this.url} refused our JWT for ${method} (HTTP ${response.status}): check --jwt-secret`,
        { ...ctx, status: response.status, body: text.slice(0, ERROR_BODY_PREVIEW) },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const rpc = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : undefined;
    if (rpc?.error !== undefined && rpc.error !== null) {
      const e = rpc.error as { code?: unknown; message?: unknown; data?: unknown };
      const rpcCode = typeof e.code === "number" ? e.code : undefined;
      throw new ExecutionError(
        "EXECUTION_RPC_ERROR",
        `${method} failed on the execution engine: JSON-RPC error ${rpcCode ?? "?"}: ${String(e.message ?? "")}`,
        { ...ctx, rpcCode, rpcMessage: e.message, rpcData: e.data },
      );
    }
    if (response.status !== 200) {
      throw new ExecutionError(
        "EXECUTION_HTTP_ERROR",
        `execution engine at ${this.url} answered HTTP ${response.status} to ${method}`,
        { ...ctx, status: response.status, body: text.slice(0, ERROR_BODY_PREVIEW) },
      );
    }
    if (rpc === undefined || !("result" in rpc)) {
      throw new ExecutionError(
        "EXECUTION_BAD_RESPONSE",
        `${method}: the execution engine's answer is not a JSON-RPC response`,
        { ...ctx, body: text.slice(0, ERROR_BODY_PREVIEW) },
      );
    }
    if (rpc.id !== id) {
      throw new ExecutionError(
        "EXECUTION_BAD_RESPONSE",
        `${method}: response id ${String(rpc.id)} for request ${id}`,
        ctx,
      );
    }
    return rpc.result;
  }

  private transportError(err: unknown, method: string, timeoutMs: number): ExecutionError {
    const name = (err as { name?: unknown })?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      return new ExecutionError(
        "EXECUTION_TIMEOUT",
        `${method} timed out after ${timeoutMs} ms waiting for the execution engine at ${this.url}`,
        { method, url: this.url, timeoutMs },
        err,
      );
    }
    const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
    const sysCode = typeof cause?.code === "string" ? cause.code : undefined;
    const detail = sysCode ?? (typeof cause?.message === "string" ? cause.message : String((err as Error)?.message));
    return new ExecutionError(
      "EXECUTION_UNREACHABLE",
      `cannot reach the execution engine at ${this.url} for ${method}: ${detail}`,
      { method, url: this.url, sysCode },
      err,
    );
  }
}
